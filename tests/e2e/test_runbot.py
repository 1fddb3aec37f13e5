"""`manage.py runbot` as a real process: no token, and a real token against the fake API."""

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from calendarapp.devtools.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    return env | extra


def test_runbot_without_token_says_how_and_fails():
    result = subprocess.run(
        [sys.executable, "manage.py", "runbot"],
        cwd=ROOT,
        env=_env(TELEGRAM_BOT_TOKEN="", PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "manage.py chat" in result.stderr


@pytest.mark.e2e
def test_runbot_with_a_token_telegram_refuses_says_so_in_one_line(tmp_path):
    async def scenario():
        fake = await FakeBotApi().start()
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "manage.py",
                "runbot",
                cwd=ROOT,
                env=_env(
                    SQLITE_PATH=str(tmp_path / "bot.sqlite3"),
                    DATABASE_URL="",
                    DB_HOST="",
                    TELEGRAM_BOT_TOKEN="999:WRONG-TOKEN",
                    TELEGRAM_API_BASE_URL=fake.base_url,
                ),
                stderr=asyncio.subprocess.PIPE,
            )
            _, stderr = await asyncio.wait_for(process.communicate(), 60)
            return process.returncode, stderr.decode()
        finally:
            await fake.stop()

    code, stderr = asyncio.run(scenario())
    assert code == 2
    assert "Telegram refused the bot token" in stderr and "TELEGRAM_BOT_TOKEN" in stderr
    assert "WRONG-TOKEN" not in stderr and "Traceback" not in stderr
    assert "Unclosed" not in stderr


@pytest.mark.e2e
def test_runbot_logs_a_telegram_outage_as_warnings_and_answers_after_it(tmp_path):
    """getUpdates failing (502) is Telegram's trouble, not the bot's: a warning line per
    retry, no ERROR with a traceback, and the next poll answers the user."""
    db_path = tmp_path / "bot.sqlite3"
    env = _env(SQLITE_PATH=str(db_path), DATABASE_URL="", DB_HOST="")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )

    async def scenario():
        fake = await FakeBotApi().start()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "manage.py",
            "runbot",
            cwd=ROOT,
            env=env | {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url},
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            user = fake.user(7002, "Lee", "lee")
            mark = fake.cursor(user.id)
            fake.send_text(user, "/help")
            await fake.wait_for_activity(user.id, mark, timeout=30)
            fake.fail("getUpdates", 502, times=2)
            await fake.release_polls()  # the long poll in progress ends; the next two fail
            mark = fake.cursor(user.id)
            fake.send_text(user, "/help")
            answer = (await fake.wait_for_activity(user.id, mark, timeout=30))[0].text
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
            await fake.stop()
        return answer, stderr.decode()

    answer, stderr = asyncio.run(scenario())
    assert answer.startswith("Команды:")
    assert stderr.count("Telegram is unreachable, polling retries") == 2, stderr
    assert "Traceback" not in stderr and " ERROR " not in stderr, stderr


@pytest.mark.e2e
def test_runbot_process_answers_and_survives_sigkill_mid_dialog(tmp_path):
    """The real process against the fake API; a SIGKILL mid-dialog loses nothing."""
    db_path = tmp_path / "bot.sqlite3"
    env = _env(SQLITE_PATH=str(db_path), DATABASE_URL="", DB_HOST="")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )

    async def scenario():
        fake = await FakeBotApi().start()
        bot_env = env | {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
        }

        def spawn():
            return subprocess.Popen(
                [sys.executable, "bot.py"],
                cwd=ROOT,
                env=bot_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )

        user = fake.user(7001, "Kim", "kim")

        async def say(text, timeout=30):
            mark = fake.cursor(user.id)
            fake.send_text(user, text)
            return (await fake.wait_for_activity(user.id, mark, timeout=timeout))[0].text

        process = spawn()
        try:
            assert "зарегистрированы" in await say("/register")
            # No TELEGRAM_WEBHOOK_URL: long polling, no webhook registered.
            assert fake.calls["getUpdates"] > 0 and fake.calls["setWebhook"] == 0
            # An event the bot confirmed just before the kill, and a dialog half done.
            for text in ("/create_event", "Kept", "2031-05-01"):
                await say(text)
            assert "Описание" in await say("10:00")
            assert "Событие создано" in await say("-")  # the details: the last step
            await say("/create_event")
            assert "Дата" in await say("Concert")
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            await fake.release_polls()
            process = spawn()
            assert "Время" in await say("2031-05-01")
            assert "Описание" in await say("19:00")
            assert "Событие создано" in await say("-")
            process.send_signal(signal.SIGTERM)  # a clean stop, as Ctrl-C
            assert process.wait(20) == 0
        finally:
            if process.poll() is None:
                process.kill()
            await fake.stop()

    asyncio.run(scenario())
    with sqlite3.connect(db_path) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM calendarapp_event")}
    assert names == {"Kept", "Concert"}  # the acknowledged one survived, no duplicates
