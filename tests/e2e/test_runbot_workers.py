"""`runbot --workers 2` as real processes: a polling front and two workers (bot/workers.py).

Runs on a throw-away SQLite file, or on a throw-away PostgreSQL database next to DATABASE_URL
when that points at PostgreSQL.
"""

import asyncio
import os
import signal
import sqlite3
from pathlib import Path

import pytest
from django.utils import translation

from calendarapp.bot import texts
from calendarapp.devtools.fake_bot_api import FakeBotApi
from calendarapp.devtools.procfs import child_pids
from tests.support.fake_telegram import exited, runbot, say, stop
from tests.support.processes import child_env, manage
from tests.support.sqlite import migrated_sqlite, sqlite_env
from tests.support.waiting import DEADLINE, START, STOP, until

pytestmark = pytest.mark.e2e


def _ru(text) -> str:
    with translation.override("ru"):
        return str(text)


class Database:
    """A database of its own for the bot processes, migrated; counts events by name."""

    def __init__(self, tmp_path: Path):
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            import psycopg

            self.admin = url.rsplit("/", 1)[0] + "/postgres"
            self.url = url.rsplit("/", 1)[0] + f"/runbot_workers_{os.getpid()}"
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
            self.connect = lambda: psycopg.connect(self.url)
            self.env = child_env("TELEGRAM_", DATABASE_URL=self.url)
            manage(self.env, "migrate", "--noinput", "-v0")
        else:
            self.url = None
            path = migrated_sqlite(tmp_path / "bot.sqlite3")
            self.connect = lambda: sqlite3.connect(path)
            self.env = sqlite_env(path)

    @property
    def name(self) -> str:
        return self.url.rsplit("/", 1)[1]

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(sql)

    def event_names(self) -> list[str]:
        conn = self.connect()
        try:
            rows = conn.execute("SELECT name FROM calendarapp_event ORDER BY name").fetchall()
        finally:
            conn.close()
        return [row[0] for row in rows]

    def drop(self) -> None:
        if self.url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def database(tmp_path):
    db = Database(tmp_path)
    yield db
    db.drop()


class Bot:
    """`manage.py runbot --workers 2` against the fake API."""

    def __init__(self, fake: FakeBotApi, env: dict):
        self.fake, self.env = fake, env
        self.process = None

    def start(self) -> None:
        self.process = runbot(self.fake, self.env, "--workers", "2")

    async def wait(self, timeout: float = STOP) -> int:
        return await exited(self.fake, self.process, timeout)

    async def stop(self) -> int:
        return await stop(self.fake, self.process)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            for child in child_pids(self.process.pid):
                os.kill(child, signal.SIGKILL)
            self.process.kill()


def run(scenario, database):
    async def main():
        fake = await FakeBotApi().start()
        bot = Bot(fake, database.env)
        try:
            await scenario(fake, bot)
        finally:
            bot.kill()
            await fake.stop()

    asyncio.run(main())


async def burst(fake, user, messages, answers: int, timeout=DEADLINE) -> list[str]:
    """Send every message at once (no waiting in between); the bot's first `answers` texts."""
    mark = fake.cursor(user.id)
    for text in messages:
        fake.send_text(user, text)
    activity = await fake.wait_for_activity(user.id, mark, count=answers, timeout=timeout)
    return [item.text for item in activity]


def test_two_users_dialogs_in_parallel_each_in_order(database):
    """Two people on different workers, each firing a whole dialog at once: every answer
    comes in the dialog's order, both events are created, once each."""

    async def scenario(fake, bot):
        bot.start()
        ann, bob = fake.user(7001, "Ann", "ann"), fake.user(7002, "Bob", "bob")  # 7001 % 2 = 1
        for user in (ann, bob):  # the first answers wait for the processes to start
            assert "зарегистрированы" in await say(fake, user, "/register", START)
        assert len(child_pids(bot.process.pid)) == 2

        async def dialog(user, name):
            answers = await burst(
                fake, user, ["/create_event", name, "2031-05-01", "10:00", "-"], answers=5
            )
            assert answers[0] == _ru(texts.ASK_NAME)
            assert "Дата" in answers[1]
            assert "Время" in answers[2]
            assert "Описание" in answers[3]
            assert "Событие создано" in answers[4]

        for _round in range(3):
            await asyncio.gather(dialog(ann, "Ann's"), dialog(bob, "Bob's"))
        assert await bot.stop() == 0

    run(scenario, database)
    assert database.event_names() == ["Ann's"] * 3 + ["Bob's"] * 3


def test_restart_mid_dialog_cancel_and_clean_stop(database):
    """SIGTERM mid-dialog: exit 0, and after a restart the dialog goes on at the same step;
    /cancel leaves a dialog; an update sent just before SIGTERM is answered exactly once."""

    async def scenario(fake, bot):
        bot.start()
        kim = fake.user(7003, "Kim", "kim")
        assert "зарегистрированы" in await say(fake, kim, "/register", START)
        await say(fake, kim, "/create_event")
        assert "Дата" in await say(fake, kim, "Concert")
        assert await bot.stop() == 0
        bot.start()
        assert "Время" in await say(fake, kim, "2031-05-01", START)
        assert "Описание" in await say(fake, kim, "19:00")
        assert "Событие создано" in await say(fake, kim, "-")

        await say(fake, kim, "/create_event")
        assert await say(fake, kim, "/cancel") == _ru(texts.CANCELLED)
        assert await say(fake, kim, "/cancel") == _ru(texts.NOTHING_TO_CANCEL)

        # The last step and SIGTERM at once: taken and answered before the exit, or left
        # unconfirmed and answered after the restart; never lost, never twice.
        for text in ("/create_event", "Stopped", "2031-06-01", "09:00"):
            await say(fake, kim, text)
        mark = fake.cursor(kim.id)
        fake.send_text(kim, "-")
        bot.process.send_signal(signal.SIGTERM)
        assert await bot.wait() == 0
        bot.start()
        fake.send_text(kim, "/display_events")
        done = await fake.wait_for_activity(kim.id, mark, count=2, timeout=START)
        assert "Событие создано" in done[0].text and "Stopped" in done[1].text
        assert await say(fake, kim, "/cancel") == _ru(texts.NOTHING_TO_CANCEL)
        answers = [item.text for item in fake.activity[kim.id][mark:]]
        assert len(answers) == 3, answers  # no second "created"
        assert await bot.stop() == 0

    run(scenario, database)
    assert database.event_names() == ["Concert", "Stopped"]


def test_a_killed_worker_takes_runbot_down_with_an_error(database):
    async def scenario(fake, bot):
        bot.start()
        lee = fake.user(7004, "Lee", "lee")
        assert "зарегистрированы" in await say(fake, lee, "/register", START)
        workers = child_pids(bot.process.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)
        assert await bot.wait() != 0
        # The other worker is not left behind.
        await until(
            lambda: not Path(f"/proc/{workers[1]}").exists() or "Z" in _state(workers[1]),
            message="the other worker is still running",
        )

    run(scenario, database)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
