"""The Mini App's month view on PostgreSQL, and the weight of its own assets.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/calendar python bench/miniapp.py

Creates its own database (`<name>_miniapp` next to the one in DATABASE_URL): one person
with 2,000 events over six months (about 330 in a month) and 200 accepted meetings, another
with 20 events. Then:

* the SQL queries of one month's data (`GET /app/api/calendar`, 42 days, signed in by
  initData) for the small and the large calendar: the same number means O(1) in the rows;
* through gunicorn (one gthread worker, kept-alive connection): p50 / p95 of that request
  over the six months in turn (target p95 < 50 ms);
* the page's own assets (HTML, app.js, app.css) gzip-compressed, as whitenoise serves them
  (target < 150 KB; Telegram's own script is Telegram's).

The database is dropped at the end, whatever happens.
"""

import argparse
import datetime as dt
import gzip
import http.client
import os
import statistics
import time

from _common import bench_database, bulk_load, drop_database, production_env, record, start_gunicorn

from tests.support.miniapp import TOKEN, sign_init_data

BIG, SMALL, GUEST_OF = 20_001, 20_002, 20_003
EVENTS = 2_000
MEETINGS = 200


def seed(first_day: dt.date) -> None:
    from django.core.management import call_command

    from calendarapp.models import Appointment, Event, TgUser

    call_command("migrate", verbosity=0)
    now = dt.datetime.now(dt.UTC)
    TgUser.objects.bulk_create(
        TgUser(tg_id=tg_id, first_name=f"User {tg_id}", bot_started_at=now)
        for tg_id in (BIG, SMALL, GUEST_OF)
    )

    def events(owner: int, count: int, days: int):
        for n in range(count):
            yield Event(
                owner_id=owner,
                name=f"Событие №{n}",
                date=first_day + dt.timedelta(days=n % days),
                time=dt.time(n % 24, (n * 7) % 60),
            )

    bulk_load(Event, events(BIG, EVENTS, 180))
    bulk_load(Event, events(SMALL, 20, 30))
    bulk_load(Event, events(GUEST_OF, MEETINGS, 180))
    Appointment.objects.bulk_create(
        Appointment(
            event=event,
            organizer_id=GUEST_OF,
            participant_id=BIG,
            date=event.date,
            time=event.time,
            status=Appointment.Status.CONFIRMED,
        )
        for event in Event.objects.filter(owner_id=GUEST_OF)
    )


def month_windows(first_day: dt.date, months: int) -> list[tuple[str, str]]:
    """(start, end) of the 42-day grid of each month, as the app asks for them."""
    windows = []
    month = first_day.replace(day=1)
    for _ in range(months):
        start = month - dt.timedelta(days=month.weekday())
        windows.append((start.isoformat(), (start + dt.timedelta(days=41)).isoformat()))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return windows


def query_counts(window: tuple[str, str]) -> dict[int, tuple[int, int]]:
    """Per person: (queries, entries) of one month's data, in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for tg_id in (SMALL, BIG):
        header = {"HTTP_AUTHORIZATION": f"tma {sign_init_data(tg_id=tg_id, token=TOKEN)}"}
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/app/api/calendar?start={window[0]}&end={window[1]}", **header)
        assert response.status_code == 200, response.content[:200]
        counts[tg_id] = (len(queries), len(response.json()["entries"]))
    return counts


def bench_month_view(base: str, windows: list[tuple[str, str]], requests: int) -> None:
    conn = http.client.HTTPConnection(base.split("://", 1)[1], timeout=60)
    header = {"Authorization": f"tma {sign_init_data(tg_id=BIG, token=TOKEN)}"}
    latencies, entries = [], 0
    for n in range(requests + 20):
        start, end = windows[n % len(windows)]
        t0 = time.perf_counter()
        conn.request("GET", f"/app/api/calendar?start={start}&end={end}", headers=header)
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status == 200, (response.status, body[:200])
        if n >= 20:  # the first ones warm the worker up
            latencies.append(elapsed)
            entries += body.count(b'"kind"')
    latencies.sort()
    p50, p95 = statistics.median(latencies), latencies[int(len(latencies) * 0.95) - 1]
    print(f"GET /app/api/calendar (a 42-day month grid, {requests} requests, one client):")
    print(f"  entries per answer: {entries / requests:.0f} on average")
    print(f"  p50: {p50:.1f} ms   p95: {p95:.1f} ms   (target p95 < 50 ms)")
    record(
        "Mini App",
        "month data of 2,000 events: p50 / p95",
        f"{p50:.1f} / {p95:.1f}",
        "ms",
        "p95 < 50",
    )


def asset_sizes(base: str) -> None:
    """What a first visit downloads of ours, compressed as whitenoise serves it."""
    import re

    conn = http.client.HTTPConnection(base.split("://", 1)[1], timeout=60)
    conn.request("GET", "/app/")
    page = conn.getresponse().read()
    sizes = {"/app/ (HTML)": len(gzip.compress(page))}
    for path in re.findall(rb'(?:src|href)="(/static/[^"]+)"', page):
        conn.request("GET", path.decode(), headers={"Accept-Encoding": "gzip"})
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200, path
        compressed = (
            body if response.getheader("Content-Encoding") == "gzip" else gzip.compress(body)
        )
        sizes[path.decode()] = len(compressed)
    total = sum(sizes.values())
    print("The page's own assets, gzip:")
    for name, size in sizes.items():
        print(f"  {name}: {size / 1024:.1f} KB")
    print(f"  total: {total / 1024:.1f} KB   (target < 150 KB)")
    record("Mini App", "own assets, gzip", round(total / 1024, 1), "KB", "< 150")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    bench_url = bench_database("miniapp")
    env = production_env(
        bench_url, DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver", TELEGRAM_BOT_TOKEN=TOKEN
    )
    os.environ.update(env)
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        first_day = dt.date.today() + dt.timedelta(days=1)
        seed(first_day)
        windows = month_windows(first_day, 6)
        counts = query_counts(windows[0])
        print("SQL queries for one month's data (queries, entries):")
        for tg_id, label in (
            (SMALL, "20 events"),
            (BIG, f"{EVENTS:,} events + {MEETINGS} meetings"),
        ):
            print(f"  {label}: {counts[tg_id][0]} queries, {counts[tg_id][1]} entries")
        record(
            "Mini App",
            "queries per month view, small / large calendar",
            f"{counts[SMALL][0]} / {counts[BIG][0]}",
            "",
            "equal",
        )
        call_command("collectstatic", "--noinput", verbosity=0)
        server, base = start_gunicorn(env, workers=1, threads=2)
        bench_month_view(base, windows, args.requests)
        asset_sizes(base)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop_database(bench_url)


if __name__ == "__main__":
    main()
