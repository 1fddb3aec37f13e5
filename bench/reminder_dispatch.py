#!/usr/bin/env python
"""Reminder dispatch: `claim_due_reminders` turning 10,000 due reminders into outbox rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cal_bench \
        .venv/bin/python bench/reminder_dispatch.py [--recurring 0 0.3]

Creates `<name>_reminders` next to the database in DATABASE_URL and seeds 1,000 users with
10 events each whose reminder is due now (events start in two days); every tenth event has a
confirmed participant, who is reminded too. With `--recurring F` that share of the events
is a daily series (each claim expands it to find the next occurrence and moves the row
there); the default runs 0 and 0.3 one after the other, a same-run pair. Then 1 and 2
workers (threads with their own connections, like two bot processes) call
`claim_due_reminders(limit=100)` until nothing is due, and the bench prints reminders/s and
outbox rows/s, and checks that every reminder was queued exactly once (no duplicates from
the two workers: `skip_locked`) and every series moved on to its next occurrence.
The database is dropped at the end.
"""

import argparse
import datetime as dt
import threading
import time

from _common import bench_database, django_on, drop_database, record

BENCH = "reminder dispatch"
BASE_ID = 20_000


def seed(users: int, per_user: int, recurring: float) -> int:
    """Fresh due reminders; returns how many outbox rows they should produce."""
    from django.utils import timezone

    from calendarapp.models import Appointment, Event, OutboxMessage, Reminder, TgUser

    OutboxMessage.objects.all().delete()
    Appointment.objects.all().delete()
    Event.objects.all().delete()
    TgUser.objects.all().delete()
    now = timezone.now()
    TgUser.objects.bulk_create(
        TgUser(tg_id=BASE_ID + n, first_name=f"U{n}", bot_started_at=now) for n in range(users)
    )
    day = timezone.localdate() + dt.timedelta(days=2)
    events = [
        Event(
            owner_id=BASE_ID + n,
            name=f"Event {n}-{k}",
            date=day,
            time=dt.time(12, k),
            rrule="FREQ=DAILY" if (n * per_user + k) % 100 < recurring * 100 else "",
        )
        for n in range(users)
        for k in range(per_user)
    ]
    events = Event.objects.bulk_create(events, batch_size=5000)
    Reminder.objects.bulk_create(
        (
            Reminder(event=event, minutes=60, occurrence=day, next_at=now - dt.timedelta(seconds=1))
            for event in events
        ),
        batch_size=5000,
    )
    meetings = [
        Appointment(
            event=event,
            organizer_id=event.owner_id,
            participant_id=BASE_ID + (event.owner_id - BASE_ID + 1) % users,
            date=event.date,
            time=event.time,
            status=Appointment.Status.CONFIRMED,
        )
        for event in events[::10]
    ]
    Appointment.objects.bulk_create(meetings, batch_size=5000)
    return len(events) + len(meetings)


def worker(counts: list, errors: list) -> None:
    from django.db import connection
    from django.utils import timezone

    from calendarapp.models import Reminder
    from calendarapp.services.reminders import claim_due_reminders

    try:
        while True:
            queued = claim_due_reminders(limit=100)
            counts.append(queued)
            if not queued and not Reminder.objects.filter(next_at__lte=timezone.now()).exists():
                return
    except Exception as error:  # reported by the main thread
        errors.append(error)
    finally:
        connection.close()


def run(workers: int, users: int, per_user: int, recurring: float) -> None:
    from django.db.models import Count

    from calendarapp.models import OutboxMessage, Reminder

    expected = seed(users, per_user, recurring)
    reminders = users * per_user
    counts: list[int] = []
    errors: list[Exception] = []
    threads = [threading.Thread(target=worker, args=(counts, errors)) for _ in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    rows = OutboxMessage.objects.count()
    duplicates = (
        OutboxMessage.objects.values("chat_id", "payload__event_id", "payload__on", "payload__lead")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    moved_on = Reminder.objects.filter(next_at__gt=dt.datetime.now(dt.UTC)).count()
    ok = rows == expected and duplicates == 0 and moved_on == round(reminders * recurring)
    print(
        f"{recurring:>9.0%} {workers:>7} {reminders:>9,} {rows:>11,} {seconds:>8.2f}"
        f" {reminders / seconds:>11.0f} {rows / seconds:>14.0f} {duplicates:>10}"
        f" {'ok' if ok else 'WRONG'}"
    )
    if not ok:
        raise SystemExit(
            f"expected {expected} outbox rows, no duplicates, every series moved on; "
            f"got {rows}, {duplicates}, {moved_on}"
        )
    label = f"{workers} worker{'s' if workers > 1 else ''}"
    if recurring:
        label += f", {recurring:.0%} recurring"
    record(BENCH, f"{label}: reminders/s ({reminders:,} due)", round(reminders / seconds))
    record(BENCH, f"{label}: outbox rows/s", round(rows / seconds), "", "exactly once: yes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--per-user", type=int, default=10)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--recurring", type=float, nargs="+", default=[0.0, 0.3])
    args = parser.parse_args()

    url = bench_database("reminders")
    try:
        django_on(url)
        print(
            f"{'recurring':>9} {'workers':>7} {'reminders':>9} {'outbox rows':>11} {'seconds':>8}"
            f" {'reminders/s':>11} {'outbox rows/s':>14} {'duplicates':>10}"
        )
        for recurring in args.recurring:
            for workers in args.workers:
                run(workers, args.users, args.per_user, recurring)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(url)


if __name__ == "__main__":
    main()
