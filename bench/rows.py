#!/usr/bin/env python
"""A row by primary key: the ORM's lookup against selectors/rows.by_primary_key, on PostgreSQL.

Both read the same TgUser rows (the sender's profile, read at nearly every update the bot
has not seen lately), in turns (A B A B...), so load from elsewhere falls on both alike.
Printed per round: CPU microseconds per call of this process (the ORM's Python and
psycopg's, the client's share of the round trip), and the ratio.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cal_bench .venv/bin/python bench/rows.py

Creates `<name>_rows` next to the database in DATABASE_URL and drops it at the end.
"""

import argparse
import statistics
import time

from _common import bench_database, django_on, drop_database, record

PEOPLE = 1000


def cpu_per_call(read, keys) -> float:
    started = time.process_time()
    for key in keys:
        read(key)
    return (time.process_time() - started) / len(keys) * 1e6


def main(rounds: int, calls: int) -> None:
    from calendarapp.models import TgUser
    from calendarapp.selectors.rows import by_primary_key

    TgUser.objects.bulk_create(TgUser(tg_id=10_000 + n, first_name=f"P{n}") for n in range(PEOPLE))
    keys = [10_000 + (n * 7919) % PEOPLE for n in range(calls)]

    def orm(pk):
        return TgUser.objects.filter(pk=pk).first()

    def compiled(pk):
        return by_primary_key(TgUser, pk)

    assert orm(keys[0]).__dict__.keys() == compiled(keys[0]).__dict__.keys()
    ratios = []
    print(f"{'round':>5}  {'ORM us/call':>11}  {'compiled us/call':>16}  compiled/ORM")
    for n in range(1, rounds + 1):
        a, b = cpu_per_call(orm, keys), cpu_per_call(compiled, keys)
        ratios.append(b / a)
        print(f"{n:>5}  {a:>11.0f}  {b:>16.0f}  {b / a:.2f}x", flush=True)
    median = statistics.median(ratios)
    print(f"median of the rounds' ratios: {median:.2f}x")
    record("rows", "profile read by primary key: compiled / ORM CPU", f"{median:.2f}", "x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    url = bench_database("rows")
    try:
        django_on(url)
        main(args.rounds, args.calls)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(url)
