"""`manage.py runbot` as a real process: no token, and a real token against the fake API."""

import asyncio
import sqlite3
import sys

import pytest

from calendarapp.devtools.fake_bot_api import FakeBotApi
from tests.support.fake_telegram import bot_env, exited, runbot, say, stop
from tests.support.processes import Child, child_env, manage
from tests.support.sqlite import migrated_sqlite, sqlite_env
from tests.support.waiting import START, until

OUTAGE_WARNING = "Telegram is unreachable, polling retries"
WRONG = "999:WRONG-TOKEN"  # the fake knows another


def test_runbot_without_token_says_how_and_fails():
    result = manage(child_env("TELEGRAM_", TELEGRAM_BOT_TOKEN=""), "runbot", check=False)
    assert result.returncode != 0
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "manage.py chat" in result.stderr


@pytest.mark.e2e
def test_runbot_with_a_token_telegram_refuses_says_so_in_one_line(tmp_path):
    async def scenario():
        fake = await FakeBotApi().start()
        env = bot_env(fake, sqlite_env(tmp_path / "bot.sqlite3"))
        bot = Child([sys.executable, "manage.py", "runbot"], env | {"TELEGRAM_BOT_TOKEN": WRONG})
        try:
            return await exited(fake, bot, START), bot.output
        finally:
            bot.kill()
            await fake.stop()

    code, output = asyncio.run(scenario())
    assert code == 2
    assert "Telegram refused the bot token" in output and "TELEGRAM_BOT_TOKEN" in output
    assert "WRONG-TOKEN" not in output and "Traceback" not in output
    assert "Unclosed" not in output


@pytest.mark.e2e
def test_runbot_logs_a_telegram_outage_as_warnings_and_answers_after_it(tmp_path):
    """getUpdates failing (502) is Telegram's trouble, not the bot's: a warning line per
    failed poll, no ERROR with a traceback, and the next poll answers the user.

    Exactly two polls fail, and the user writes once both have failed and been logged
    (waited for, not timed): how many polls happen meanwhile does not depend on the
    machine's speed, and the poll of the shutdown does not meet a failure."""
    env = sqlite_env(migrated_sqlite(tmp_path / "bot.sqlite3"))

    async def scenario():
        fake = await FakeBotApi().start()
        bot = runbot(fake, env)
        try:
            user = fake.user(7002, "Lee", "lee")
            assert (await say(fake, user, "/help", START)).startswith("Команды:")
            fake.fail("getUpdates", 502, times=2)
            outage = fake.failures[-1]
            await fake.release_polls()  # the long poll in progress ends; the next two fail
            await until(lambda: outage["times"] == 0, message="the bot polled no more")
            await bot.wait_for_async(OUTAGE_WARNING, count=2)
            answer = await say(fake, user, "/help")
            assert await stop(fake, bot) == 0
        finally:
            bot.kill()
            await fake.stop()
        return answer, bot

    answer, bot = asyncio.run(scenario())
    assert answer.startswith("Команды:")
    assert bot.count(OUTAGE_WARNING) == 2, bot.output
    assert "Traceback" not in bot.output and " ERROR " not in bot.output, bot.output


@pytest.mark.e2e
def test_runbot_process_answers_and_survives_sigkill_mid_dialog(tmp_path):
    """The real process against the fake API; a SIGKILL mid-dialog loses nothing."""
    db_path = migrated_sqlite(tmp_path / "bot.sqlite3")
    env = sqlite_env(db_path)

    async def scenario():
        fake = await FakeBotApi().start()
        user = fake.user(7001, "Kim", "kim")
        bot = Child([sys.executable, "bot.py"], bot_env(fake, env))
        try:
            assert "зарегистрированы" in await say(fake, user, "/register", START)
            # No TELEGRAM_WEBHOOK_URL: long polling, no webhook registered.
            assert fake.calls["getUpdates"] > 0 and fake.calls["setWebhook"] == 0
            # An event the bot confirmed just before the kill, and a dialog half done.
            for text in ("/create_event", "Kept", "2031-05-01"):
                await say(fake, user, text)
            assert "Описание" in await say(fake, user, "10:00")
            assert "Событие создано" in await say(fake, user, "-")  # the details: the last step
            await say(fake, user, "/create_event")
            assert "Дата" in await say(fake, user, "Concert")
            bot.kill()
            await fake.release_polls()
            bot = Child([sys.executable, "bot.py"], bot_env(fake, env))
            assert "Время" in await say(fake, user, "2031-05-01", START)
            assert "Описание" in await say(fake, user, "19:00")
            assert "Событие создано" in await say(fake, user, "-")
            assert await stop(fake, bot) == 0, bot.output  # a clean stop, as Ctrl-C
        finally:
            bot.kill()
            await fake.stop()

    asyncio.run(scenario())
    with sqlite3.connect(db_path) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM calendarapp_event")}
    assert names == {"Kept", "Concert"}  # the acknowledged one survived, no duplicates
