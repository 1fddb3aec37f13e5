#!/usr/bin/env python
"""`make bench`: run every benchmark under bench/ on PostgreSQL and print one table.

    make bench                          # short HTTP load (15 s)
    make bench BENCH_ARGS=--full        # the 60-second HTTP load run
    .venv/bin/python bench/run_all.py --only load_http reminder_dispatch

Uses DATABASE_URL if set, else postgres://postgres@127.0.0.1:5432/cal_bench (created if
missing). Each bench makes and drops its own database next to that one and runs as its
own process with a time limit, so a stuck bench cannot hold `make bench` up: it is killed
and reported as failed, and the others still run.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import (  # noqa: E402
    admin_sql,
    database_url,
    db_name,
    drop_database,
    fresh_database,
)

# name -> (arguments, time limit in seconds); a new bench is one more row.
BENCHES = {
    "bot_throughput": (["--levels", "1", "10", "50", "--seconds", "4"], 240),
    "bot_throughput_workers": (["--workers", "2", "--levels", "50", "--seconds", "4"], 180),
    # The target: 50 users sending 300 updates/s together, p95 < 100 ms.
    "bot_throughput_paced": (
        ["--workers", "2", "--levels", "50", "--rate", "300", "--seconds", "15"],
        180,
    ),
    "api_bench": (["--requests", "1000"], 300),
    "export_memory": (["--events", "100000"], 420),
    "reminder_dispatch": ([], 180),
    "load_http": (["--seconds", "15", "--clients", "50"], 180),
    "miniapp": (["--requests", "300"], 180),
    # Webhook replicas through nginx: 1, 2, 3 of them, one SIGKILLed mid-run (needs nginx).
    "replicas": (["--kill"], 420),
    # One card, 5,000 people pressing at 200/s: p95 of the press's answer < 100 ms.
    "rsvp": (["--people", "5000", "--rate", "200"], 180),
    # The same with the bot on both cores (`runbot --workers 2`): one process's GIL is about
    # full at 200/s here, two hold the target with room (docs/benchmarks.md).
    "rsvp_workers": (["--people", "5000", "--rate", "200", "--workers", "2"], 180),
    # 10,000 people, 30% series: /display_events p95 < 20 ms, a 1,000-event feed < 150 ms.
    "recurring": ([], 900),
    # The commonest reads (profile, event by id, list page): the ORM's way against compiled.
    "rows": ([], 300),
    # One hand-over to a database lane and back: orm.Lane against a one-thread executor.
    "hop": ([], 60),
}
# Runs of a bench with other arguments: name -> script.
SCRIPTS = {
    "bot_throughput_workers": "bot_throughput",
    "bot_throughput_paced": "bot_throughput",
    "rsvp_workers": "rsvp",
}


def ensure_database(url: str) -> None:
    import psycopg

    with contextlib.suppress(psycopg.errors.DuplicateDatabase):
        admin_sql(url, f'CREATE DATABASE "{db_name(url)}"')


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_kib / 2**20:.0f} GiB RAM, "
        f"Python {sys.version.split()[0]}, load average {load:.1f} at start"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHES), help="run just these")
    parser.add_argument("--full", action="store_true", help="60-second HTTP load run")
    args = parser.parse_args()

    url = database_url()
    ensure_database(url)
    benches = dict(BENCHES)
    if args.full:
        benches["load_http"] = (["--seconds", "60", "--clients", "50"], 300)
    names = args.only or list(benches)
    header = machine()
    failures = []
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as results:
        started = time.monotonic()
        for name in names:
            bench_args, limit = benches[name]
            bench_url = url
            script = SCRIPTS.get(name, name)
            if script == "bot_throughput":  # it uses DATABASE_URL as is: give it its own
                bench_url = fresh_database(url, "bot")
            env = os.environ | {"DATABASE_URL": bench_url, "BENCH_RESULTS": results.name}
            print(f"\n=== {name} {' '.join(bench_args)}", flush=True)
            t0 = time.monotonic()
            try:
                code = subprocess.run(
                    [sys.executable, str(HERE / f"{script}.py"), *bench_args],
                    env=env,
                    timeout=limit,
                    check=False,
                ).returncode
            except subprocess.TimeoutExpired:
                code = f"killed after {limit} s"
            finally:
                if bench_url != url:
                    drop_database(bench_url)
            if code != 0:
                failures.append(f"{name}: {code}")
            print(f"=== {name}: {time.monotonic() - t0:.0f} s", flush=True)
        rows = [json.loads(line) for line in results.read().splitlines() if line.strip()]
    total = time.monotonic() - started
    print(f"\nmachine: {header}; database: PostgreSQL; total {total:.0f} s\n")
    print("| bench | metric | value | unit | target |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['bench']} | {row['metric']} | {row['value']} | {row['unit']} "
            f"| {row['target']} |"
        )
    for failure in failures:
        print(f"FAILED {failure}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
