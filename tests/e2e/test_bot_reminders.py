# ruff: noqa: F811 (the fixtures imported from test_bot_dates are used as parameters)
"""End to end: several reminders per event, every occurrence of a series reminded once
across daylight-saving changes and restarts, and the snooze and done buttons under a
reminder, through the real bot and the fake Bot API, with time travel (no sleeping)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from calendarapp.bot import texts
from calendarapp.models import Event, OutboxMessage, SnoozedReminder
from calendarapp.services.events import create_event, skip_occurrence
from calendarapp.services.reminders import REMINDER, claim_all_due_reminders
from calendarapp.services.users import set_user_timezone
from tests.support.waiting import wait_until

# The bot with a fast reminder job and the movable clock, as for the other reminder tests.
from .test_bot_dates import bot_settings, clock  # noqa: F401

pytestmark = pytest.mark.e2e

BERLIN = "Europe/Berlin"
TEN = dt.time(10, 0)
ACTIONS = ["Отложить на 10 мин", "на 1 час", "завтра", "Готово"]


def at(day: dt.date, time: dt.time, zone: str = BERLIN) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(zone))


def reminders_in(user):
    return [
        item.message
        for item in user.runner.fake.activity[user.id]
        if item.kind == "send" and item.text.startswith("🔔")
    ]


def travel(clock, user, to: dt.datetime, *, expect: int) -> list:
    """Move the clock and wait until the chat holds `expect` reminders in all (then a few
    more job runs, so one too many would show)."""
    clock.now = to
    wait_until(lambda: len(reminders_in(user)) >= expect, message=f"{expect} reminders by {to}")
    reads = clock.reads
    wait_until(lambda: clock.reads >= reads + 3)
    user.seen = len(user.runner.fake.activity[user.id])  # read: later answers are new
    return reminders_in(user)


def test_a_series_with_two_lead_times_is_reminded_before_every_occurrence_across_dst(
    bot, clock, registered_ann
):
    """Daily at 10:00 in Berlin around the spring change (28.03.2027): a day before and 10
    minutes before each occurrence, at 10:00 / 09:50 wall clock on both sides; a cancelled
    day is not reminded; a restart in the middle repeats nothing."""
    ann = registered_ann
    set_user_timezone(tg_id=ann.id, text=BERLIN)
    first = dt.date(2027, 3, 27)
    event = create_event(
        owner_tg_id=ann.id,
        name="Standup",
        date=first,
        time=TEN,
        leads=[10, 1440],
        rrule="FREQ=DAILY;COUNT=4",
    )
    skip_occurrence(owner_tg_id=ann.id, event_id=event.pk, date=dt.date(2027, 3, 29))
    day_before = travel(clock, ann, at(dt.date(2027, 3, 26), TEN), expect=1)[-1]
    assert "«Standup» начнётся через 1 дн. — 27.03.2027 в 10:00 (Europe/Berlin)" in day_before.text
    assert day_before.button_texts() == ACTIONS
    travel(clock, ann, at(first, dt.time(9, 50)), expect=2)
    travel(clock, ann, at(first, TEN), expect=3)  # the 28th's day-before (now summer time)
    bot.restart()
    # 09:50 on the 28th is 07:50 UTC (it was 08:50 UTC the day before).
    clock.now = dt.datetime(2027, 3, 28, 7, 49, tzinfo=dt.UTC)
    assert ann.nothing_more(1.0)
    texts_sent = [
        m.text for m in travel(clock, ann, at(dt.date(2027, 3, 28), dt.time(9, 50)), expect=4)
    ]
    assert "начнётся через 10 мин — 28.03.2027 в 10:00" in texts_sent[-1]
    # The 29th is cancelled: its reminders never come; the 30th's do.
    travel(clock, ann, at(dt.date(2027, 3, 29), TEN), expect=5)
    final = travel(clock, ann, at(dt.date(2027, 3, 30), dt.time(9, 50)), expect=6)
    assert [m.text.split(" — ")[1][:10] for m in final] == [
        "27.03.2027",
        "27.03.2027",
        "28.03.2027",
        "28.03.2027",
        "30.03.2027",
        "30.03.2027",
    ]
    assert ann.nothing_more(1.0)
    assert OutboxMessage.objects.filter(kind=REMINDER).count() == 6


def test_an_occurrence_claimed_just_before_a_crash_is_sent_once_after_restart(
    bot, clock, registered_ann, next_year
):
    ann = registered_ann
    create_event(
        owner_tg_id=ann.id,
        name="Weekly",
        date=next_year,
        time=TEN,
        leads=[30],
        rrule="FREQ=WEEKLY",
    )
    second = next_year + dt.timedelta(weeks=1)
    bot.stop_bot()
    # The claim committed (outbox row written, the row moved on) and the process died.
    clock.now = at(second, dt.time(9, 30), "Europe/Moscow")
    assert claim_all_due_reminders(now=clock.now) == 1
    bot.start_bot()
    (message,) = travel(clock, ann, clock.now, expect=1)
    assert f"«Weekly» начнётся через 30 мин — {second:%d.%m.%Y} в 10:00" in message.text
    bot.restart()
    assert ann.nothing_more(1.0)
    assert len(reminders_in(ann)) == 1


def _one_reminder(clock, ann, day: dt.date):
    create_event(owner_tg_id=ann.id, name="Call", date=day, time=TEN, leads=[60])
    (message,) = travel(clock, ann, at(day, dt.time(9, 0), "Europe/Moscow"), expect=1)
    return message


def test_snooze_brings_the_reminder_back_once_across_a_restart(
    bot, clock, registered_ann, next_year
):
    ann = registered_ann
    message = _one_reminder(clock, ann, next_year)
    assert message.button_texts() == ACTIONS
    assert ann.press("Отложить на 10 мин") == f"Напомню ещё раз {next_year:%d.%m.%Y} в 09:10."
    assert ann.wait_for_reply().kind == "edit"
    assert message.text.endswith(f"⏰ Отложено до {next_year:%d.%m.%Y} 09:10.")
    assert message.button_texts() == []
    # The old button again (a double press, a stale message): a toast, no second snooze.
    ann.press_data(f"rs:{OutboxMessage.objects.get(kind=REMINDER).pk}:1h", message)
    assert ann.wait_for_reply().text == texts.ERRORS["reminder_handled"]
    bot.restart()
    clock.now = at(next_year, dt.time(9, 9, 59), "Europe/Moscow")
    assert ann.nothing_more(1.0)
    again = travel(clock, ann, at(next_year, dt.time(9, 10), "Europe/Moscow"), expect=2)[-1]
    assert again.text == (
        f"🔔 Напоминаю ещё раз: «Call» начнётся через 50 мин — {next_year:%d.%m.%Y} в 10:00 "
        "(Europe/Moscow)."
    )
    assert again.button_texts() == ACTIONS
    bot.restart()
    clock.now += dt.timedelta(minutes=20)
    assert ann.nothing_more(1.5)
    assert len(reminders_in(ann)) == 2
    assert SnoozedReminder.objects.get().queued_at is not None
    # «Готово» under the second one: done, its buttons gone.
    assert ann.press("Готово") == texts.REMINDER_DONE_TOAST
    wait_until(lambda: again.edits == 1)
    assert again.text.endswith("✓ Готово.") and again.button_texts() == []


def test_snoozing_after_the_event_began_says_so(bot, clock, registered_ann, next_year):
    ann = registered_ann
    message = _one_reminder(clock, ann, next_year)
    clock.now = at(next_year, dt.time(10, 5), "Europe/Moscow")
    assert ann.press("на 1 час") == texts.ERRORS["reminder_event_over"].format(name="Call")
    clock.now = at(next_year, dt.time(9, 5), "Europe/Moscow")
    assert ann.press("завтра") == texts.ERRORS["snooze_after_start"].format(name="Call")
    assert message.edits == 0 and message.button_texts() == ACTIONS
    assert not SnoozedReminder.objects.exists()


def test_forged_and_foreign_snooze_buttons_get_a_toast(bot, clock, registered_ann, next_year):
    ann = registered_ann
    bob = bot.user(5002, "Bob", "bob")
    bob.ask("/register")
    message = _one_reminder(clock, ann, next_year)
    own = OutboxMessage.objects.get(kind=REMINDER).pk
    for data, code in [
        (f"rs:{own}:zz", "snooze_invalid"),
        ("rs:999999:10m", "reminder_not_found"),
        ("rs:1:ok", "reminder_not_found"),
    ]:
        ann.press_data(data, message)
        assert ann.wait_for_reply().text == texts.ERRORS[code], data
    # Bob presses Ann's reminder's button (forged into his chat): not his.
    bob.press_data(f"rs:{own}:10m", bob.last_message())
    assert bob.wait_for_reply().text == texts.ERRORS["reminder_not_found"]
    assert not SnoozedReminder.objects.exists()
    assert message.button_texts() == ACTIONS


def test_the_card_opens_the_reminder_toggles(bot, registered_ann, next_year):
    ann = registered_ann
    event = create_event(owner_tg_id=ann.id, name="Dentist", date=next_year, time=TEN)
    ann.ask(f"/read_event {event.pk}")
    assert "⏰ Напоминания" in ann.buttons()
    answer = ann.press("⏰ Напоминания")
    assert answer.startswith("⏰ Напоминания о «Dentist»") and answer.endswith(
        "Напоминание: за 30 минут."
    )
    toggles = ann.last_message()
    assert ann.press("За 1 день").endswith("Напоминания: за 1 день, за 30 минут.")
    assert ann.press("За 10 минут").endswith("Напоминания: за 1 день, за 30 минут, за 10 минут.")
    assert toggles.edits == 2
    assert Event.objects.get(pk=event.pk).leads == [10, 30, 1440]
    ann.press_data(f"rmk:{event.pk}:7", toggles)
    assert ann.wait_for_reply().text == texts.ERRORS["reminder_invalid"]
    ann.press_data("rmk:999999", toggles)
    assert ann.wait_for_reply().text == "Событие #999999 не найдено."
