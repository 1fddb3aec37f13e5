"""Migration 0016_reminders: the one lead time each event had (Event.reminder_minutes,
remind_at, reminder_sent_at) becomes a Reminder row, a pending reminder due at the same
instant, a series' handled one due for its next occurrence that no override stands in for."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from calendarapp.models import Reminder

BEFORE = [("calendarapp", "0015_overrides")]
AFTER = [("calendarapp", "0016_reminders")]
BERLIN = ZoneInfo("Europe/Berlin")
TEN = dt.time(10)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("calendarapp")
    migrate(latest)


def test_each_lead_time_becomes_a_reminder_row(old_schema):
    User = old_schema.get_model("calendarapp", "TgUser")
    Event = old_schema.get_model("calendarapp", "Event")
    owner = User.objects.create(tg_id=7001, timezone="Europe/Berlin")
    day = dt.date(2027, 6, 7)
    starts = dt.datetime.combine(day, TEN, tzinfo=BERLIN)

    def event(name, **fields):
        fields = {"date": day, "time": TEN, "starts_at": starts, **fields}
        return Event.objects.create(owner=owner, name=name, **fields)

    pending = event("Pending", reminder_minutes=30, remind_at=starts - dt.timedelta(minutes=30))
    gone = event("Sent", reminder_minutes=60, reminder_sent_at=starts)
    series = event("Daily", rrule="FREQ=DAILY", reminder_minutes=10, reminder_sent_at=starts)
    # The series' second day is an override with its own lead time: the series goes on
    # from the third day.
    override = event(
        "Moved",
        date=day + dt.timedelta(days=1),
        time=dt.time(15),
        recurrence_of=series,
        recurrence_id=day + dt.timedelta(days=1),
        reminder_minutes=10,
        remind_at=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(14, 50), tzinfo=BERLIN),
    )
    silent = event("No reminder")

    migrate(AFTER)
    rows = {row.event_id: row for row in Reminder.objects.all()}
    assert set(rows) == {pending.pk, gone.pk, series.pk, override.pk}
    assert silent.pk not in rows
    assert (rows[pending.pk].minutes, rows[pending.pk].occurrence) == (30, day)
    assert rows[pending.pk].next_at == starts - dt.timedelta(minutes=30)
    assert (rows[gone.pk].minutes, rows[gone.pk].next_at) == (60, None)
    third = day + dt.timedelta(days=2)
    assert (rows[series.pk].minutes, rows[series.pk].occurrence) == (10, third)
    assert rows[series.pk].next_at == dt.datetime.combine(third, dt.time(9, 50), tzinfo=BERLIN)
    assert rows[override.pk].next_at == dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time(14, 50), tzinfo=BERLIN
    )
