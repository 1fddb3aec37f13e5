"""`manage.py chat`: a person types as a Telegram user and sees answers and buttons."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
def test_chat_console_runs_a_dialog_with_buttons(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DB_HOST"}}
    env["SQLITE_PATH"] = str(tmp_path / "chat.sqlite3")
    typed = "/register\n/create_event\nPicnic\n2031-06-01\n10:00\n!Пропустить\n/export\n:quit\n"
    result = subprocess.run(
        [sys.executable, "manage.py", "chat", "--user-id", "4242", "--username", "pat"],
        cwd=ROOT,
        env=env,
        input=typed,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "вы зарегистрированы" in out
    assert "[1] Отмена" in out and "[1] Пропустить" in out
    assert "Событие создано" in out and "Picnic" in out
    assert "Скачать CSV → http" in out and "/export/csv/?token=" in out


@pytest.mark.e2e
def test_chat_console_two_people_and_the_user_picker(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DB_HOST"}}
    env["SQLITE_PATH"] = str(tmp_path / "chat.sqlite3")
    typed = (
        "/register\n:as 4343 kim\n/register\n:as 4242\n"
        "/create_event\nPicnic\n2031-06-01\n10:00\n!Пропустить\n"
        "/invite\n:share 4343\n!1\n!Пропустить\n:as 4343\n!Принять\n:as 4242\n:quit\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "chat", "--user-id", "4242", "--username", "pat"],
        cwd=ROOT,
        env=env,
        input=typed,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "клавиатура: 👤 Выбрать из контактов | Отмена" in out
    assert "Приглашаем: Kim (@kim)" in out
    assert "Console (@pat) приглашает вас на встречу «Picnic»" in out
    assert "Вы приняли приглашение" in out
    assert "принимает приглашение на «Picnic»" in out
