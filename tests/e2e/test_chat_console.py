"""`manage.py chat`: a person types as a Telegram user and sees answers and buttons.

Most tests pipe a script into the console and read the transcript it prints; the last one
runs it on a pseudo-terminal, as a person at a keyboard would, and reads the screen.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .terminal import ConsoleOnTerminal

ROOT = Path(__file__).resolve().parents[2]


def console_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DB_HOST"}}
    env["SQLITE_PATH"] = str(tmp_path / "chat.sqlite3")
    return env | extra


def chat(tmp_path: Path, typed: str, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", "chat", "--user-id", "4242", "--username", "pat", *args],
        cwd=ROOT,
        env=console_env(tmp_path),
        input=typed,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.e2e
def test_month_calendar_days_are_pressed_by_their_number(tmp_path):
    log = tmp_path / "chat.log"
    typed = (
        "/register\n/create_event\nPicnic\n"
        # Next month, where no day is past yet; then its 15th.
        "!›\n!15\n10:00\n!Пропустить\n:quit\n"
    )
    result = chat(tmp_path, typed, "--log-file", str(log))
    out = result.stdout
    grid = [line for line in out.splitlines() if len(re.findall(r"\[\d{1,2}\]", line)) >= 5]
    assert any("[15]" in line for line in grid), out  # the days, laid out as a calendar
    assert re.search(r"Дата: 15\.\d\d\.\d{4}", out), out
    assert re.search(r"Когда: 15\.\d\d\.\d{4} \(\w+\) 10:00", out), out
    assert "[a] Пропустить  [b] Отмена" in out
    # Quiet by default: the bot's log lines went to the file, none to the terminal.
    assert " INFO " not in out and result.stderr == ""
    assert "Application started" in log.read_text(encoding="utf-8")


@pytest.mark.e2e
def test_buttons_of_an_older_message_and_labels_that_follow_the_language(tmp_path):
    typed = "/register\n/language\n/help\n!2.b\n/display_events\n!9.a\n:quit\n"
    out = chat(tmp_path, typed).stdout
    assert "#2 бот: Выберите язык бота" in out and "[a] Русский  [b] English" in out
    # Message #3 (the help) came after the question; #2's buttons are still pressed by number.
    assert "вы: !2.b\n#2 bot, edited: Done, the bot's language is English" in out
    assert "you: /display_events\n#4 bot: You have no events yet" in out
    assert "no message #9" in out


@pytest.mark.e2e
def test_the_console_speaks_english_with_lang_en(tmp_path):
    out = chat(tmp_path, "/start\n!a\n:quit\n", "--lang", "en").stdout
    assert out.startswith("Chat with the bot without Telegram")
    assert "!15 presses [15] (in the calendar, the 15th)" in out
    assert "you: /start\n#1 bot: Hi!" in out
    assert "no message has buttons" in out


@pytest.mark.e2e
def test_chat_console_runs_a_dialog_with_buttons(tmp_path):
    typed = "/register\n/create_event\nPicnic\n2031-06-01\n10:00\n!Пропустить\n/export\n!a\n:quit\n"
    out = chat(tmp_path, typed).stdout
    assert "вы зарегистрированы" in out
    assert "[a] Отмена" in out
    assert "Событие создано" in out and "Picnic" in out
    assert "[a] Скачать CSV → http" in out and "/export/csv/?token=" in out
    assert "ссылка: http" in out  # a link button shows its address when pressed


@pytest.mark.e2e
def test_chat_console_two_people_and_the_user_picker(tmp_path):
    args = ["--user-id", "4242", "--username", "pat", "--log-file", str(tmp_path / "chat.log")]
    with ConsoleOnTerminal(ROOT, args, console_env(tmp_path)) as console:
        console.wait_for("вы:")
        for line in ("/register", ":as 4343 kim", "/register", ":as 4242", "/create_event"):
            console.type_line(line)
        for line in ("Picnic", "2031-06-01", "10:00", "!Пропустить"):
            console.type_line(line)
        screen = console.type_line("/invite")
        assert "клавиатура: 👤 Выбрать из контактов | 🔗 Ссылка-приглашение | Отмена" in screen.text
        console.type_line(":share 4343", expect="Приглашаем: Kim (@kim)")
        console.type_line("!a")
        console.type_line("!Пропустить")
        # The invitation reaches Kim while Pat is at the keyboard: Pat is told at once.
        console.wait_for("новое сообщение для Kim (4343); прочитать: :as 4343")
        screen = console.type_line(":as 4343")
        assert "Console (@pat) приглашает вас на встречу «Picnic»" in screen.text
        console.type_line("!Принять", expect="Вы приняли приглашение")
        console.wait_for("новое сообщение для Console (4242); прочитать: :as 4242")
        screen = console.type_line(":as 4242")
        assert "принимает приглашение на «Picnic»" in screen.lines[-2]
        console.quit()
    assert console.returncode == 0


@pytest.mark.e2e
def test_a_reminder_shows_while_the_person_is_typing(tmp_path):
    """On a real terminal: what arrives is printed above the prompt at once, the half-typed
    line is kept below it, and log lines (--verbose) never land on the prompt."""
    env = console_env(tmp_path, REMINDER_POLL_INTERVAL="1")
    args = ["--user-id", "4242", "--verbose", "--log-file", str(tmp_path / "chat.log")]
    with ConsoleOnTerminal(ROOT, args, env) as console:
        console.wait_for("вы:")
        for line in ("/register", "/create_event", "Tea", "через 11 минут", "!a"):
            console.type_line(line)
        # Ten minutes ahead of an event eleven minutes away: due within a minute.
        console.type_line("!За 10 минут", expect="Напоминание: за 10 минут.")
        console.type("hel")
        screen = console.wait_for("🔔 Напоминание: «Tea»", timeout=90)
        assert screen.lines[-1] == "вы: hel"  # the prompt, redrawn with what was typed
        queued = [line for line in screen.lines if "Queued 1 reminder(s)" in line]
        assert queued and all(not line.startswith("вы:") for line in queued)
        console.type_line("lo")
        console.wait_for("Не понял")  # "hello" reached the bot whole
        console.quit()
    assert console.returncode == 0
