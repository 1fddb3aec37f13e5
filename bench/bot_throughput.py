#!/usr/bin/env python
"""Bot throughput: 1, 10 and 50 simulated users over the fake Bot API.

The bot runs as its own process (`manage.py runbot`, as in production) against the fake
Bot API hosted by this script, which also plays the users. Each user loops through a mixed
workload: the full /create_event dialog (5 updates), /display_events and /read_event <id>.
Latency is measured from injecting an update into the fake Bot API until the bot's answer
reaches it (long polling + handler + database + HTTP). Also prints the database queries of
simple commands (counted on an in-process bot).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/calendar_bot \
        .venv/bin/python bench/bot_throughput.py

The database named by DATABASE_URL is migrated and gets bench users (ids 900000000+, removed
at the end). Telegram's own flood limit (about 30 messages/s per bot) is switched off here,
because it would measure Telegram, not the bot; pass --rate-limiter to keep it.
"""

import argparse
import asyncio
import datetime as dt
import logging
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from _common import record  # noqa: E402
from asgiref.sync import sync_to_async  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from calendarapp.bot import orm  # noqa: E402
from calendarapp.devtools.session import BotSession  # noqa: E402
from calendarapp.models import Event, TgUser  # noqa: E402
from calendarapp.services.users import TelegramProfile, register_user  # noqa: E402

BASE_ID = 900_000_000


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def prepare(users: int) -> None:
    call_command("migrate", verbosity=0, interactive=False)
    Event.objects.filter(owner_id__gte=BASE_ID).delete()
    for n in range(users):
        register_user(TelegramProfile(tg_id=BASE_ID + n, username=f"bench{n}", first_name="Bench"))


async def step(session, user, text, latencies) -> str:
    fake = session.fake
    mark = fake.cursor(user.id)
    started = time.perf_counter()
    fake.send_text(user, text)
    answer = (await fake.wait_for_activity(user.id, mark, timeout=30))[0]
    latencies.append(time.perf_counter() - started)
    return answer.text


async def user_loop(session, user, deadline, latencies, date_text) -> int:
    updates = 0
    event_id = None
    while time.perf_counter() < deadline:
        for text in ("/create_event", f"Bench event {updates}", date_text, "10:30", "-"):
            answer = await step(session, user, text, latencies)
        event_id = int(answer.split("#", 1)[1].split(":", 1)[0])
        await step(session, user, "/display_events", latencies)
        await step(session, user, f"/read_event {event_id}", latencies)
        updates += 7
    return updates


def _install(counter):
    connection.execute_wrappers.append(counter)  # on the bot's ORM thread


def _uninstall(counter):
    connection.execute_wrappers.remove(counter)


async def count_queries(session, user, text) -> int:
    """Queries of one command, run in-process so the bot's ORM thread can be watched."""
    counter = QueryCounter()
    await asyncio.to_thread(orm.on_each_thread, lambda: _install(counter))
    try:
        await step(session, user, text, [])
        await asyncio.sleep(0.05)  # let the after-update persistence write (if any) finish
    finally:
        await asyncio.to_thread(orm.on_each_thread, lambda: _uninstall(counter))
    return counter.count


class BotProcess:
    """`manage.py runbot` polling this script's fake Bot API."""

    def __init__(self, fake, rate_limiter: bool):
        self.fake, self.rate_limiter = fake, rate_limiter

    async def start(self):
        env = os.environ | {
            "TELEGRAM_BOT_TOKEN": self.fake.token,
            "TELEGRAM_API_BASE_URL": self.fake.base_url,
            "LOG_LEVEL": "WARNING",
            # As in production: DEBUG off (no query log kept in memory).
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        }
        if not self.rate_limiter:
            env["TELEGRAM_OVERALL_MAX_RATE"] = "0"
        root = Path(__file__).resolve().parents[1]
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "manage.py", "runbot", cwd=root, env=env
        )
        probe = self.fake.user(BASE_ID - 1, "Probe")
        mark = self.fake.cursor(probe.id)
        self.fake.send_text(probe, "/help")
        await self.fake.wait_for_activity(probe.id, mark, timeout=60)

    async def stop(self):
        self.process.terminate()
        await self.fake.release_polls()
        await self.process.wait()


async def main(args) -> None:
    await sync_to_async(prepare)(max(args.levels))
    options = {} if args.rate_limiter else {"rate_limiter": False}
    # The in-process bot only serves the query count at the end; the load goes to runbot.
    session = BotSession(**options)
    await session.fake.start()
    bot = BotProcess(session.fake, args.rate_limiter)
    await bot.start()
    date_text = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    print(f"database: {connection.vendor}, bot: manage.py runbot, {args.seconds}s per level")
    print(
        f"{'users':>5} {'updates':>8} {'updates/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    )
    try:
        for level in args.levels:
            users = [session.user(BASE_ID + n, "Bench", f"bench{n}") for n in range(level)]
            latencies: list[float] = []
            started = time.perf_counter()
            deadline = started + args.seconds
            counts = await asyncio.gather(
                *(user_loop(session, u, deadline, latencies, date_text) for u in users)
            )
            elapsed = time.perf_counter() - started
            total = sum(counts)
            quantiles = statistics.quantiles(latencies, n=100)
            print(
                f"{level:>5} {total:>8} {total / elapsed:>10.0f} {quantiles[49] * 1000:>8.1f} "
                f"{quantiles[94] * 1000:>8.1f} {max(latencies) * 1000:>8.1f}"
            )
            record("bot throughput", f"{level} users: updates/s", round(total / elapsed))
            record(
                "bot throughput",
                f"{level} users: p50 / p95",
                f"{quantiles[49] * 1000:.0f} / {quantiles[94] * 1000:.0f}",
                "ms",
            )
        await bot.stop()
        await session.start_bot()
        user = session.user(BASE_ID, "Bench", "bench0")
        event = await Event.objects.filter(owner_id=BASE_ID).afirst()
        for text in ("/help", "/display_events", f"/read_event {event.pk}", "/export"):
            queries = await count_queries(session, user, text)
            print(f"queries for {text.split()[0]}: {queries}")
            record("bot throughput", f"queries for {text.split()[0]}", queries)
    finally:
        if bot.process.returncode is None:
            await bot.stop()
        await session.close()
        await sync_to_async(Event.objects.filter(owner_id__gte=BASE_ID).delete)()
        await sync_to_async(TgUser.objects.filter(tg_id__gte=BASE_ID).delete)()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rate-limiter", action="store_true")
    logging.getLogger("telegram").setLevel(logging.WARNING)
    asyncio.run(main(parser.parse_args()))
