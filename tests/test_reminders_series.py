"""Reminders 2.0 in the services: several lead times per event, every occurrence of a series
reminded once (across daylight-saving changes, EXDATEs skipped), and snoozing."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections
from django.utils import timezone

from calendarapp.exceptions import DomainError
from calendarapp.models import OutboxMessage, Reminder, SnoozedReminder
from calendarapp.services.events import create_event, set_event_rule, skip_occurrence
from calendarapp.services.reminders import (
    REMINDER,
    claim_all_due_reminders,
    claim_due_reminders,
    set_event_reminder,
    toggle_event_reminder,
)
from calendarapp.services.series import edit_occurrences
from calendarapp.services.snooze import finish_reminder, snooze_reminder
from calendarapp.services.users import set_user_timezone
from tests.support.threads import run_in_threads

TEN = dt.time(10, 0)


def reminded(chat_id: int | None = None) -> list[tuple[str, int | None]]:
    """(occurrence day, lead) of every queued reminder, in order."""
    rows = OutboxMessage.objects.filter(kind=REMINDER).order_by("id")
    if chat_id is not None:
        rows = rows.filter(chat_id=chat_id)
    return [(m.payload["on"], m.payload.get("lead")) for m in rows]


def at(day: dt.date, time: dt.time, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(zone))


def daily_series(owner, *, first: dt.date, zone: str, leads=(10,), rule="FREQ=DAILY"):
    set_user_timezone(tg_id=owner.pk, text=zone)
    event = create_event(
        owner_tg_id=owner.pk, name="Standup", date=first, time=TEN, leads=list(leads), rrule=rule
    )
    return event


# --- several lead times ----------------------------------------------------------------------
@pytest.mark.django_db
def test_an_event_can_be_reminded_a_day_and_ten_minutes_before(alice):
    day = dt.date(2027, 6, 10)
    event = create_event(owner_tg_id=alice.pk, name="Flight", date=day, time=TEN, leads=[10, 1440])
    assert event.leads == [10, 1440]
    moscow = "Europe/Moscow"
    assert claim_due_reminders(now=at(day - dt.timedelta(days=1), TEN, moscow)) == 1
    assert claim_due_reminders(now=at(day, dt.time(9, 49), moscow)) == 0
    assert claim_due_reminders(now=at(day, dt.time(9, 50), moscow)) == 1
    assert claim_due_reminders(now=at(day, dt.time(9, 55), moscow)) == 0
    assert reminded() == [(day.isoformat(), 1440), (day.isoformat(), 10)]


@pytest.mark.django_db
def test_lead_buttons_switch_each_lead_on_and_off(alice):
    event = create_event(owner_tg_id=alice.pk, name="x", date=dt.date(2027, 6, 10), time=TEN)
    assert event.leads == [30]  # the default
    assert toggle_event_reminder(owner_tg_id=alice.pk, event_id=event.pk, minutes=1440).leads == [
        30,
        1440,
    ]
    assert toggle_event_reminder(owner_tg_id=alice.pk, event_id=event.pk, minutes=30).leads == [
        1440
    ]
    assert toggle_event_reminder(owner_tg_id=alice.pk, event_id=event.pk, minutes=None).leads == []
    # One lead instead of all (the Mini App's single choice).
    toggle_event_reminder(owner_tg_id=alice.pk, event_id=event.pk, minutes=10)
    toggle_event_reminder(owner_tg_id=alice.pk, event_id=event.pk, minutes=60)
    assert set_event_reminder(owner_tg_id=alice.pk, event_id=event.pk, minutes=1440).leads == [1440]
    with pytest.raises(DomainError) as refused:
        toggle_event_reminder(owner_tg_id=alice.pk, event_id=event.pk, minutes=7)
    assert refused.value.code == "reminder_invalid"


@pytest.mark.django_db
def test_switching_a_lead_off_and_on_again_does_not_repeat_a_sent_reminder(alice, monkeypatch):
    day = dt.date(2027, 6, 10)
    event = create_event(owner_tg_id=alice.pk, name="x", date=day, time=TEN, leads=[60])
    now = at(day, dt.time(9, 5), "Europe/Moscow")
    assert claim_due_reminders(now=now) == 1
    monkeypatch.setattr(timezone, "now", lambda: now)
    toggle_event_reminder(owner_tg_id=alice.pk, event_id=event.pk, minutes=60)
    toggle_event_reminder(owner_tg_id=alice.pk, event_id=event.pk, minutes=60)
    # Switched on again after its time began: nothing more for this moment.
    assert Reminder.objects.get(event=event).next_at is None
    assert claim_due_reminders(now=now + dt.timedelta(minutes=1)) == 0
    assert len(reminded()) == 1


# --- every occurrence, across daylight-saving changes -----------------------------------------
CHANGES = [
    ("Europe/Berlin", dt.date(2027, 3, 28)),  # spring forward
    ("Europe/Berlin", dt.date(2027, 10, 31)),  # fall back
    ("America/New_York", dt.date(2027, 3, 14)),
    ("America/New_York", dt.date(2027, 11, 7)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("zone", "change"), CHANGES)
def test_a_daily_series_is_reminded_at_0950_wall_clock_around_the_change(alice, zone, change):
    first = change - dt.timedelta(days=2)
    daily_series(alice, first=first, zone=zone)
    days = [first + dt.timedelta(days=n) for n in range(5)]
    offsets = set()
    for day in days:
        due = at(day, dt.time(9, 50), zone)
        offsets.add(due.utcoffset())
        assert claim_all_due_reminders(now=due - dt.timedelta(seconds=1)) == 0, day
        assert claim_all_due_reminders(now=due) == 1, day
        assert claim_all_due_reminders(now=due + dt.timedelta(minutes=5)) == 0, day
    assert len(offsets) == 2  # the window really crosses the change
    assert reminded() == [(day.isoformat(), 10) for day in days]


@pytest.mark.django_db
def test_a_weekly_series_at_a_time_the_clocks_skip_is_reminded_after_the_jump(alice):
    # 02:30 does not exist on 28.03.2027 in Berlin: it means 03:30 (RFC 5545), reminded 03:20.
    set_user_timezone(tg_id=alice.pk, text="Europe/Berlin")
    create_event(
        owner_tg_id=alice.pk,
        name="Night train",
        date=dt.date(2027, 3, 21),
        time=dt.time(2, 30),
        leads=[10],
        rrule="FREQ=WEEKLY",
    )
    claim_all_due_reminders(now=at(dt.date(2027, 3, 21), dt.time(2, 20), "Europe/Berlin"))
    jump = dt.datetime(2027, 3, 28, 1, 20, tzinfo=dt.UTC)  # 03:20 CEST
    assert claim_all_due_reminders(now=jump - dt.timedelta(seconds=1)) == 0
    assert claim_all_due_reminders(now=jump) == 1
    assert reminded()[-1] == ("2027-03-28", 10)


@pytest.mark.django_db
def test_cancelled_occurrences_are_skipped(alice):
    first = dt.date(2027, 6, 7)
    event = daily_series(alice, first=first, zone="Europe/Berlin")
    skip_occurrence(owner_tg_id=alice.pk, event_id=event.pk, date=first)
    skip_occurrence(owner_tg_id=alice.pk, event_id=event.pk, date=first + dt.timedelta(days=2))
    for n in range(4):
        claim_all_due_reminders(
            now=at(first + dt.timedelta(days=n), dt.time(9, 55), "Europe/Berlin")
        )
    assert reminded() == [("2027-06-08", 10), ("2027-06-10", 10)]


@pytest.mark.django_db
def test_a_day_cancelled_after_it_was_scheduled_is_still_skipped(alice):
    """The claim checks the series itself, whoever changed it (no reschedule called)."""
    first = dt.date(2027, 6, 7)
    event = daily_series(alice, first=first, zone="Europe/Berlin")
    type(event).objects.filter(pk=event.pk).update(exdates=[first.isoformat()])
    claim_all_due_reminders(now=at(first, dt.time(9, 55), "Europe/Berlin"))
    assert reminded() == []
    claim_all_due_reminders(now=at(first + dt.timedelta(days=1), dt.time(9, 55), "Europe/Berlin"))
    assert reminded() == [("2027-06-08", 10)]


@pytest.mark.django_db
def test_a_bot_down_for_days_reminds_only_what_has_not_begun(alice):
    first = dt.date(2027, 6, 7)
    daily_series(alice, first=first, zone="Europe/Berlin", leads=[10, 1440])
    # Back on the 10th at 09:55: both reminders of the 10th are still of use (it has not
    # begun), then the 11th's day-before one at 10:00; everything of the 7th to 9th is over.
    back = at(dt.date(2027, 6, 10), dt.time(9, 55), "Europe/Berlin")
    assert claim_all_due_reminders(now=back) == 2
    assert claim_all_due_reminders(now=back + dt.timedelta(minutes=5)) == 1
    assert sorted(reminded()) == [("2027-06-10", 10), ("2027-06-10", 1440), ("2027-06-11", 1440)]


@pytest.mark.django_db
def test_a_series_that_ends_stops_reminding(alice):
    first = dt.date(2027, 6, 7)
    event = daily_series(alice, first=first, zone="Europe/Berlin", rule="FREQ=DAILY;COUNT=2")
    for n in range(4):
        claim_all_due_reminders(
            now=at(first + dt.timedelta(days=n), dt.time(9, 55), "Europe/Berlin")
        )
    assert len(reminded()) == 2
    assert Reminder.objects.get(event=event).next_at is None


@pytest.mark.django_db
def test_making_an_event_a_series_reminds_every_occurrence(alice):
    first = dt.date(2027, 6, 7)
    event = create_event(owner_tg_id=alice.pk, name="x", date=first, time=TEN, leads=[10])
    set_event_rule(owner_tg_id=alice.pk, event_id=event.pk, rule="FREQ=WEEKLY")
    for n in range(3):
        claim_all_due_reminders(
            now=at(first + dt.timedelta(weeks=n), dt.time(9, 55), "Europe/Moscow")
        )
    assert [day for day, _lead in reminded()] == ["2027-06-07", "2027-06-14", "2027-06-21"]


@pytest.mark.django_db
def test_a_new_zone_moves_a_series_reminders_with_its_wall_clock(alice):
    first = dt.date(2027, 6, 7)
    daily_series(alice, first=first, zone="Europe/Moscow")
    set_user_timezone(tg_id=alice.pk, text="America/New_York")
    assert claim_all_due_reminders(now=at(first, dt.time(9, 55), "Europe/Moscow")) == 0
    assert claim_all_due_reminders(now=at(first, dt.time(9, 55), "America/New_York")) == 1


@pytest.mark.django_db(transaction=True)
def test_three_claimers_queue_every_occurrence_and_lead_once(make_user):
    if connection.vendor == "sqlite":
        pytest.skip("skip_locked needs PostgreSQL")
    owner = make_user(2101)
    first = dt.date(2027, 6, 7)
    for n in range(15):
        create_event(
            owner_tg_id=owner.pk,
            name=f"s{n}",
            date=first,
            time=TEN,
            leads=[10, 60],
            rrule="FREQ=DAILY",
        )
    barrier = threading.Barrier(3)
    nows = [at(first + dt.timedelta(days=d), dt.time(9, 55), "Europe/Moscow") for d in range(3)]

    def claimer():
        barrier.wait()
        for now in nows:
            for _ in range(4):
                claim_due_reminders(now=now, limit=4)
        connections.close_all()

    run_in_threads(claimer, count=3)
    queued = reminded()
    assert len(queued) == 15 * 2 * 3
    keys = [
        (m.payload["event_id"], m.payload["on"], m.payload["lead"])
        for m in OutboxMessage.objects.filter(kind=REMINDER)
    ]
    assert len(set(keys)) == len(keys)


# --- snooze ----------------------------------------------------------------------------------
def _delivered(owner, *, day: dt.date, time=TEN, leads=(10,)) -> tuple[OutboxMessage, dt.datetime]:
    create_event(owner_tg_id=owner.pk, name="Call", date=day, time=time, leads=list(leads))
    now = at(day, time, "Europe/Moscow") - dt.timedelta(minutes=min(leads))
    claim_all_due_reminders(now=now)
    return OutboxMessage.objects.get(kind=REMINDER, chat_id=owner.pk), now


@pytest.mark.django_db
def test_a_snoozed_reminder_comes_back_once_at_the_new_time(alice):
    message, now = _delivered(alice, day=dt.date(2027, 6, 7), leads=[60])
    _event, snooze = snooze_reminder(tg_id=alice.pk, message_id=message.pk, choice="10m", now=now)
    assert snooze.due_at == now + dt.timedelta(minutes=10)
    assert claim_all_due_reminders(now=snooze.due_at - dt.timedelta(seconds=1)) == 0
    assert claim_all_due_reminders(now=snooze.due_at) == 1
    assert claim_all_due_reminders(now=snooze.due_at + dt.timedelta(minutes=1)) == 0
    again = OutboxMessage.objects.filter(kind=REMINDER).latest("id")
    assert again.payload == {
        "event_id": message.payload["event_id"],
        "on": "2027-06-07",
        "snoozed": True,
    }
    # The first message's buttons are used up.
    with pytest.raises(DomainError) as refused:
        snooze_reminder(tg_id=alice.pk, message_id=message.pk, choice="1h", now=now)
    assert refused.value.code == "reminder_handled"
    # The snoozed one can be put off again.
    snooze_reminder(tg_id=alice.pk, message_id=again.pk, choice="10m", now=snooze.due_at)
    assert SnoozedReminder.objects.count() == 2


@pytest.mark.django_db
def test_snooze_until_tomorrow_keeps_the_clock_time(alice):
    message, now = _delivered(alice, day=dt.date(2027, 6, 8), leads=[1440])
    _event, snooze = snooze_reminder(
        tg_id=alice.pk, message_id=message.pk, choice="tm", now=now - dt.timedelta(hours=3)
    )
    assert snooze.due_at == now - dt.timedelta(hours=3) + dt.timedelta(days=1)


@pytest.mark.django_db
def test_snooze_refusals(alice, bob):
    message, now = _delivered(alice, day=dt.date(2027, 6, 7), leads=[60])

    def code(**kwargs) -> str:
        with pytest.raises(DomainError) as refused:
            snooze_reminder(
                **{"tg_id": alice.pk, "message_id": message.pk, "now": now, "choice": "1h"} | kwargs
            )
        return refused.value.code

    assert code(tg_id=bob.pk) == "reminder_not_found"  # someone else's reminder
    assert code(message_id=999999) == "reminder_not_found"
    assert code(choice="5y") == "snooze_invalid"
    assert code(choice="tm") == "snooze_after_start"  # tomorrow is after the event
    assert code(choice="1h") == "snooze_after_start"  # 10:00 is when it starts
    assert code(now=now + dt.timedelta(hours=2)) == "reminder_event_over"
    assert not SnoozedReminder.objects.exists()
    finish_reminder(tg_id=alice.pk, message_id=message.pk)
    assert code(choice="10m") == "reminder_handled"


@pytest.mark.django_db
@pytest.mark.parametrize(("zone", "change"), CHANGES)
def test_a_day_before_is_the_same_clock_time_the_day_before_across_the_change(alice, zone, change):
    set_user_timezone(tg_id=alice.pk, text=zone)
    event = create_event(owner_tg_id=alice.pk, name="Trip", date=change, time=TEN, leads=[1440])
    due = at(change - dt.timedelta(days=1), TEN, zone)
    assert event.remind_at == due  # 23 or 25 hours before, not 24
    assert claim_all_due_reminders(now=due - dt.timedelta(seconds=1)) == 0
    assert claim_all_due_reminders(now=due) == 1


# --- parts of a series: overrides and splits (services.series) ---------------------------------
def claim_every(first: dt.datetime, last: dt.datetime, step=dt.timedelta(minutes=10)) -> None:
    """The bot's reminder job, run every `step` from `first` to `last`."""
    now = first
    while now <= last:
        claim_all_due_reminders(now=now)
        now += step


def reminded_events() -> list[tuple[int, str, int | None]]:
    rows = OutboxMessage.objects.filter(kind=REMINDER).order_by("id")
    return [(m.payload["event_id"], m.payload["on"], m.payload.get("lead")) for m in rows]


FIRST = dt.date(2027, 6, 7)


def berlin(day: dt.date, time: dt.time) -> dt.datetime:
    return at(day, time, "Europe/Berlin")


def change_part(owner, series, *, day: dt.date, scope: str, **changes):
    return edit_occurrences(
        owner_tg_id=owner.pk, event_id=series.pk, day=day, scope=scope, **changes
    )


@pytest.mark.django_db
def test_an_overridden_day_is_reminded_once_through_its_override(alice):
    event = daily_series(alice, first=FIRST, zone="Europe/Berlin", leads=[10, 60])
    second = FIRST + dt.timedelta(days=1)
    override = change_part(alice, event, day=second, scope="one", name="Later", time=dt.time(15))
    assert override.leads == [10, 60]  # the series' lead times
    claim_every(berlin(FIRST, dt.time(8)), berlin(FIRST + dt.timedelta(days=3), dt.time(12)))
    days = [(FIRST + dt.timedelta(days=n)).isoformat() for n in range(4)]
    assert reminded_events() == [
        (event.pk, days[0], 60),
        (event.pk, days[0], 10),
        (override.pk, days[1], 60),  # at 14:00 and 14:50, not at the series' 09:00 and 09:50
        (override.pk, days[1], 10),
        (event.pk, days[2], 60),
        (event.pk, days[2], 10),
        (event.pk, days[3], 60),
        (event.pk, days[3], 10),
    ]


@pytest.mark.django_db
def test_an_override_made_after_its_day_was_reminded_is_not_reminded_again(alice, monkeypatch):
    event = daily_series(alice, first=FIRST, zone="Europe/Berlin", leads=[60])
    now = berlin(FIRST, dt.time(9, 5))
    assert claim_all_due_reminders(now=now) == 1
    monkeypatch.setattr(timezone, "now", lambda: now)
    assert change_part(alice, event, day=FIRST, scope="one", name="Renamed").leads == [60]
    claim_every(now, now + dt.timedelta(days=1))
    assert reminded_events() == [(event.pk, "2027-06-07", 60), (event.pk, "2027-06-08", 60)]


@pytest.mark.django_db
def test_this_and_following_keeps_the_lead_times_and_reminds_every_day_once(alice):
    event = daily_series(alice, first=FIRST, zone="Europe/Berlin", leads=[10, 1440])
    cut = FIRST + dt.timedelta(days=2)
    rest = change_part(alice, event, day=cut, scope="following", time=dt.time(11))
    assert rest.pk != event.pk and rest.leads == [10, 1440]
    claim_every(
        berlin(dt.date(2027, 6, 6), dt.time(9)), berlin(dt.date(2027, 6, 11), dt.time(10, 55))
    )
    sent = reminded_events()
    assert len(sent) == len(set(sent)) == 10  # five days, two leads, each once
    assert {(pk, day) for pk, day, _lead in sent} == {
        (event.pk, "2027-06-07"),
        (event.pk, "2027-06-08"),
        (rest.pk, "2027-06-09"),
        (rest.pk, "2027-06-10"),
        (rest.pk, "2027-06-11"),
    }
    # The new series' times: 10:50 on the day, 11:00 the day before.
    due = Reminder.objects.get(event=rest, minutes=10).next_at
    assert due == berlin(dt.date(2027, 6, 12), dt.time(10, 50))
