#!/usr/bin/env python
"""Webhook replicas: 50 people at 300 updates/s through nginx to 1, 2 and 3 `runbot`s.

The fake Bot API hosted here plays Telegram (posting each update until a 2xx, one person's
updates in order) and the people (each runs /register and the /create_event dialog several
times, sent at a fixed overall rate, not waiting for answers). Debian's nginx balances the
webhook path over the replicas, each a real `manage.py runbot` process on one PostgreSQL.
Prints, per replica count: updates/s answered, p50/p95 from sending an update to its
answer, the replicas' CPU per update, and checks every person's answers came in order and
once. `--kill` SIGKILLs one replica a third of the way through and starts it again.

Then the coordination alone (bot/runtime/once.py), in this process: a replica's update
transaction, its per-person advisory lock and ProcessedUpdate row, and the fresh read of
the dialog state, around an empty handler (and polling's: the ProcessedUpdate row alone);
CPU per update of this process plus of its PostgreSQL backend (read from /proc: the
server runs on this machine). Beside them, the floor: the replica's statements sent from a
bare libpq loop, which any code that commits a claim per update pays on this host.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/calendar \\
        .venv/bin/python bench/replicas.py [--replicas 1 2 3] [--rate 300] [--dialogs 4]

`--coordination-only` measures the coordination alone; with `--vs-root OTHER_CHECKOUT` it
does so in fresh processes, this checkout's code and the other's in turn (A B A B ...,
`--rounds` pairs), and prints each pair with its ratio A/B.
"""

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import bench_database, drop_database, record

CODE_ROOT_FLAG = "--code-root"
if CODE_ROOT_FLAG in sys.argv:  # measure another checkout's code (see --vs-root)
    sys.path.insert(0, sys.argv[sys.argv.index(CODE_ROOT_FLAG) + 1])

BENCH_URL = bench_database("replicas")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from calendarapp.devtools.fake_bot_api import FakeBotApi  # noqa: E402
from calendarapp.devtools.replica_fleet import Nginx, Replica, replica_env  # noqa: E402
from calendarapp.devtools.replica_load import Load, event_dialog  # noqa: E402


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    return env | {
        "DATABASE_URL": BENCH_URL,
        "TELEGRAM_OVERALL_MAX_RATE": "0",  # the bot is measured, not Telegram's pacing
        "LOG_LEVEL": "INFO",  # the replicas say when they serve (replica_fleet waits for it)
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run_level(count: int, *, people: int, dialogs: int, rate: float, kill: bool) -> dict:
    import psycopg

    with psycopg.connect(BENCH_URL, autocommit=True) as conn:  # each level starts empty
        conn.execute(
            "TRUNCATE calendarapp_event, calendarapp_tguser, calendarapp_conversationstate, "
            "calendarapp_botdataentry, calendarapp_processedupdate, "
            "calendarapp_outboxmessage CASCADE"
        )
    workdir = Path(tempfile.mkdtemp(prefix=f"replicas-{count}-"))
    fake = await FakeBotApi().start()
    replicas = [Replica(n, replica_env(child_env(), fake), workdir) for n in range(count)]
    nginx = Nginx(workdir, [r.port for r in replicas])
    starts = dt.datetime.now() + dt.timedelta(days=30)
    scripts = {}
    for person in range(people):
        steps = []
        for round_ in range(dialogs):
            steps += event_dialog(f"E{person}-{round_}", starts, register=round_ == 0)
        scripts[910_000_000 + person] = steps
    load = Load(fake, scripts, rate=rate)
    restarts = []

    async def kill_one(sent: int) -> None:
        if kill and count > 1 and sent == load.total // 3:
            replicas[-1].kill()
            replicas[-1].start()
            restarts.append(asyncio.create_task(asyncio.to_thread(replicas[-1].wait_ready)))

    try:
        for replica in replicas:
            replica.start()
        await asyncio.gather(*(asyncio.to_thread(r.wait_ready) for r in replicas))
        nginx.start()
        fake.route_webhooks_to(nginx.origin)
        cpu_before = sum(r.cpu_seconds() for r in replicas)
        began = time.monotonic()
        await load.send_all(after_each=kill_one)
        await load.wait_settled(timeout=300)
        elapsed = time.monotonic() - began
        await asyncio.gather(*restarts)
        cpu = sum(r.cpu_seconds() for r in replicas) - cpu_before  # a restarted one: its new life
        await asyncio.sleep(0.5)
        wrong = load.out_of_script()
        latencies = load.latencies()
        return {
            "replicas": count,
            "updates": load.total,
            "updates_per_s": load.total / elapsed,
            "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * percentile(latencies, 0.95),
            "cpu_ms_per_update": 1000 * cpu / load.total,
            "out_of_order_or_twice": sum(len(v) for v in wrong.values()),
            "lost": len(fake.undelivered),
            "answers_lost": load.missing(),
            "redeliveries": fake.redeliveries,
        }
    finally:
        nginx.stop()
        for replica in replicas:
            replica.stop()
        await fake.stop()


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def coordination(iterations: int) -> dict:
    """CPU of once.handling() around an empty handler, per update: this process + its
    PostgreSQL backend. Against the same loop without it (the floor: making the Update)."""
    from django.db import connection
    from psycopg import pq
    from telegram import Update

    from calendarapp.bot.application import build_application
    from calendarapp.bot.runtime import claims, orm
    from calendarapp.bot.runtime.once import handling, person_key

    application = build_application("123456:BENCH", "http://127.0.0.1:9/bot")
    application.read_fresh_state()
    # What initialize() would load (it needs the Bot API): every dialog, none open.
    from telegram.ext import ConversationHandler
    from telegram.ext._utils.trackingdict import TrackingDict

    application._conversation_handler_conversations.update(
        {
            handler.name: TrackingDict()
            for handlers in application.handlers.values()
            for handler in handlers
            if isinstance(handler, ConversationHandler)
        }
    )

    def backend_pid() -> int:
        connection.ensure_connection()
        # Kept for the whole run: a connection renewed mid-loop (CONN_MAX_AGE) would take
        # its backend's CPU figures with it.
        connection.close_at = None
        return connection.connection.info.backend_pid

    backend = await orm.db(backend_pid)()
    message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 920_000_001, "type": "private"},
        "from": {"id": 920_000_001, "is_bot": False, "first_name": "Bench"},
        "text": "hi",
    }

    async def loop(coordinated: bool, fresh: bool, first_id: int) -> float:
        start_cpu, start_backend = time.process_time(), backend_cpu(backend)
        for n in range(iterations):
            update = Update.de_json({"update_id": first_id + n, "message": message}, None)
            if coordinated:
                async with handling(application, update, fresh_state=fresh) as new:
                    assert new
        client = time.process_time() - start_cpu
        server = backend_cpu(backend) - start_backend
        return client / iterations, server / iterations

    def bare(first_id: int) -> tuple[float, float]:
        """The replica's statements alone, as its two round trips, from a plain loop on
        libpq: no Django, no asyncio, no python-telegram-bot. What any code sending them
        would pay on this host, the commit's WAL flush included."""
        raw = connection.connection
        read = claims.prepared_names(raw, tuple(application._conversation_handler_conversations))
        person = message["from"]["id"]
        key = person_key(person)
        pgconn = raw.pgconn
        start_cpu, start_backend = time.process_time(), backend_cpu(backend)
        for n in range(iterations):
            claim = claims.locked_claim_text(key, first_id + n, read, person)
            done = [pgconn.exec_(claim.encode()), pgconn.exec_(b"COMMIT")]
            if any(result.status == pq.ExecStatus.FATAL_ERROR for result in done):
                raise SystemExit(f"the bare loop's statements failed: {done}")
        return (
            (time.process_time() - start_cpu) / iterations,
            (backend_cpu(backend) - start_backend) / iterations,
        )

    await loop(True, True, 10_000_000)  # warm up
    floor = await loop(False, False, 0)
    polling = await loop(True, False, 20_000_000)
    replica = await loop(True, True, 30_000_000)
    libpq = await orm.db(bare)(40_000_000)
    await orm.close_connections()
    return {
        # The same statements from a bare libpq loop: the floor of a committed claim here.
        "libpq_ms": 1000 * sum(libpq),
        "libpq_bot_ms": 1000 * libpq[0],
        "libpq_db_ms": 1000 * libpq[1],
        # A replica's: the per-person lock, the id and the dialog state read fresh.
        "replica_ms": 1000 * (sum(replica) - sum(floor)),
        "replica_bot_ms": 1000 * (replica[0] - floor[0]),
        "replica_db_ms": 1000 * (replica[1] - floor[1]),
        # One process per person (polling): the id alone, with the update's last write.
        "polling_ms": 1000 * (sum(polling) - sum(floor)),
        "iterations": iterations,
    }


def coordination_line(coord: dict) -> str:
    return (
        f"coordination per update, CPU of the bot + its PostgreSQL backend "
        f"({coord['iterations']} updates): a replica's transaction with the per-person "
        f"lock, the update id and the dialog state read fresh {coord['replica_ms']:.3f} ms "
        f"(bot {coord['replica_bot_ms']:.3f}, PostgreSQL {coord['replica_db_ms']:.3f}); "
        f"polling (one process per person: the id alone) {coord['polling_ms']:.3f} ms; "
        f"the replica's statements from a bare libpq loop {coord['libpq_ms']:.3f} ms "
        f"(bot {coord['libpq_bot_ms']:.3f}, PostgreSQL {coord['libpq_db_ms']:.3f})"
    )


def coordination_pairs(other_root: str, *, rounds: int, iterations: int) -> None:
    """This checkout's coordination against `other_root`'s, each in a fresh process, in
    turn; both on this database server, one after the other."""

    def one(root: str | None) -> dict:
        command = [sys.executable, __file__, "--coordination-only", "--json"]
        command += ["--iterations", str(iterations)]
        if root is not None:
            command += [CODE_ROOT_FLAG, str(Path(root).resolve())]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    print(f"coordination CPU per update, ms: A = this checkout, B = {other_root}")
    print("round  A replica  B replica  A/B    A polling  B polling  A/B")
    ratios: dict[str, list[float]] = {"replica_ms": [], "polling_ms": []}
    for round_ in range(1, rounds + 1):
        a, b = one(None), one(other_root)
        if a["code"] == b["code"]:
            sys.exit(f"A and B both ran the code of {a['code']}")
        for key, values in ratios.items():
            values.append(a[key] / b[key])
        print(
            f"{round_:>5}  {a['replica_ms']:>9.3f}  {b['replica_ms']:>9.3f}  "
            f"{a['replica_ms'] / b['replica_ms']:.2f}   {a['polling_ms']:>9.3f}  "
            f"{b['polling_ms']:>9.3f}  {a['polling_ms'] / b['polling_ms']:.2f}",
            flush=True,
        )
    for key, values in ratios.items():
        print(
            f"{key}: A/B median {statistics.median(values):.2f} "
            f"(min {min(values):.2f}, max {max(values):.2f})"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--dialogs", type=int, default=4, help="events per person")
    parser.add_argument("--rate", type=float, default=300, help="updates per second sent")
    parser.add_argument("--kill", action="store_true", help="SIGKILL a replica mid-run")
    parser.add_argument("--iterations", type=int, default=3000)
    parser.add_argument(
        "--coordination-only", action="store_true", help="no fleet: the coordination alone"
    )
    parser.add_argument("--vs-root", help="another checkout: its coordination against this one's")
    parser.add_argument("--rounds", type=int, default=5, help="A/B pairs with --vs-root")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(CODE_ROOT_FLAG, help=argparse.SUPPRESS)
    args = parser.parse_args()
    try:
        if args.vs_root:
            coordination_pairs(args.vs_root, rounds=args.rounds, iterations=args.iterations)
            return 0
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        failed = False
        if not args.coordination_only:
            failed = fleet(args)
        coord = asyncio.run(coordination(args.iterations))
        if args.json:
            import calendarapp

            print(json.dumps(coord | {"code": str(Path(calendarapp.__file__).parents[1])}))
            return 0
        print(coordination_line(coord))
        record(
            "replicas",
            "coordination CPU (lock, id, fresh state)",
            round(coord["replica_ms"], 3),
            "ms",
            "< 0.3",
        )
        record("replicas", "coordination CPU, polling (id)", round(coord["polling_ms"], 3), "ms")
        record(
            "replicas",
            "the same statements from bare libpq (the floor)",
            round(coord["libpq_ms"], 3),
            "ms",
        )
        return 1 if failed else 0
    finally:
        drop_database(BENCH_URL)


def fleet(args) -> bool:
    """The replicas at each count; True if any update came out of order, twice or not."""
    print(
        f"{args.people} people, {args.dialogs} event dialogs each, sent at "
        f"{args.rate:g} updates/s through nginx"
        + (", one replica SIGKILLed a third of the way and restarted" if args.kill else "")
    )
    print(
        "replicas  updates  updates/s  p50 ms  p95 ms  CPU ms/update  wrong  lost  "
        "no answer  retries"
    )
    failed = False
    for count in args.replicas:
        row = asyncio.run(
            run_level(
                count, people=args.people, dialogs=args.dialogs, rate=args.rate, kill=args.kill
            )
        )
        print(
            f"{row['replicas']:>8}  {row['updates']:>7}  {row['updates_per_s']:>9.0f}  "
            f"{row['p50_ms']:>6.1f}  {row['p95_ms']:>6.1f}  {row['cpu_ms_per_update']:>13.2f}  "
            f"{row['out_of_order_or_twice']:>5}  {row['lost']:>4}  {row['answers_lost']:>9}  "
            f"{row['redeliveries']:>7}",
            flush=True,
        )
        name = f"{count} replica(s)"
        record("replicas", f"{name}: updates/s", round(row["updates_per_s"]), "1/s")
        record("replicas", f"{name}: p95", round(row["p95_ms"], 1), "ms", "< 100")
        failed |= bool(row["out_of_order_or_twice"] or row["lost"])
    return failed


if __name__ == "__main__":
    sys.exit(main())
