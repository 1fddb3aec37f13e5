"""Service rules of the date steps and reminders, and the month calendar."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from calendarapp.bot import texts
from calendarapp.bot.outbox import reminders as bot_reminders
from calendarapp.bot.ui import month_calendar
from calendarapp.exceptions import NotRegistered, ValidationFailed
from calendarapp.models import OutboxMessage
from calendarapp.services import dates
from calendarapp.services.appointments import (
    cancel_appointment,
    create_appointment,
    respond_to_invitation,
)
from calendarapp.services.events import (
    check_event_date,
    create_event,
    parse_event_time,
    parse_event_when,
)
from calendarapp.services.natural_dates import When
from calendarapp.services.reminders import claim_due_reminders, parse_lead_time
from calendarapp.services.users import set_user_timezone
from tests.support.refusals import refusal

# 2026-11-24 23:30 UTC: already Wednesday the 25th in Moscow (02:30), Tuesday in New York.
INSTANT = dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: INSTANT)
    return INSTANT


@pytest.mark.django_db
def test_phrases_are_relative_to_the_owners_zone(alice, frozen):
    assert parse_event_when(owner=alice.pk, text="завтра") == When(dt.date(2026, 11, 26), None)
    set_user_timezone(tg_id=alice.pk, text="America/New_York")
    assert parse_event_when(owner=alice.pk, text="завтра") == When(dt.date(2026, 11, 25), None)
    assert parse_event_when(owner=alice.pk, text="сегодня") == When(dt.date(2026, 11, 24), None)
    # 18:30 in New York is still ahead; in Moscow the 24th is over.
    assert parse_event_when(owner=alice.pk, text="сегодня в 18:30").time == dt.time(18, 30)


@pytest.mark.django_db
def test_past_days_and_moments_are_refused(alice, frozen):
    with pytest.raises(ValidationFailed) as error:
        parse_event_when(owner=alice.pk, text="24.11.2026")  # yesterday in Moscow
    assert error.value.code == "date_in_past"
    with pytest.raises(ValidationFailed) as error:
        parse_event_when(owner=alice.pk, text="сегодня в 01:00")  # 02:30 in Moscow now
    assert error.value.code == "in_past"
    assert parse_event_when(owner=alice.pk, text="сегодня в 03:00").time == dt.time(3, 0)
    with pytest.raises(ValidationFailed) as error:
        parse_event_time(owner=alice.pk, date=dt.date(2026, 11, 25), text="02:00")
    assert error.value.code == "in_past"
    assert parse_event_time(owner=alice.pk, date=dt.date(2026, 11, 25), text="в 18:00") == When(
        dt.date(2026, 11, 25), dt.time(18, 0)
    )
    with pytest.raises(ValidationFailed) as error:
        check_event_date(owner=alice.pk, date=dt.date(2026, 11, 24))
    assert error.value.code == "date_in_past"
    assert check_event_date(owner=alice.pk, date=dt.date(2026, 11, 25)) == dt.date(2026, 11, 25)


@pytest.mark.django_db
def test_unknown_user_cannot_parse(db):
    with pytest.raises(NotRegistered):
        parse_event_when(owner=424242, text="завтра")


@pytest.mark.django_db
def test_lead_time_already_begun_is_not_reminded(alice, frozen):
    # Starts in 20 minutes (Moscow 02:50) with a 30-minute reminder: no message at all.
    event = create_event(
        owner_tg_id=alice.pk,
        name="Soon",
        date=dt.date(2026, 11, 25),
        time=dt.time(2, 50),
        reminder_minutes=30,
    )
    assert (event.leads, event.remind_at) == ([30], None)
    assert claim_due_reminders(now=INSTANT) == 0
    later = create_event(
        owner_tg_id=alice.pk, name="Later", date=dt.date(2026, 11, 25), time=dt.time(4, 0)
    )
    assert later.remind_at == dt.datetime(2026, 11, 25, 3, 30, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("10", 10),
        ("за 10 минут", 10),
        ("30", 30),
        ("полчаса", 30),
        ("За 1 час", 60),
        ("за день", 1440),
        ("1 день", 1440),
        ("нет", None),
        ("без напоминания", None),
        ("off", None),
        ("1 hour", 60),
        ("10 minutes", 10),
        ("1 day", 1440),
        ("30 min", 30),
        ("an hour", 60),
        ("half an hour", 30),
        ("24 hours", 1440),
        ("10min", 10),
        ("1 Hour before", 60),
        ("never", None),
    ],
)
def test_typed_lead_times(typed, minutes):
    assert parse_lead_time(typed) == minutes


@pytest.mark.parametrize(
    "typed", ["", "15", "за 2 недели", "x" * 1000, "2 hours", "1.5 hours", "hour hour", "-10"]
)
def test_typed_lead_times_refused(typed):
    assert refusal(ValidationFailed, parse_lead_time, typed).code == "reminder_invalid"


def test_user_now_falls_back_for_a_broken_zone_name(frozen):
    class Broken:
        timezone = "Not/AZone"

    assert dates.user_now(Broken()).utcoffset() == dt.timedelta(hours=3)


# --- the month calendar --------------------------------------------------------------------
TODAY = dt.date(2026, 11, 24)


def callbacks(markup) -> list[str]:
    return [button.callback_data for row in markup.inline_keyboard for button in row]


@pytest.mark.parametrize("months_ahead", [0, 1, 3, 15, month_calendar.MONTHS_AHEAD])
def test_month_keyboard_fits_telegram(months_ahead):
    index = TODAY.year * 12 + TODAY.month - 1 + months_ahead
    month = dt.date(index // 12, index % 12 + 1, 1)
    markup = month_calendar.month_keyboard(TODAY, month)
    data = callbacks(markup)
    assert len(data) <= 100 and max(len(item.encode()) for item in data) <= 64
    days = [item for item in data if item.startswith(month_calendar.CB_DAY)]
    first_day = TODAY if months_ahead == 0 else month
    assert days[0] == f"cal:d:{first_day}"
    header = [button.text for button in markup.inline_keyboard[0]]
    assert (texts.BTN_CAL_PREV in header) is (months_ahead > 0)
    assert (texts.BTN_CAL_NEXT in header) is (months_ahead < month_calendar.MONTHS_AHEAD)


def test_this_month_has_no_past_days_to_tap():
    data = callbacks(month_calendar.month_keyboard(TODAY))
    days = [item for item in data if item.startswith(month_calendar.CB_DAY)]
    assert days == [f"cal:d:2026-11-{day}" for day in range(24, 31)]
    assert not any(item.startswith(month_calendar.CB_MONTH + "2026-10") for item in data)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("cal:m:2026-11", dt.date(2026, 11, 1)),
        ("cal:m:2027-02", dt.date(2027, 2, 1)),
        ("cal:m:2026-10", None),  # before this month
        ("cal:m:2040-01", None),  # beyond the arrows' range
        ("cal:m:2026-13", None),
        ("cal:m:2026-00", None),
        ("cal:m:26-11", None),
        ("cal:m:", None),
        ("", None),
    ],
)
def test_parse_month(data, expected):
    assert month_calendar.parse_month(data, TODAY) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("cal:d:2026-12-31", dt.date(2026, 12, 31)),
        ("cal:d:2028-02-29", dt.date(2028, 2, 29)),
        ("cal:d:2027-02-29", None),
        ("cal:d:2026-1-1", None),
        ("cal:d:0000-01-01", None),
        ("cal:d:2026-12-31x", None),
        ("cal:x", None),
    ],
)
def test_parse_day(data, expected):
    assert month_calendar.parse_day(data) == expected


# --- the reminder renderer (what the outbox dispatcher sends) -------------------------------
@pytest.mark.django_db
def test_reminder_renderer(alice, bob, tomorrow, monkeypatch):
    event = create_event(owner_tg_id=alice.pk, name="Review", date=tomorrow, time=dt.time(15, 0))
    appointment = create_appointment(
        organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=event.pk
    )
    respond_to_invitation(participant_tg_id=bob.pk, appointment_id=appointment.pk, accept=True)
    set_user_timezone(tg_id=bob.pk, text="Asia/Novosibirsk")  # 4 hours ahead of Moscow
    due = event.remind_at
    monkeypatch.setattr(bot_reminders, "clock", lambda: due)
    assert claim_due_reminders(now=due) == 2
    to_alice, to_bob = OutboxMessage.objects.filter(kind="reminder").order_by("chat_id")
    day = f"{tomorrow:%d.%m.%Y}"
    assert bot_reminders.render_reminder(to_alice).text == (
        f"🔔 Напоминание: «Review» начнётся через 30 мин — {day} в 15:00 (Europe/Moscow)."
    )
    assert bot_reminders.render_reminder(to_bob).text == (
        f"🔔 Напоминание о встрече: «Review» начнётся через 30 мин — {day} в 19:00 "
        "(Asia/Novosibirsk)."
    )
    # Cancelled meeting, started event, deleted event: nothing to send any more.
    cancel_appointment(actor_tg_id=alice.pk, appointment_id=appointment.pk)
    assert bot_reminders.render_reminder(to_bob) is None
    monkeypatch.setattr(bot_reminders, "clock", lambda: due + dt.timedelta(hours=1))
    assert bot_reminders.render_reminder(to_alice) is None
    monkeypatch.setattr(bot_reminders, "clock", lambda: due)
    event.delete()
    assert bot_reminders.render_reminder(to_alice) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("9", dt.time(9, 0)), ("21", dt.time(21, 0)), ("0", dt.time(0, 0)), ("7.30", dt.time(7, 30))],
)
def test_a_bare_hour_is_a_time(typed, expected):
    from calendarapp.services.natural_dates import parse_time

    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["24", "99", "123"])
def test_a_bare_number_that_is_no_hour_is_refused(typed):
    from calendarapp.services.natural_dates import parse_time

    with pytest.raises(ValidationFailed):
        parse_time(typed)


@pytest.mark.django_db
def test_dates_before_1900_are_refused_with_their_reason(alice, bob):
    party = create_event(owner_tg_id=alice.pk, name="Party", date=dt.date(2027, 1, 1),
                         time=dt.time(12))  # fmt: skip
    with pytest.raises(ValidationFailed) as error:
        create_appointment(organizer_tg_id=alice.pk, participant_tg_id=bob.pk,
                           event_id=party.pk, date=dt.date(1, 1, 1))  # fmt: skip
    assert error.value.code == "date_too_early"
    assert texts.error_text(error.value) == "Это слишком давно. Укажите дату не раньше 01.01.1900."
    with pytest.raises(ValidationFailed) as error:
        parse_event_when(owner=alice.pk, text="31.12.1899")
    assert error.value.code == "date_too_early"
    meeting = create_appointment(organizer_tg_id=alice.pk, participant_tg_id=bob.pk,
                                 event_id=party.pk, date=dt.date(1900, 1, 1))  # fmt: skip
    assert meeting.date == dt.date(1900, 1, 1)  # a past meeting may still be recorded


@pytest.mark.django_db
def test_dates_more_than_a_century_ahead_are_refused(alice, frozen):
    with pytest.raises(ValidationFailed) as error:
        parse_event_when(owner=alice.pk, text="31.12.9999")
    assert error.value.code == "date_too_far"
    assert texts.error_text(error.value) == "Это слишком далеко. Укажите дату не позже 31.12.2126."
    with pytest.raises(ValidationFailed):
        create_event(owner_tg_id=alice.pk, name="Far", date=dt.date(2127, 1, 1), time=dt.time(10))
    assert create_event(
        owner_tg_id=alice.pk, name="Ok", date=dt.date(2126, 12, 31), time=dt.time(23)
    ).pk


@pytest.mark.parametrize(
    ("zone", "day", "kind", "instant"),
    [
        # Spring forward: 02:00 -> 03:00; 02:30 is 03:30 (UTC+2), 30 minutes after the jump.
        ("Europe/Berlin", dt.date(2027, 3, 28), "gap", dt.datetime(2027, 3, 28, 1, 30)),
        ("America/New_York", dt.date(2027, 3, 14), "gap", dt.datetime(2027, 3, 14, 7, 30)),
        # Fall back: 02:30 Berlin (01:30 in New York) happens twice; the first one counts.
        ("Europe/Berlin", dt.date(2027, 10, 31), "fold", dt.datetime(2027, 10, 31, 0, 30)),
        ("America/New_York", dt.date(2027, 11, 7), "fold", dt.datetime(2027, 11, 7, 5, 30)),
    ],
)
def test_a_time_the_clocks_skip_or_repeat_has_one_meaning(zone, day, kind, instant):
    from calendarapp.timezones import clock_change

    at = dt.time(1, 30) if zone == "America/New_York" and kind == "fold" else dt.time(2, 30)
    found, moment = clock_change(date=day, time=at, zone_name=zone)
    assert found == kind
    assert moment.astimezone(dt.UTC).replace(tzinfo=None) == instant
    assert clock_change(date=day, time=dt.time(12, 0), zone_name=zone) is None
    assert clock_change(date=day + dt.timedelta(days=1), time=at, zone_name=zone) is None
