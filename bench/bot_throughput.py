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
import contextlib
import datetime as dt
import logging
import os
import random
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

from calendarapp.bot.runtime import (  # noqa: E402
    eventloop,
    orm,
)
from calendarapp.devtools.procfs import child_pids, process_cpu  # noqa: E402
from calendarapp.devtools.session import BotSession  # noqa: E402
from calendarapp.models import Event, TgUser  # noqa: E402
from calendarapp.services.users import TelegramProfile, register_user  # noqa: E402

BASE_ID = 900_000_000


def bot_cpu(pid: int) -> float:
    """CPU seconds of the bot: the runbot process and its workers, if any."""
    total = process_cpu(pid)
    for child in child_pids(pid):
        with contextlib.suppress(FileNotFoundError):  # a worker that just exited
            total += process_cpu(child)
    return total


def database_cpu() -> dict[int, float] | None:
    """CPU seconds so far of each PostgreSQL backend serving this database (None: not local)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    usage = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if not comm.read().startswith("postgres"):
                    return None  # the server runs elsewhere
            usage[pid] = process_cpu(pid)
        except FileNotFoundError:
            if not Path("/proc/self").exists():
                return None
    return usage


def database_cpu_since(before: dict | None, after: dict | None) -> float | None:
    if before is None or after is None:
        return None
    # A backend born during the run (a new pooled connection) started from zero.
    return sum(spent - before.get(pid, 0.0) for pid, spent in after.items())


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


async def user_loop(
    session, user, deadline, latencies, date_text, interval=None, arrivals="poisson"
) -> int:
    """One user's workload. `interval`: mean seconds between the user's messages (paced
    mode); `arrivals`: "poisson" (random gaps, as independent people write) or "fixed"."""
    updates = 0
    event_id = None
    loop = asyncio.get_running_loop()
    next_at = loop.time() + (random.random() * interval if interval else 0)
    end_at = loop.time() + (deadline - time.perf_counter())

    def gap() -> float:
        return random.expovariate(1 / interval) if arrivals == "poisson" else interval

    async def paced(text):
        nonlocal next_at
        if interval:
            if arrivals == "fixed":
                # Never catch up in a burst after a slow answer: the debt is dropped.
                next_at = max(next_at, loop.time())
            # Poisson: a gap shorter than the answer took is made up by later ones (a user
            # who is behind sends right after each answer), so the offered rate holds.
            if next_at >= end_at:
                raise _TimeUp  # stop on time, not at the end of a round (rounds vary)
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            next_at += gap()
        return await step(session, user, text, latencies)

    try:
        while time.perf_counter() < deadline:
            for text in ("/create_event", f"Bench event {updates}", date_text, "10:30", "-"):
                answer = await paced(text)
            event_id = int(answer.split("#", 1)[1].split(":", 1)[0])
            await paced("/display_events")
            await paced(f"/read_event {event_id}")
            updates += 7
    except _TimeUp:
        pass
    return updates


class _TimeUp(Exception):
    pass


def _install(counter):
    connection.execute_wrappers.append(counter)  # where the bot's queries run


def _uninstall(counter):
    connection.execute_wrappers.remove(counter)


async def count_queries(session, user, text) -> int:
    """Queries of one command, run in-process so the bot's ORM thread can be watched."""
    counter = QueryCounter()
    await orm.on_each_connection(lambda: _install(counter))
    try:
        await step(session, user, text, [])
        await asyncio.sleep(0.05)  # let the after-update persistence write (if any) finish
    finally:
        await orm.on_each_connection(lambda: _uninstall(counter))
    return counter.count


class BotProcess:
    """`manage.py runbot` polling this script's fake Bot API."""

    def __init__(self, fake, rate_limiter: bool, workers: int = 1):
        self.fake, self.rate_limiter, self.workers = fake, rate_limiter, workers

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
            sys.executable, "manage.py", "runbot", "--workers", str(self.workers), cwd=root, env=env
        )
        # One probe per worker (users are routed by id % workers): all of them are up.
        for n in range(1, self.workers + 1):
            probe = self.fake.user(BASE_ID - n, "Probe")
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
    bot = BotProcess(session.fake, args.rate_limiter, args.workers)
    await bot.start()
    date_text = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    label = f", {args.workers} workers" if args.workers > 1 else ""
    label += f", paced {args.rate:g}/s" if args.rate else ""
    mode = (
        f"paced at {args.rate:g} updates/s ({args.arrivals} arrivals)"
        if args.rate
        else "as fast as answered"
    )
    print(
        f"database: {connection.vendor}, bot: manage.py runbot --workers {args.workers} "
        f"(pid {bot.process.pid}), "
        f"{args.seconds}s per level, users send {mode}",
        flush=True,
    )
    print(
        f"{'users':>5} {'updates':>8} {'updates/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
        f" {'bot CPU ms/upd':>15} {'db CPU ms/upd':>14} {'bench CPU ms/upd':>17}"
        f" {'polls/upd':>10}" + (f" {'of it front ms':>16}" if args.workers > 1 else "")
    )
    try:
        for level in args.levels:
            users = [session.user(BASE_ID + n, "Bench", f"bench{n}") for n in range(level)]
            interval = level / args.rate if args.rate else None
            latencies: list[float] = []
            cpu, bench_cpu = bot_cpu(bot.process.pid), time.process_time()
            front_cpu = process_cpu(bot.process.pid)
            polls = session.fake.calls["getUpdates"]
            db_cpu = await sync_to_async(database_cpu)()
            started = time.perf_counter()
            deadline = started + args.seconds
            await asyncio.gather(
                *(
                    user_loop(session, u, deadline, latencies, date_text, interval, args.arrivals)
                    for u in users
                )
            )
            elapsed = time.perf_counter() - started
            cpu = bot_cpu(bot.process.pid) - cpu
            front_cpu = process_cpu(bot.process.pid) - front_cpu
            bench_cpu = time.process_time() - bench_cpu
            polls = session.fake.calls["getUpdates"] - polls
            db_cpu = database_cpu_since(db_cpu, await sync_to_async(database_cpu)())
            total = len(latencies)  # every answered update, unfinished rounds included
            db_column = "n/a" if db_cpu is None else f"{db_cpu / total * 1000:.2f}"
            quantiles = statistics.quantiles(latencies, n=100)
            print(
                f"{level:>5} {total:>8} {total / elapsed:>10.0f} {quantiles[49] * 1000:>8.1f} "
                f"{quantiles[94] * 1000:>8.1f} {max(latencies) * 1000:>8.1f}"
                f" {cpu / total * 1000:>15.2f} {db_column:>14}"
                f" {bench_cpu / total * 1000:>17.2f} {polls / total:>10.2f}"
                + (f" {front_cpu / total * 1000:>16.2f}" if args.workers > 1 else "")
            )
            record("bot throughput", f"{level} users{label}: updates/s", round(total / elapsed))
            record(
                "bot throughput",
                f"{level} users{label}: p50 / p95",
                f"{quantiles[49] * 1000:.0f} / {quantiles[94] * 1000:.0f}",
                "ms",
            )
        await bot.stop()
        await session.start_bot()
        user = session.user(BASE_ID, "Bench", "bench0")
        event = await Event.objects.filter(owner_id=BASE_ID).afirst()
        # A paced run stops on time, maybe in the middle of this user's dialog: leave it
        # first, or /help would count the end of that dialog too.
        await step(session, user, "/cancel", [])
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
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="bot processes: runbot --workers N (a polling front and N workers when N > 1)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="paced mode: the users together send this many updates/s (each waits its turn "
        "and for the answer); default 0: each user sends again as soon as answered",
    )
    parser.add_argument(
        "--arrivals",
        choices=["poisson", "fixed"],
        default="poisson",
        help="paced mode: each user's gaps are random (poisson, the default: independent "
        "people) or all equal (fixed: users who were slowed down together stay in step and "
        "then send in bursts)",
    )
    logging.getLogger("telegram").setLevel(logging.WARNING)
    # The fake Telegram and the users run on the same event loop as the bot (uvloop where
    # installed): this process shares the machine's cores with the bot it measures.
    with asyncio.Runner(loop_factory=eventloop.new_loop) as runner:
        runner.run(main(parser.parse_args()))
