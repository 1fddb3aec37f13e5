#!/usr/bin/env python
"""HTTP load: 50 concurrent clients against gunicorn on PostgreSQL, zero errors expected.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cal_bench \
        .venv/bin/python bench/load_http.py --seconds 60 --clients 50

Creates `<name>_load` next to the database in DATABASE_URL, seeds 300 users with 20 events
each (half public) and a staff service account with an API token, starts gunicorn on a
free loopback port (gthread workers, DEBUG off, download and token throttles off: we
measure the server, not the abuse limits), then runs `--clients` aiohttp clients in a
closed loop for `--seconds`. Each client picks, by weight:

* 50 % `GET /api/events/public/?page=N` (pages 1-30 of 50 events, anonymous);
* 20 % `POST /api/export/token/` for a random user (staff token);
* 30 % a CSV, JSON or ICS download of a random user's calendar (a fresh signed token).

Prints requests/s, p50/p95/p99/max latency per kind and overall, and every error (any
status other than 200/201, or a connection failure). Exits non-zero if there was one.
"""

import argparse
import asyncio
import collections
import os
import random
import statistics
import sys
import time

from _common import bench_database, drop_database, production_env, record, start_gunicorn

BENCH = "HTTP load"
USERS, EVENTS_PER_USER, BASE_ID = 300, 20, 30_000


def seed() -> str:
    """Users, events and a staff token; returns the token key."""
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from calendarapp.models import Event, TgUser
    from calendarapp.timezones import starts_at

    call_command("migrate", verbosity=0)
    now = timezone.now()
    TgUser.objects.bulk_create(
        TgUser(tg_id=BASE_ID + n, username=f"load{n}", first_name=f"L{n}", bot_started_at=now)
        for n in range(USERS)
    )
    start = timezone.localdate() + dt.timedelta(days=1)
    Event.objects.bulk_create(
        (
            Event(
                owner_id=BASE_ID + n,
                name=f"Event {n}-{k} <b>&",
                date=start + dt.timedelta(days=k),
                time=dt.time(k % 24, 0),
                # bulk_create skips Event.save(); owners are in the server's zone
                starts_at=starts_at(
                    date=start + dt.timedelta(days=k),
                    time=dt.time(k % 24, 0),
                    zone_name=settings.TIME_ZONE,
                ),
                is_public=k % 2 == 0,
            )
            for n in range(USERS)
            for k in range(EVENTS_PER_USER)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    user = get_user_model().objects.create_user("load-service", is_staff=True)
    return Token.objects.create(user=user).key


async def client(session, base, api_token, deadline, latencies, errors, rng):
    from calendarapp.services.export_tokens import issue_export_token

    while time.monotonic() < deadline:
        roll = rng.random()
        if roll < 0.5:
            kind, method = "public events", "GET"
            url, body = f"{base}/api/events/public/?page={rng.randint(1, 30)}", None
            headers = {}
        elif roll < 0.7:
            kind, method = "token issuance", "POST"
            url = f"{base}/api/export/token/"
            body = {"tg_user_id": BASE_ID + rng.randrange(USERS)}
            headers = {"Authorization": f"Token {api_token}"}
        else:
            fmt = rng.choice(("csv", "json", "ics"))
            kind, method, body, headers = f"download {fmt}", "GET", None, {}
            token = issue_export_token(BASE_ID + rng.randrange(USERS)).token
            url = f"{base}/export/{fmt}/?token={token}"
        started = time.perf_counter()
        try:
            async with session.request(method, url, json=body, headers=headers) as reply:
                await reply.read()
                status = reply.status
        except Exception as error:  # a dropped connection or a timeout is an error too
            errors.append(f"{kind}: {type(error).__name__}: {error}")
            continue
        latencies[kind].append(time.perf_counter() - started)
        if status not in (200, 201):
            errors.append(f"{kind}: HTTP {status}")


def quantile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else 0.0


async def run_load(base: str, api_token: str, clients: int, seconds: float) -> int:
    import aiohttp

    latencies: dict[str, list[float]] = collections.defaultdict(list)
    errors: list[str] = []
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=30)
    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        deadline = started + seconds
        await asyncio.gather(
            *(
                client(session, base, api_token, deadline, latencies, errors, random.Random(n))
                for n in range(clients)
            )
        )
    elapsed = time.monotonic() - started
    every = [v for values in latencies.values() for v in values]
    total = len(every) + len(errors)
    print(f"{clients} clients, {elapsed:.0f} s, {total:,} requests, {len(errors)} errors")
    print(
        f"{'kind':<16} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}"
        f" {'p99 ms':>7} {'max ms':>7}"
    )
    for kind, values in [*sorted(latencies.items()), ("all", every)]:
        print(
            f"{kind:<16} {len(values):>8,} {len(values) / elapsed:>7.0f}"
            f" {quantile(values, 50):>7.1f}"
            f" {quantile(values, 95):>7.1f} {quantile(values, 99):>7.1f} {max(values) * 1000:>7.1f}"
        )
    for error, count in collections.Counter(errors).most_common(10):
        print(f"  error x{count}: {error}")
    label = f"{clients} clients, {elapsed:.0f} s"
    record(BENCH, f"{label}: requests/s", round(total / elapsed))
    record(
        BENCH,
        f"{label}: p50 / p95 / p99",
        f"{quantile(every, 50):.0f} / {quantile(every, 95):.0f} / {quantile(every, 99):.0f}",
        "ms",
    )
    record(BENCH, f"{label}: errors", len(errors), f"of {total:,}", "0")
    return len(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    args = parser.parse_args()

    url = bench_database("load")
    env = production_env(
        url, PYTHONWARNINGS="ignore::UserWarning", EXPORT_DOWNLOAD_RATE="", API_EXPORT_TOKEN_RATE=""
    )
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    server = None
    errors = 1
    try:
        import django

        django.setup()
        api_token = seed()
        server, base = start_gunicorn(env, workers=args.workers, threads=args.threads, backlog=256)
        print(f"gunicorn: {args.workers} gthread workers x {args.threads} threads, PostgreSQL")
        errors = asyncio.run(run_load(base, api_token, args.clients, args.seconds))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        drop_database(url)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
