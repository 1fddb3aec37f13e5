"""`manage.py chat`: a person types as a Telegram user and sees answers and buttons."""

import pytest

from tests.support.processes import manage
from tests.support.sqlite import sqlite_env
from tests.support.waiting import START


def chat(tmp_path, typed: str) -> str:
    """What `manage.py chat` shows a person who types `typed` (on a new SQLite database)."""
    env = sqlite_env(tmp_path / "chat.sqlite3")
    user = ["--user-id", "4242", "--username", "pat"]
    result = manage(env, "chat", *user, input=typed, timeout=START, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.e2e
def test_chat_console_runs_a_dialog_with_buttons(tmp_path):
    typed = (
        "/register\n/create_event\nPicnic\n2031-06-01\n10:00\n!Пропустить\n!Пропустить\n"
        "/export\n:quit\n"
    )
    out = chat(tmp_path, typed)
    assert "вы зарегистрированы" in out
    assert "[1] Отмена" in out and "[1] Пропустить" in out
    assert "Событие создано" in out and "Picnic" in out
    assert "Скачать CSV → http" in out and "/export/csv/?token=" in out


@pytest.mark.e2e
def test_chat_console_two_people_and_the_user_picker(tmp_path):
    typed = (
        "/register\n:as 4343 kim\n/register\n:as 4242\n"
        # The second «Пропустить» skips a reminder step where there is one (else: no button).
        "/create_event\nPicnic\n2031-06-01\n10:00\n!Пропустить\n!Пропустить\n"
        "/invite\n:share 4343\n!1\n!Пропустить\n:as 4343\n!Принять\n:as 4242\n:quit\n"
    )
    out = chat(tmp_path, typed)
    assert "клавиатура: 👤 Выбрать из контактов | Отмена" in out
    assert "Приглашаем: Kim (@kim)" in out
    assert "Console (@pat) приглашает вас на встречу «Picnic»" in out
    assert "Вы приняли приглашение" in out
    assert "принимает приглашение на «Picnic»" in out
