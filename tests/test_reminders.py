import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from calendarapp.bot import texts
from calendarapp.bot.ui import choice_keyboards
from calendarapp.exceptions import ValidationFailed
from calendarapp.models import Event, OutboxMessage, Reminder
from calendarapp.services.appointments import create_appointment, respond_to_invitation
from calendarapp.services.events import create_event
from calendarapp.services.reminders import (
    LEAD_TIMES,
    REMINDER,
    claim_all_due_reminders,
    claim_due_reminders,
    parse_lead_time,
    set_default_reminder,
)
from calendarapp.services.users import set_user_timezone
from calendarapp.timezones import resolve_timezone
from tests.support.threads import run_in_threads

MOSCOW = ZoneInfo("Europe/Moscow")
NOON = dt.time(12, 0)


def reminders_to(chat_id: int) -> int:
    return OutboxMessage.objects.filter(kind=REMINDER, chat_id=chat_id).count()


@pytest.mark.django_db
def test_default_reminder_is_30_minutes_before_in_the_owners_zone(alice, tomorrow):
    event = create_event(owner_tg_id=alice.pk, name="Call", date=tomorrow, time=NOON)
    assert event.reminder_minutes == 30
    assert event.remind_at == dt.datetime.combine(tomorrow, dt.time(11, 30), tzinfo=MOSCOW)


@pytest.mark.django_db
def test_reminder_goes_out_once_when_due(alice, tomorrow):
    event = create_event(
        owner_tg_id=alice.pk, name="Call", date=tomorrow, time=NOON, reminder_minutes=60
    )
    due = event.remind_at
    assert claim_due_reminders(now=due - dt.timedelta(seconds=1)) == 0
    assert claim_due_reminders(now=due) == 1
    assert claim_due_reminders(now=due + dt.timedelta(minutes=1)) == 0
    message = OutboxMessage.objects.get(kind=REMINDER)
    assert (message.chat_id, message.payload) == (
        alice.pk,
        {"event_id": event.pk, "on": tomorrow.isoformat(), "lead": 60},
    )


@pytest.mark.django_db
def test_reminder_missed_while_bot_was_down(alice, tomorrow):
    event = create_event(
        owner_tg_id=alice.pk, name="Call", date=tomorrow, time=NOON, reminder_minutes=60
    )
    # The bot comes back 20 minutes late: the event has not started, so still useful.
    assert claim_due_reminders(now=event.remind_at + dt.timedelta(minutes=20)) == 1
    other = create_event(
        owner_tg_id=alice.pk, name="Missed", date=tomorrow, time=NOON, reminder_minutes=10
    )
    # Back only after the event started: skipped, and never sent later.
    started = dt.datetime.combine(tomorrow, dt.time(12, 5), tzinfo=MOSCOW)
    assert claim_due_reminders(now=started) == 0
    assert Event.objects.get(pk=other.pk).remind_at is None
    assert reminders_to(alice.pk) == 1


@pytest.mark.django_db
def test_no_reminder_when_switched_off(alice, tomorrow):
    set_default_reminder(tg_id=alice.pk, minutes=None)
    event = create_event(owner_tg_id=alice.pk, name="Quiet", date=tomorrow, time=NOON)
    assert event.remind_at is None
    assert claim_due_reminders(now=dt.datetime.combine(tomorrow, NOON, tzinfo=MOSCOW)) == 0


@pytest.mark.django_db
def test_user_default_lead_time_applies_to_new_events(alice, tomorrow):
    set_default_reminder(tg_id=alice.pk, minutes=1440)
    later = tomorrow + dt.timedelta(days=1)
    event = create_event(owner_tg_id=alice.pk, name="Trip", date=later, time=NOON)
    assert event.leads == [1440]
    assert event.remind_at == dt.datetime.combine(later, NOON, tzinfo=MOSCOW) - dt.timedelta(days=1)


@pytest.mark.django_db
@pytest.mark.parametrize("minutes", [0, 5, -10, 99999])
def test_unsupported_lead_times_are_refused(alice, tomorrow, minutes):
    with pytest.raises(ValidationFailed):
        create_event(
            owner_tg_id=alice.pk, name="x", date=tomorrow, time=NOON, reminder_minutes=minutes
        )
    with pytest.raises(ValidationFailed):
        set_default_reminder(tg_id=alice.pk, minutes=minutes)


@pytest.mark.django_db
def test_confirmed_participants_are_reminded_too(alice, bob, make_user, tomorrow):
    carol = make_user(1003)
    event = create_event(owner_tg_id=alice.pk, name="Meeting", date=tomorrow, time=NOON)
    meeting = create_appointment(
        organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=event.pk
    )
    respond_to_invitation(participant_tg_id=bob.pk, appointment_id=meeting.pk, accept=True)
    # Still pending: no reminder.
    create_appointment(organizer_tg_id=alice.pk, participant_tg_id=carol.pk, event_id=event.pk)
    assert claim_due_reminders(now=event.remind_at) == 2
    assert (reminders_to(alice.pk), reminders_to(bob.pk), reminders_to(carol.pk)) == (1, 1, 0)


@pytest.mark.django_db
def test_changing_time_zone_moves_pending_reminders(alice, tomorrow):
    event = create_event(owner_tg_id=alice.pk, name="Call", date=tomorrow, time=NOON)
    set_user_timezone(tg_id=alice.pk, text="Berlin")
    event.refresh_from_db()
    berlin_noon = dt.datetime.combine(tomorrow, NOON, tzinfo=ZoneInfo("Europe/Berlin"))
    assert event.remind_at == berlin_noon - dt.timedelta(minutes=30)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("Москва", "Europe/Moscow"),
        ("  новосибирск ", "Asia/Novosibirsk"),
    ],
)
def test_time_zone_names_and_cities(typed, zone):
    assert resolve_timezone(typed) == zone


@pytest.mark.parametrize("typed", ["", "Mars/Olympus", "x" * 500])
def test_unknown_time_zone(typed):
    with pytest.raises(ValidationFailed) as error:
        resolve_timezone(typed)
    assert error.value.code == "timezone_unknown"


def events_at_noon(owner, day, *, count: int, reminder_minutes: int) -> list:
    """`count` events at the same moment, so their reminders fall due together."""
    return [
        create_event(
            owner_tg_id=owner.pk,
            name=f"e{i}",
            date=day,
            time=NOON,
            reminder_minutes=reminder_minutes,
        )
        for i in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_never_send_the_same_reminder(make_user, tomorrow):
    if connection.vendor == "sqlite":
        pytest.skip("skip_locked needs PostgreSQL")
    events = events_at_noon(make_user(2001), tomorrow, count=40, reminder_minutes=30)
    now = events[0].remind_at
    counts = []

    def dispatcher():
        total = 0
        for _ in range(5):
            total += claim_due_reminders(now=now, limit=7)
        counts.append(total)

    run_in_threads(dispatcher, count=3)
    assert sum(counts) == 40
    assert OutboxMessage.objects.filter(kind=REMINDER).count() == 40


@pytest.mark.django_db
def test_a_burst_of_due_reminders_is_queued_in_one_run(make_user, tomorrow):
    events = events_at_noon(make_user(2002), tomorrow, count=25, reminder_minutes=10)
    now = events[0].remind_at
    assert claim_all_due_reminders(now=now, limit=10) == 25  # three batches
    assert not Reminder.objects.filter(next_at__isnull=False).exists()
    assert claim_all_due_reminders(now=now, limit=10) == 0


def test_every_offered_lead_time_has_a_button_words_and_a_typed_form():
    markup = choice_keyboards.settings_reminders(None)
    offered = [button.callback_data for row in markup.inline_keyboard for button in row]
    assert offered == [f"set:rem:{'off' if m is None else m}" for m in LEAD_TIMES]
    for minutes in LEAD_TIMES:
        assert texts.REMINDER_BUTTONS[minutes] and texts.REMINDER_PHRASES[minutes]
        assert parse_lead_time(str(minutes or 0)) == minutes
