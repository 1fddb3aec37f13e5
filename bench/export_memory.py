#!/usr/bin/env python
"""Export memory: peak memory of streaming a 100,000-event calendar (CSV, JSON, ICS).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cal_bench \
        .venv/bin/python bench/export_memory.py

Creates `<name>_exportmem` next to the database in DATABASE_URL, seeds one user with
100,000 events (bulk_create), then downloads each format in-process through the real view
(token check, streaming from a server-side cursor, the writers) and reads every chunk:

* pass 1: wall time and the process' resident-set peak growth (VmHWM after resetting it
  through /proc/self/clear_refs), i.e. what a gunicorn worker would pay;
* pass 2 (CSV and JSON by default; `--tracemalloc ics` adds ICS, which takes minutes):
  the peak of Python allocations during the download (tracemalloc), which does not count
  the interpreter's and libraries' fixed memory.

Both passes follow a warm-up download (imports, the connection), so they show what one
more download costs: about nothing, because nothing is held but the current chunk.

A flat figure (a few MB) for 100,000 events is the point: memory does not grow with the
calendar. The database is dropped at the end.
"""

import argparse
import os
import time
import tracemalloc
from pathlib import Path

from _common import bench_database, bulk_load, drop_database, heavy_calendar, production_env, record

BENCH = "export memory"


def kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def seed(events: int) -> int:
    from django.core.management import call_command

    from calendarapp.models import Event, TgUser

    call_command("migrate", verbosity=0)
    owner = TgUser.objects.create(tg_id=4242, username="heavy", first_name="Heavy")
    bulk_load(Event, heavy_calendar(owner.pk, events))
    return owner.pk


def download(view, token: str) -> tuple[int, int]:
    """Run the view and consume the stream; returns (bytes, chunks)."""
    from django.test import RequestFactory

    request = RequestFactory().get("/export/", {"token": token})
    response = view(request)
    assert response.status_code == 200, response.status_code
    size = chunks = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        chunks += 1
    response.close()
    return size, chunks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--formats", nargs="+", default=["csv", "json", "ics"])
    parser.add_argument(
        "--tracemalloc",
        nargs="*",
        default=["csv", "json"],
        help="formats to download a second time under tracemalloc (slow: ICS takes minutes)",
    )
    args = parser.parse_args()

    url = bench_database("exportmem")
    os.environ.update(production_env(url, EXPORT_DOWNLOAD_RATE=""))
    try:
        import django

        django.setup()
        from calendarapp.exports import views
        from calendarapp.services.export_tokens import issue_export_token

        t0 = time.perf_counter()
        owner = seed(args.events)
        print(f"seeded {args.events:,} events in {time.perf_counter() - t0:.0f} s")
        token = issue_export_token(owner).token
        classes = {"csv": views.CsvExportView, "json": views.JsonExportView}
        classes["ics"] = views.IcsExportView
        print(
            f"{'format':>6} {'MB':>7} {'seconds':>8} {'RSS peak growth MiB':>20}"
            f" {'tracemalloc peak MiB':>21}"
        )
        for fmt in args.formats:
            view = classes[fmt].as_view()
            download(view, issue_export_token(owner).token)  # warm-up: imports, connection
            rss_before = kib("VmRSS")
            Path("/proc/self/clear_refs").write_text("5")  # VmHWM := current RSS
            started = time.perf_counter()
            size, _chunks = download(view, token)
            seconds = time.perf_counter() - started
            rss_growth = (kib("VmHWM") - rss_before) / 1024
            peak_mib = float("nan")
            if fmt in args.tracemalloc:
                tracemalloc.start()
                download(view, token)
                _current, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                peak_mib = peak / 2**20
            print(
                f"{fmt:>6} {size / 1e6:>7.1f} {seconds:>8.2f} {rss_growth:>20.1f} {peak_mib:>21.1f}"
            )
            record(BENCH, f"{fmt}, {args.events:,} events: time", round(seconds, 2), "s")
            record(BENCH, f"{fmt}: RSS peak growth", round(rss_growth, 1), "MiB", "< 30")
            if fmt in args.tracemalloc:
                record(BENCH, f"{fmt}: tracemalloc peak", round(peak_mib, 1), "MiB")
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(url)


if __name__ == "__main__":
    main()
