"""API and export speed on PostgreSQL, printed as figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/calendar python bench/api_bench.py

Creates its own database (`<name>_apibench` next to the one in DATABASE_URL), seeds 1,000
users and 100,000 events for one of them plus 10 for every other user (with bulk_create),
starts gunicorn (one gthread worker) on 127.0.0.1 on a free port, and measures with one
client over a kept-alive connection:

* `GET /api/events/public/` (pages of 50, walking the first 200 pages): requests/s,
  p50 and p95 latency;
* `GET /export/csv/?token=...` of the 100,000-event calendar: wall time, and peak memory
  growth of the gunicorn worker, read from the kernel (VmHWM, the resident-set high-water
  mark, reset through /proc/<pid>/clear_refs just before the download).

Targets: p95 < 30 ms; CSV export < 3 s with < 30 MB peak growth. The database is dropped
at the end, whatever happens.
"""

import argparse
import datetime as dt
import http.client
import os
import random
import statistics
import time
from pathlib import Path
from urllib.parse import urlsplit

from _common import (
    bench_database,
    bulk_load,
    db_name,
    drop_database,
    heavy_calendar,
    production_env,
    record,
    start_gunicorn,
)

USERS = 1_000
HEAVY_EVENTS = 100_000
EVENTS_PER_OTHER_USER = 10
PAGE_SIZE = 50


def seed() -> int:
    """Fill the bench database; returns the Telegram id of the heavy calendar's owner."""
    from django.core.management import call_command

    from calendarapp.models import Event, TgUser

    call_command("migrate", verbosity=0)
    now = dt.datetime.now(dt.UTC)
    TgUser.objects.bulk_create(
        TgUser(tg_id=10_000 + n, username=f"user{n}", first_name=f"User {n}", bot_started_at=now)
        for n in range(USERS)
    )
    heavy = 10_000
    rng = random.Random(5)
    start = dt.date.today() + dt.timedelta(days=1)

    def events():
        yield from heavy_calendar(heavy, HEAVY_EVENTS)
        for user in range(1, USERS):
            for k in range(EVENTS_PER_OTHER_USER):
                yield Event(
                    owner_id=10_000 + user,
                    name=f"Event {user}-{k}",
                    date=start + dt.timedelta(days=rng.randrange(365)),
                    time=dt.time(rng.randrange(24), 0),
                    is_public=k % 2 == 0,
                )

    bulk_load(Event, events())
    return heavy


def worker_pid(master_pid: int) -> int:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return int(children[0])


def proc_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


_connections: dict[str, http.client.HTTPConnection] = {}


def get(url: str) -> bytes:
    """GET over one kept-alive connection per server, as a browser or API client would."""
    parts = urlsplit(url)
    conn = _connections.get(parts.netloc)
    if conn is None:
        conn = _connections[parts.netloc] = http.client.HTTPConnection(parts.netloc, timeout=60)
    conn.request("GET", f"{parts.path}?{parts.query}")
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200, (response.status, body[:200])
    return body


def bench_public_list(base: str, requests: int) -> None:
    for page in range(1, 21):  # warm-up
        get(f"{base}/api/events/public/?page={page}&page_size={PAGE_SIZE}")
    latencies = []
    started = time.perf_counter()
    for n in range(requests):
        page = n % 200 + 1
        t0 = time.perf_counter()
        body = get(f"{base}/api/events/public/?page={page}&page_size={PAGE_SIZE}")
        latencies.append((time.perf_counter() - t0) * 1000)
        assert body.count(b'"owner_tg_id"') == PAGE_SIZE
    total = time.perf_counter() - started
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"GET /api/events/public/ (page of {PAGE_SIZE}, {requests} requests, one client):")
    print(f"  requests/s: {requests / total:.0f}")
    print(
        f"  p50: {statistics.median(latencies):.1f} ms   p95: {p95:.1f} ms   (target p95 < 30 ms)"
    )
    record("API, one client", "public events page: requests/s", round(requests / total))
    record(
        "API, one client",
        "public events page: p50 / p95",
        f"{statistics.median(latencies):.1f} / {p95:.1f}",
        "ms",
        "p95 < 30",
    )


def bench_csv_export(base: str, tg_id: int, worker: int) -> None:
    from calendarapp.services.export_tokens import issue_export_token

    token = issue_export_token(tg_id).token
    get(f"{base}/export/csv/?token={issue_export_token(10_001).token}")  # warm-up, small
    rss_before = proc_kib(worker, "VmRSS")
    Path(f"/proc/{worker}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    started = time.perf_counter()
    body = get(f"{base}/export/csv/?token={token}")
    elapsed = time.perf_counter() - started
    peak = proc_kib(worker, "VmHWM")
    lines = body.count(b"\r\n")
    print(f"GET /export/csv/ of a {HEAVY_EVENTS:,}-event calendar:")
    print(f"  {len(body) / 1e6:.1f} MB, {lines:,} CRLF lines, {elapsed:.2f} s   (target < 3 s)")
    print(
        f"  gunicorn worker RSS before {rss_before / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB,"
        f" peak growth {(peak - rss_before) / 1024:.1f} MiB   (target < 30 MB)"
    )
    record(
        "API, one client",
        f"CSV of {HEAVY_EVENTS:,} events via gunicorn",
        round(elapsed, 2),
        "s",
        "< 3",
    )
    record(
        "API, one client",
        "CSV via gunicorn: worker RSS peak growth",
        round((peak - rss_before) / 1024, 1),
        "MiB",
        "< 30",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database to inspect")
    args = parser.parse_args()

    bench_url = bench_database("apibench")
    env = production_env(bench_url, EXPORT_DOWNLOAD_RATE="")
    os.environ.update(env)
    server = None
    try:
        import django

        django.setup()
        t0 = time.perf_counter()
        heavy = seed()
        print(
            f"seeded {USERS:,} users and {HEAVY_EVENTS + (USERS - 1) * EVENTS_PER_OTHER_USER:,}"
            f" events ({HEAVY_EVENTS:,} in one calendar) in {time.perf_counter() - t0:.0f} s"
        )
        server, base = start_gunicorn(env, workers=1, threads=2)
        bench_public_list(base, args.requests)
        bench_csv_export(base, heavy, worker_pid(server.pid))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"kept the bench database {db_name(bench_url)} (drop it when done)")
        else:
            drop_database(bench_url)
            print(f"dropped the bench database {db_name(bench_url)}")


if __name__ == "__main__":
    main()
