#!/usr/bin/env python
"""The bot's commonest reads: the ORM's queryset built per call against the same query
compiled once (selectors/compiled.py), on PostgreSQL.

Three reads, each the ORM's way and the compiled way in turns (A B A B...), so load from
elsewhere falls on both alike:
- the sender's profile by primary key (read at nearly every update the bot has not seen
  lately; selectors/rows.by_primary_key);
- one of the person's events by id, with its owner (/read_event, a card's buttons);
- a page of /display_events: the count of both kinds and ten one-off rows.
Printed per round: CPU microseconds per call of this process (the ORM's Python and
psycopg's, the client's share of the round trip), and the ratio.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cal_bench .venv/bin/python bench/rows.py

Creates `<name>_rows` next to the database in DATABASE_URL and drops it at the end.
"""

import argparse
import datetime as dt
import statistics
import time

from _common import bench_database, django_on, drop_database, record

PEOPLE = 1000
EVENTS_EACH = 15


def cpu_per_call(read, keys) -> float:
    started = time.process_time()
    for key in keys:
        read(key)
    return (time.process_time() - started) / len(keys) * 1e6


def reads():
    """(name, the ORM's read, the compiled read, what each returns to compare)."""
    from django.db.models import Count, Q

    from calendarapp.models import Event, TgUser
    from calendarapp.selectors.events import by_pk, get_own_event
    from calendarapp.selectors.occurrences import own_listing
    from calendarapp.selectors.rows import by_primary_key

    events = dict(Event.objects.filter(owner_id__gte=10_000).values_list("owner_id", "pk"))
    today = dt.date(2027, 1, 1)

    def orm_page(owner):
        # What own_listing sent before its statements were compiled (a person without series).
        mine = Event.objects.filter(owner_id=owner)
        counts = mine.aggregate(
            one_off=Count("pk", filter=Q(rrule="")), series=Count("pk", filter=~Q(rrule=""))
        )
        rows = mine.filter(rrule="").only(
            "id", "name", "date", "time", "is_public", "rrule", "recurrence_of_id"
        )
        return counts["one_off"], list(rows.order_by("date", "time", "id")[:10])

    def compiled_page(owner):
        listing = own_listing(owner_tg_id=owner, today=today)
        return listing.count(), listing[0:10]

    return [
        (
            "profile by primary key",
            lambda pk: TgUser.objects.filter(pk=pk).first(),
            lambda pk: by_primary_key(TgUser, pk),
            lambda user: user.__dict__.keys(),
        ),
        (
            "own event with its owner",
            lambda owner: by_pk(
                Event.objects.select_related("owner").filter(owner_id=owner, pk=events[owner])
            ),
            lambda owner: get_own_event(owner_tg_id=owner, event_id=events[owner]),
            lambda event: (event.pk, event.owner.timezone, event.__dict__.keys()),
        ),
        (
            "list page (count + 10 rows)",
            orm_page,
            compiled_page,
            lambda page: (page[0], [event.pk for event in page[1]]),
        ),
    ]


def main(rounds: int, calls: int) -> None:
    from calendarapp.models import Event, TgUser

    TgUser.objects.bulk_create(TgUser(tg_id=10_000 + n, first_name=f"P{n}") for n in range(PEOPLE))
    Event.objects.bulk_create(
        Event(
            owner_id=10_000 + n,
            name=f"Event {k}",
            date=dt.date(2027, 2, 1) + dt.timedelta(days=k),
            time=dt.time(10, 30),
        )
        for n in range(PEOPLE)
        for k in range(EVENTS_EACH)
    )
    keys = [10_000 + (n * 7919) % PEOPLE for n in range(calls)]
    print(f"{'read':<28} {'round':>5}  {'ORM us/call':>11}  {'compiled us/call':>16}  compiled/ORM")
    for name, orm, compiled, same in reads():
        assert same(orm(keys[0])) == same(compiled(keys[0])), name
        ratios = []
        for n in range(1, rounds + 1):
            a, b = cpu_per_call(orm, keys), cpu_per_call(compiled, keys)
            ratios.append(b / a)
            print(f"{name:<28} {n:>5}  {a:>11.0f}  {b:>16.0f}  {b / a:.2f}x", flush=True)
        median = statistics.median(ratios)
        print(f"{name:<28} median of the rounds' ratios: {median:.2f}x")
        record("rows", f"{name}: compiled / ORM CPU", f"{median:.2f}", "x")


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
