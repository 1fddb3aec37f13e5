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
import random
import secrets
import statistics
import subprocess
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
from profile_steps import (  # noqa: E402
    SPY,
    ms_per_update,
    print_table,
    samples_per_step,
    start_profiler,
)

from calendarapp.bot.runtime import (  # noqa: E402
    eventloop,
    orm,
)
from calendarapp.devtools.procfs import process_cpu, tree_cpu  # noqa: E402
from calendarapp.devtools.session import BotSession  # noqa: E402
from calendarapp.models import Event, ProcessedUpdate, TgUser  # noqa: E402
from calendarapp.services.users import TelegramProfile, register_user  # noqa: E402

BASE_ID = 900_000_000


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
    # The fake Bot API numbers updates from 1 in each run: the last run's ids would make
    # this run's updates look like redeliveries.
    ProcessedUpdate.objects.all().delete()
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
            # The echo bot answers with the text itself: no event, a made-up id.
            event_id = int(answer.split("#", 1)[1].split(":", 1)[0]) if "#" in answer else 1
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
    """A bot process polling this script's fake Bot API: `manage.py runbot` (of this tree,
    or of `root`: another checkout, for a same-run A/B), or one of the bench's own bots
    (`script`): the echo bot (bench/echo_bot.py, the ceiling) or the bare bot
    (bench/bare_bot.py, the workload's statements alone)."""

    def __init__(
        self,
        fake,
        rate_limiter: bool,
        workers: int = 1,
        *,
        script=None,
        root=None,
        database=None,
        env=None,
    ):
        self.fake, self.rate_limiter, self.workers = fake, rate_limiter, workers
        self.script, self.database, self.extra_env = script, database, env or {}
        self.echo = script == "echo_bot.py"
        self.root = Path(root) if root else Path(__file__).resolve().parents[1]
        self.process = None

    async def start(self):
        env = os.environ | {
            "TELEGRAM_BOT_TOKEN": self.fake.token,
            "TELEGRAM_API_BASE_URL": self.fake.base_url,
            "LOG_LEVEL": "WARNING",
            # As in production: DEBUG off (no query log kept in memory).
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        }
        if self.database:
            env["DATABASE_URL"] = self.database
        env.update(self.extra_env)
        if not self.rate_limiter:
            env["TELEGRAM_OVERALL_MAX_RATE"] = "0"
        if self.script:
            command = [str(Path(__file__).resolve().parent / self.script)]
        else:
            command = ["manage.py", "runbot", "--workers", str(self.workers)]
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, *command, cwd=self.root, env=env
        )
        try:
            # One probe per worker (users are routed by id % workers): all of them are up.
            for n in range(1, (1 if self.script else self.workers) + 1):
                probe = self.fake.user(BASE_ID - n, "Probe")
                mark = self.fake.cursor(probe.id)
                self.fake.send_text(probe, "/help")
                await self.fake.wait_for_activity(probe.id, mark, timeout=60)
        except BaseException:
            await self.stop()
            raise

    async def stop(self):
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        await self.fake.release_polls()
        await self.process.wait()


def prepare_other(root: str, database: str, users: int) -> None:
    """The B side of an A/B on its own database, migrated and filled by its own code (its
    schema may be older than this tree's)."""
    script = (
        "from django.core.management import call_command\n"
        "from calendarapp.services.users import TelegramProfile, register_user\n"
        "from calendarapp import models\n"
        "call_command('migrate', verbosity=0, interactive=False)\n"
        f"models.Event.objects.filter(owner_id__gte={BASE_ID}).delete()\n"
        "if hasattr(models, 'ProcessedUpdate'):\n"
        "    models.ProcessedUpdate.objects.all().delete()\n"
        f"for n in range({users}):\n"
        f"    register_user(TelegramProfile(tg_id={BASE_ID} + n, username=f'bench{{n}}',"
        " first_name='Bench'))\n"
    )
    env = os.environ | {"DATABASE_URL": database, "DJANGO_DEBUG": "0", "LOG_LEVEL": "WARNING"}
    env.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], cwd=root, env=env, check=True
    )


COLUMNS = (
    f"{'bot':<12} {'users':>5} {'updates':>8} {'updates/s':>10} {'p50 ms':>8} {'p95 ms':>8}"
    f" {'max ms':>8} {'bot CPU ms/upd':>15} {'db CPU ms/upd':>14} {'bench CPU ms/upd':>17}"
    f" {'polls/upd':>10}"
)


PROFILE_RATE = 200  # py-spy samples per second


async def measure(session, bot, level, args, date_text, profile=None) -> dict:
    """One level against the running `bot`: every user loops for args.seconds. `profile`:
    a path for py-spy's stacks of the bot over the same seconds (`steps` in the figures)."""
    users = [session.user(BASE_ID + n, "Bench", f"bench{n}") for n in range(level)]
    # Out of any dialog the last round (maybe of another bot) left half-way: not counted.
    await asyncio.gather(*(step(session, u, "/cancel", []) for u in users))
    interval = level / args.rate if args.rate else None
    latencies: list[float] = []
    cpu, bench_cpu = tree_cpu(bot.process.pid), time.process_time()
    polls = session.fake.calls["getUpdates"]
    db_cpu = await sync_to_async(database_cpu)()
    spy = profile and await start_profiler(
        bot.process.pid, profile, args.seconds, rate=PROFILE_RATE
    )
    started = time.perf_counter()
    deadline = started + args.seconds
    await asyncio.gather(
        *(
            user_loop(session, u, deadline, latencies, date_text, interval, args.arrivals)
            for u in users
        )
    )
    elapsed = time.perf_counter() - started
    total = len(latencies)  # every answered update, unfinished rounds included
    steps = None
    if spy and await spy.wait():
        print(f"py-spy failed on {bot.process.pid} (exit {spy.returncode}): no profile", flush=True)
    elif spy:
        # py-spy samples whole seconds from when it attaches: its updates are the rate's.
        sampled = total / elapsed * max(1, int(args.seconds))
        steps = ms_per_update(samples_per_step(profile), updates=round(sampled), rate=PROFILE_RATE)
    db_cpu = database_cpu_since(db_cpu, await sync_to_async(database_cpu)())
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "updates": total,
        "rate": total / elapsed,
        "p50": quantiles[49] * 1000,
        "p95": quantiles[94] * 1000,
        "max": max(latencies) * 1000,
        "cpu": (tree_cpu(bot.process.pid) - cpu) / total * 1000,
        # The echo bot has no database; the other bot's database is not this one.
        "db": None if db_cpu is None or bot.echo or bot.database else db_cpu / total * 1000,
        "bench": (time.process_time() - bench_cpu) / total * 1000,
        "polls": (session.fake.calls["getUpdates"] - polls) / total,
        "steps": steps,
    }


def print_row(name: str, level: int, f: dict) -> None:
    db = "n/a" if f["db"] is None else f"{f['db']:.2f}"
    print(
        f"{name:<12} {level:>5} {f['updates']:>8} {f['rate']:>10.0f} {f['p50']:>8.1f}"
        f" {f['p95']:>8.1f} {f['max']:>8.1f} {f['cpu']:>15.2f} {db:>14}"
        f" {f['bench']:>17.2f} {f['polls']:>10.2f}",
        flush=True,
    )


def ratio(ours: dict, theirs: dict) -> dict:
    return {key: ours[key] / theirs[key] if theirs[key] else 0.0 for key in RATIO_KEYS}


RATIO_KEYS = ("rate", "p50", "p95", "cpu")


def print_ratio(name: str, level: int, r: dict) -> None:
    print(
        f"{name:<12} {level:>5} {'':>8} {r['rate']:>9.2f}x {r['p50']:>7.2f}x {r['p95']:>7.2f}x"
        f" {'':>8} {r['cpu']:>14.2f}x",
        flush=True,
    )


def median_ratio(ratios: list[dict]) -> dict:
    return {key: statistics.median(r[key] for r in ratios) for key in RATIO_KEYS}


def print_profiles(figures: dict, sides: list, level: int) -> None:
    """Per step, each side's milliseconds per update (the median of its rounds) and ours as
    a ratio of the second side's."""
    columns = {}
    for name, _options in sides:
        rounds = [f["steps"] for f in figures[(name, level)] if f["steps"]]
        if rounds:
            columns[name] = {s: statistics.median(r[s] for r in rounds) for s in rounds[0]}
    print(f"where the time goes at {level} users, ms per update (py-spy, median of the rounds):")
    pair = tuple(name for name, _options in sides[:2])
    shown = len(pair) == 2 and all(name in columns for name in pair)
    print_table(columns, ratios=pair if shown else None)


async def main(args) -> None:
    await sync_to_async(prepare)(max(args.levels))
    if args.vs_root:
        prepare_other(args.vs_root, args.vs_database_url, max(args.levels))
    options = {} if args.rate_limiter else {"rate_limiter": False}
    # The in-process bot only serves the query count at the end; the load goes to runbot.
    session = BotSession(**options)
    await session.fake.start()
    sides = [("ours", {"workers": args.workers})]
    if args.vs_root or args.vs_env:
        sides.append(("B", {"root": args.vs_root, "database": args.vs_database_url}))
        sides[-1][1]["workers"] = args.workers
        sides[-1][1]["env"] = dict(pair.split("=", 1) for pair in args.vs_env)
    if args.floor:
        sides.append(("bare", {"script": "bare_bot.py"}))
    if not args.no_ceiling:
        sides.append(("echo", {"script": "echo_bot.py"}))
    date_text = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    label = f", {args.workers} workers" if args.workers > 1 else ""
    label += f", paced {args.rate:g}/s" if args.rate else ""
    mode = (
        f"paced at {args.rate:g} updates/s ({args.arrivals} arrivals)"
        if args.rate
        else "as fast as answered"
    )
    print(
        f"database: {connection.vendor}, ours: manage.py runbot --workers {args.workers}"
        + (
            f", B: runbot of {args.vs_root or 'this checkout'}"
            if len(sides) > 1 and sides[1][0] == "B"
            else ""
        )
        + (f" with {' '.join(args.vs_env)}" if args.vs_env else "")
        + (", bare: bench/bare_bot.py (the statements alone)" if args.floor else "")
        + ("" if args.no_ceiling else ", echo: bench/echo_bot.py (the ceiling)")
        + f"; {args.seconds}s per level, {args.rounds} round(s) of each bot in turn,"
        f" users send {mode}",
        flush=True,
    )
    print(COLUMNS)
    figures: dict = {}  # (side, level) -> [figures of each round]
    try:
        if args.profile:
            os.makedirs(args.profile, exist_ok=True)
        for round_ in range(1, args.rounds + 1):
            for name, options in sides:
                bot = BotProcess(session.fake, args.rate_limiter, **options)
                await bot.start()
                try:
                    for level in args.levels:
                        profile = args.profile and level == max(args.levels)
                        profile = profile and os.path.join(args.profile, f"{name}-{round_}.raw")
                        f = await measure(session, bot, level, args, date_text, profile)
                        figures.setdefault((name, level), []).append(f)
                        print_row(name, level, f)
                finally:
                    await bot.stop()
        if args.profile:
            print_profiles(figures, sides, max(args.levels))
        print("ratios, the median of the rounds' pairs (each pair from the same round):")
        for level in args.levels:
            ours = figures[("ours", level)]
            for name, _options in sides[1:]:
                pairs = [ratio(a, b) for a, b in zip(ours, figures[(name, level)], strict=True)]
                print_ratio(f"ours/{name}", level, median_ratio(pairs))
            best = {key: statistics.median(f[key] for f in ours) for key in ("rate", "p50", "p95")}
            record("bot throughput", f"{level} users{label}: updates/s", round(best["rate"]))
            record(
                "bot throughput",
                f"{level} users{label}: p50 / p95",
                f"{best['p50']:.0f} / {best['p95']:.0f}",
                "ms",
            )
            for name, shown in (("bare", args.floor), ("echo", not args.no_ceiling)):
                if shown:
                    pairs = zip(ours, figures[(name, level)], strict=True)
                    r = median_ratio([ratio(a, b) for a, b in pairs])
                    record(
                        "bot throughput",
                        f"{level} users{label}: of the {name} bot",
                        f"{r['rate']:.2f}",
                        "x",
                    )
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
        await session.close()
        await sync_to_async(Event.objects.filter(owner_id__gte=BASE_ID).delete)()
        await sync_to_async(TgUser.objects.filter(tg_id__gte=BASE_ID).delete)()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rate-limiter", action="store_true")
    parser.add_argument(
        "--no-ceiling", action="store_true", help="skip the echo bot (the ceiling row)"
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also run the bare bot (bench/bare_bot.py): the workload's statements with"
        " nothing around them",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="py-spy each bot at the highest level (raw stacks in DIR) and print where its"
        " time goes per step (bench/profile_steps.py), ours against the other bots",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run each bot this many times in turn (A B A B...): ratios are taken per round",
    )
    parser.add_argument(
        "--vs-root",
        help="B of a same-run A/B: another checkout whose runbot runs in turn with ours "
        "(with --vs-database-url, its own database: its schema may differ)",
    )
    parser.add_argument("--vs-database-url", help="the database of --vs-root's bot")
    parser.add_argument(
        "--vs-env",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        help="B's runbot gets these in its environment (alone: B is this checkout with them, "
        "e.g. BOT_DB_THREADS=4)",
    )
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
    options = parser.parse_args()
    if options.profile and not SPY.exists():
        parser.error("--profile needs py-spy in this environment: .venv/bin/pip install py-spy")
    logging.getLogger("telegram").setLevel(logging.WARNING)
    # The fake Telegram and the users run on the same event loop as the bot (uvloop where
    # installed): this process shares the machine's cores with the bot it measures.
    with asyncio.Runner(loop_factory=eventloop.new_loop) as runner:
        runner.run(main(options))
