#!/usr/bin/env python
"""Series at scale, on PostgreSQL: 10,000 people with 20 events each, 30% of them series
(weekly on weekdays, daily with a COUNT, monthly on the last Friday, every 2 weeks, yearly,
some with an override or a cancelled day).

Measured, each as a same-run pair with a control that has no series (A B A B, so load
from elsewhere falls on both alike):
- `display_events_page`: the first page of /display_events as the bot builds it
  (`bot.ui.listing._page`: the count, the slice, the series' expansion over 90 days, the
  text), for random people of the 10,000, against people with 20 one-off events;
- `feed_download`: `GET /feed/<token>.ics` of a person with 1,000 events of which 200 are
  series (through Django's full stack, the body read to its end), against a person with
  1,000 one-off events;
- the same feed four ways in turns: every VEVENT built (the writer's cache switched off,
  as before it existed), the calendar unchanged since the last download (every VEVENT from
  the cache), one event edited before each download (one VEVENT built), and a cold cache
  (every VEVENT built and stored: a first download).

The writer's cache is Redis when REDIS_URL is set, else the database's table: run it
both ways.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cal_bench \\
        .venv/bin/python bench/recurring.py --people 10000 --samples 500

Creates `<name>_recurring` next to the database in DATABASE_URL and drops it at the end.
"""

import argparse
import contextlib
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import database_url, django_on, drop_database, fresh_database, record  # noqa: E402

BENCH = "recurring"
BASE_ID = 40_000_000
CONTROL_ID = 48_000_000
HEAVY_ID, HEAVY_CONTROL_ID = 49_000_000, 49_000_001
RULES = [
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "FREQ=DAILY;COUNT=60",
    "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=WEEKLY;INTERVAL=2",
    "FREQ=YEARLY",
    "FREQ=WEEKLY;BYDAY=TU;UNTIL=20271231T235959",
]
ZONES = ["Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Novosibirsk"]


def _events_of(owner, count: int, series: int, today: dt.date, rng: random.Random) -> list:
    """`count` events of `owner`, `series` of them repeating (their first occurrence up to
    two months back, so windows start inside them), the rest one-offs over a year."""
    from calendarapp.models import Event
    from calendarapp.services.recurrence import first_on_or_after
    from calendarapp.timezones import starts_at

    rows = []
    for n in range(count):
        time = dt.time(rng.randrange(7, 21), rng.choice((0, 15, 30, 45)))
        rule = RULES[n % len(RULES)] if n < series else ""
        if rule:
            day = first_on_or_after(
                rule=rule, date=today - dt.timedelta(days=rng.randrange(0, 60)), time=time
            )
        else:
            day = today + dt.timedelta(days=rng.randrange(-30, 330))
        rows.append(
            Event(
                owner=owner, name=f"Event {n}", date=day, time=time, rrule=rule,
                is_public=n % 4 == 0,
                starts_at=starts_at(date=day, time=time, zone_name=owner.timezone),
            )
        )  # fmt: skip
    return rows


def seed(people: int, control: int) -> None:
    """The people (10,000 with 30% series, a control group with none) and the two heavy
    calendars, by bulk inserts; a tenth of the people get one override and one EXDATE."""
    from django.utils import timezone

    from calendarapp.exceptions import ValidationFailed
    from calendarapp.models import Event, TgUser
    from calendarapp.services.series import edit_occurrences

    rng = random.Random(16)
    today = timezone.localdate()
    started = time.monotonic()
    owners = [
        TgUser(tg_id=BASE_ID + n, first_name=f"P{n}", timezone=ZONES[n % len(ZONES)])
        for n in range(people)
    ]
    owners += [TgUser(tg_id=CONTROL_ID + n, first_name=f"C{n}") for n in range(control)]
    owners += [TgUser(tg_id=HEAVY_ID, first_name="Heavy"), TgUser(tg_id=HEAVY_CONTROL_ID)]
    TgUser.objects.bulk_create(owners, batch_size=2000)
    batch = []
    for owner in owners:
        if owner.tg_id >= HEAVY_ID:
            series = 200 if owner.tg_id == HEAVY_ID else 0
            batch += _events_of(owner, 1000, series, today, rng)
        else:
            batch += _events_of(owner, 20, 6 if owner.tg_id < CONTROL_ID else 0, today, rng)
        if len(batch) >= 20_000:
            Event.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Event.objects.bulk_create(batch, batch_size=5000)
    weekly = Event.objects.filter(rrule=RULES[0], owner_id__lt=BASE_ID + people // 10)
    for event in weekly.select_related("owner"):
        moments = _upcoming(event, 2)
        if len(moments) < 2:
            continue
        with contextlib.suppress(ValidationFailed):  # today's 22:00 may be over
            edit_occurrences(owner_tg_id=event.owner_id, event_id=event.pk, day=moments[1],
                             scope="one", time=dt.time(22))  # fmt: skip
        Event.objects.filter(pk=event.pk).update(exdates=[moments[0].isoformat()])
    total = Event.objects.count()
    print(f"seeded {len(owners):,} people, {total:,} events in {time.monotonic() - started:.0f} s")


def _upcoming(event, count: int) -> list[dt.date]:
    from calendarapp.services.recurrence import next_occurrences
    from calendarapp.timezones import user_now

    after = user_now(event.owner).replace(tzinfo=None)
    found = next_occurrences(
        rule=event.rrule, date=event.date, time=event.time, after=after, count=count
    )
    return [moment.date() for moment in found]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def display_events_page(tg_id: int) -> float:
    """Milliseconds for the first page of /display_events of one person, as the bot builds
    it (profile read included, as the update's middleware reads it)."""
    from calendarapp.bot.ui.listing import MINE, _page
    from calendarapp.selectors.users import get_user

    started = time.perf_counter()
    viewer = get_user(tg_id)
    text, _markup = _page(MINE, tg_id, 0, 1, viewer)
    assert text
    return (time.perf_counter() - started) * 1000


def feed_download(client, token: str) -> float:
    """Milliseconds for a full feed download (no If-None-Match: every poll a changed one)."""
    started = time.perf_counter()
    response = client.get(f"/feed/{token}.ics", secure=True)
    size = sum(len(chunk) for chunk in response.streaming_content)
    assert response.status_code == 200 and size > 0, response.status_code
    return (time.perf_counter() - started) * 1000


def paired(samples: int, *measures) -> list[tuple[float, float]]:
    """(p50, p95) of each measurement, taken in turns (A B A B, or A B C A B C)."""
    found: list[list[float]] = [[] for _ in measures]
    for _ in range(samples):
        for values, measure in zip(found, measures, strict=True):
            values.append(measure())
    return [(statistics.median(values), _percentile(values, 0.95)) for values in found]


def report(what: str, a_name: str, b_name: str, figures, target: str) -> None:
    """Print a pair's figures with their ratio; record both."""
    (a50, a95), (b50, b95) = figures
    print(
        f"{what}: {a_name} p50 {a50:.2f} ms, p95 {a95:.2f} ms; "
        f"{b_name} p50 {b50:.2f} ms, p95 {b95:.2f} ms; p95 ratio {a95 / b95:.2f}"
    )
    record(BENCH, f"{what}, {a_name}: p95", round(a95, 2), "ms", target)
    record(BENCH, f"{what}, {b_name}: p95 (same run)", round(b95, 2), "ms")


def measure_display_events(people: int, control: int, samples: int) -> None:
    rng = random.Random(7)
    figures = paired(
        samples,
        lambda: display_events_page(BASE_ID + rng.randrange(people)),
        lambda: display_events_page(CONTROL_ID + rng.randrange(control)),
    )
    report(f"/display_events page, {samples} people each", "6 series of 20", "no series",
           figures, "< 20")  # fmt: skip


def measure_feed(samples: int) -> None:
    from django.conf import settings
    from django.test import Client

    from calendarapp.services.feeds import get_or_issue_feed

    settings.CALENDAR_THROTTLE_RATES = {**settings.CALENDAR_THROTTLE_RATES, "feed": None}
    client = Client(HTTP_HOST="127.0.0.1")
    heavy = get_or_issue_feed(HEAVY_ID).token
    plain = get_or_issue_feed(HEAVY_CONTROL_ID).token
    feed_download(client, heavy), feed_download(client, plain)  # warm: VTIMEZONE caches
    figures = paired(
        samples, lambda: feed_download(client, heavy), lambda: feed_download(client, plain)
    )
    report(f"feed of 1,000 events, {samples} downloads each", "200 series", "no series",
           figures, "< 150")  # fmt: skip
    measure_feed_cache(client, heavy, samples)


def measure_feed_cache(client, token: str, samples: int) -> None:
    """The heavy feed with the writer's VEVENT cache off, warm, with one event edited
    before each download (the edit itself not timed), and cold."""
    import os

    from django.core.cache import caches

    from calendarapp.exports import writers
    from calendarapp.models import Event

    caches.settings["bench-off"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    edited = Event.objects.filter(owner_id=HEAVY_ID).exclude(rrule="").first()

    def uncached() -> float:
        writers.VEVENT_CACHE = "bench-off"
        try:
            return feed_download(client, token)
        finally:
            writers.VEVENT_CACHE = "ics"

    def one_edited() -> float:
        edited.details = f"edited {time.monotonic()}"
        edited.save()
        return feed_download(client, token)

    def cold() -> float:
        fingerprint = writers._writer_fingerprint
        fresh = os.urandom(16)  # every key new, as after a deployment
        writers._writer_fingerprint = lambda: fresh
        try:
            return feed_download(client, token)
        finally:
            writers._writer_fingerprint = fingerprint

    backend = type(caches["ics"]).__name__
    off, warm, changed, first = paired(
        samples, uncached, lambda: feed_download(client, token), one_edited, cold
    )
    what = f"feed of 1,000 events (200 series), {samples} downloads each, cache {backend}"
    print(
        f"{what}: cache off p50 {off[0]:.2f} ms, p95 {off[1]:.2f} ms; "
        f"warm p50 {warm[0]:.2f} ms, p95 {warm[1]:.2f} ms; "
        f"one event edited p50 {changed[0]:.2f} ms, p95 {changed[1]:.2f} ms; "
        f"cold p50 {first[0]:.2f} ms, p95 {first[1]:.2f} ms; "
        f"p95 ratios warm/off {warm[1] / off[1]:.2f}, edited/off {changed[1] / off[1]:.2f}, "
        f"cold/off {first[1] / off[1]:.2f}"
    )
    record(BENCH, f"{what}, warm: p95", round(warm[1], 2), "ms", "< 150")
    record(BENCH, f"{what}, one event edited: p95", round(changed[1], 2), "ms", "< 150")
    record(BENCH, f"{what}, cold: p95", round(first[1], 2), "ms")
    record(BENCH, f"{what}, cache off: p95 (same run)", round(off[1], 2), "ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--control", type=int, default=500, help="people without series")
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--feed-samples", type=int, default=30)
    args = parser.parse_args()
    url = fresh_database(database_url(), "recurring")
    try:
        django_on(url)
        seed(args.people, args.control)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        measure_display_events(args.people, args.control, args.samples)
        measure_feed(args.feed_samples)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(url)


if __name__ == "__main__":
    main()
