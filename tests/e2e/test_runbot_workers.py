"""`runbot --workers 2` as real processes: a polling front and two workers (bot/workers.py).

Runs on a throw-away SQLite file, or on a throw-away PostgreSQL database next to DATABASE_URL
when that points at PostgreSQL.
"""

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import translation

from calendarapp.bot import texts
from calendarapp.devtools.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def _ru(text) -> str:
    with translation.override("ru"):
        return str(text)


class Database:
    """A database of its own for the bot processes, migrated; counts events by name."""

    def __init__(self, tmp_path: Path):
        url = os.environ.get("DATABASE_URL", "")
        base = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
        if url.startswith(("postgres://", "postgresql://")):
            import psycopg

            self.admin = url.rsplit("/", 1)[0] + "/postgres"
            self.url = url.rsplit("/", 1)[0] + f"/runbot_workers_{os.getpid()}"
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
            self.connect = lambda: psycopg.connect(self.url)
            self.env = base | {"DATABASE_URL": self.url}
        else:
            self.url = None
            path = tmp_path / "bot.sqlite3"
            self.connect = lambda: sqlite3.connect(path)
            self.env = base | {"SQLITE_PATH": str(path), "DATABASE_URL": "", "DB_HOST": ""}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=self.env,
            check=True,
            timeout=180,
        )

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


def children(pid: int) -> list[int]:
    """Child processes of `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


class Bot:
    """`manage.py runbot --workers 2` against the fake API."""

    def __init__(self, fake: FakeBotApi, env: dict):
        self.fake = fake
        self.env = env | {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> subprocess.Popen:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runbot", "--workers", "2"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
        )
        return self.process

    async def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            assert time.monotonic() < deadline, "runbot did not exit"
            await self.fake.release_polls()
            await asyncio.sleep(0.05)
        return self.process.returncode

    async def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return await self.wait(60)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            for child in children(self.process.pid):
                os.kill(child, signal.SIGKILL)
            self.process.kill()
            self.process.wait(10)


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


async def say(fake, user, text, timeout=60) -> str:
    mark = fake.cursor(user.id)
    fake.send_text(user, text)
    return (await fake.wait_for_activity(user.id, mark, timeout=timeout))[0].text


async def burst(fake, user, messages, answers: int, timeout=60) -> list[str]:
    """Send every message at once (no waiting in between); the bot's first `answers` texts."""
    mark = fake.cursor(user.id)
    for text in messages:
        fake.send_text(user, text)
    seen = []
    deadline = time.monotonic() + timeout
    while len(seen) < answers:
        left = deadline - time.monotonic()
        assert left > 0, f"only {len(seen)} answers: {seen}"
        activity = await fake.wait_for_activity(user.id, mark, timeout=left)
        seen.extend(item.text for item in activity)
        mark = fake.cursor(user.id)
    return seen[:answers]


def test_two_users_dialogs_in_parallel_each_in_order(database):
    """Two people on different workers, each firing a whole dialog at once: every answer
    comes in the dialog's order, both events are created, once each."""

    async def scenario(fake, bot):
        bot.start()
        ann, bob = fake.user(7001, "Ann", "ann"), fake.user(7002, "Bob", "bob")  # 7001 % 2 = 1
        for user in (ann, bob):
            assert "зарегистрированы" in await say(fake, user, "/register")
        assert len(children(bot.process.pid)) == 2

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
        assert "зарегистрированы" in await say(fake, kim, "/register")
        await say(fake, kim, "/create_event")
        assert "Дата" in await say(fake, kim, "Concert")
        assert await bot.stop() == 0
        bot.start()
        assert "Время" in await say(fake, kim, "2031-05-01")
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
        assert await bot.wait(60) == 0
        bot.start()
        fake.send_text(kim, "/display_events")
        done = await fake.wait_for_activity(kim.id, mark, count=2, timeout=60)
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
        assert "зарегистрированы" in await say(fake, lee, "/register")
        workers = children(bot.process.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)
        assert await bot.wait(60) != 0
        # The other worker is not left behind.
        deadline = time.monotonic() + 30
        while Path(f"/proc/{workers[1]}").exists() and "Z" not in _state(workers[1]):
            assert time.monotonic() < deadline, "the other worker is still running"
            await asyncio.sleep(0.05)

    run(scenario, database)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
