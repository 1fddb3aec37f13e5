"""End to end: what a newcomer trips over in the first hour.

Nothing typed is dropped or misread (a day typed at the time step, an impossible time, a
huge number), /edit_event changes any field, meetings show the time on the reader's clock,
/timezone understands UTC offsets, one date format, and deleting an event with guests says
who will be told first.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from calendarapp.bot import texts
from calendarapp.models import Appointment, Event, TgUser
from calendarapp.services.appointments import create_appointment, respond_to_invitation
from calendarapp.services.events import create_event
from calendarapp.services.users import set_user_timezone

pytestmark = pytest.mark.e2e

HUGE = "99999999999999999999999"
TOO_LARGE = texts.ERRORS["id_too_large"].format(text=HUGE)


def weekday(date: dt.date) -> str:
    return str(texts.CAL_WEEKDAYS[date.weekday()]).lower()


@pytest.fixture
def party(ann_event):
    return ann_event("Party", dt.time(18, 30), reminder_minutes=60)


def to_time_step(ann, day: dt.date) -> None:
    assert ann.ask("/create_event") == texts.ASK_NAME
    assert ann.ask("Lunch") == texts.ASK_DATE
    assert ann.ask(day.isoformat()).endswith(texts.ASK_TIME)


# --- nothing typed is dropped -----------------------------------------------------------------
def test_a_day_typed_at_the_time_step_moves_the_date_and_says_so(bot, registered_ann, next_year):
    ann = registered_ann
    to_time_step(ann, next_year)
    answer = ann.ask("next friday 12:30")
    moscow_today = dt.datetime.now(ZoneInfo("Europe/Moscow")).date()
    friday = next(
        moscow_today + dt.timedelta(days=n)
        for n in range(1, 8)
        if (moscow_today + dt.timedelta(days=n)).weekday() == 4
    )
    day = f"{friday:%d.%m.%Y} ({weekday(friday)})"
    assert answer == f"{texts.DATE_MOVED.format(date=day, time='12:30')}\n\n{texts.ASK_DETAILS}"
    assert "Событие создано" in ann.ask("-")
    event = Event.objects.get(name="Lunch")
    assert (event.date, event.time) == (friday, dt.time(12, 30))


def test_an_impossible_time_in_a_date_phrase_is_refused(bot, registered_ann):
    ann = registered_ann
    assert ann.ask("/create_event") == texts.ASK_NAME
    assert ann.ask("Lunch") == texts.ASK_DATE
    assert ann.ask("завтра в 25:99") == f"Такого времени не бывает: 25:99.\n\n{texts.ASK_DATE}"


def test_an_impossible_time_at_the_time_step_is_called_impossible(bot, registered_ann, next_year):
    ann = registered_ann
    to_time_step(ann, next_year)
    assert ann.ask("25:99") == f"Такого времени не бывает: 25:99.\n\n{texts.ASK_TIME}"


@pytest.mark.parametrize("command", ["/read_event", "/edit_event", "/delete_event"])
def test_a_huge_event_number_is_no_such_event(bot, registered_ann, party, command):
    ann = registered_ann
    assert ann.ask(f"{command} {HUGE}").startswith(TOO_LARGE)
    assert ann.ask(command) != ""  # the picker
    assert ann.ask(HUGE).startswith(TOO_LARGE)


def test_a_huge_event_number_at_the_invitation_step(bot, registered_ann, bob, party):
    ann = registered_ann
    assert ann.ask("/invite") == texts.ASK_PARTICIPANT
    ann.send("@bob")
    assert ann.wait_for_replies(2)[1].text == texts.ASK_INVITE_EVENT
    assert ann.ask(HUGE).startswith(TOO_LARGE)


# --- /edit_event: any field -------------------------------------------------------------------
def choose_field(ann, event, label) -> str:
    question = ann.ask(f"/edit_event {event.pk}")
    assert question.startswith("Что изменить?")
    assert ann.buttons() == [
        texts.BTN_EDIT_NAME,
        texts.BTN_EDIT_DATE,
        texts.BTN_EDIT_TIME,
        texts.BTN_EDIT_DETAILS,
        texts.BTN_CANCEL,
    ]
    return ann.press(label)


def test_edit_the_name(bot, registered_ann, party):
    ann = registered_ann
    assert choose_field(ann, party, texts.BTN_EDIT_NAME).startswith("Новое название")
    assert ann.ask("   ").startswith(texts.ERRORS["name_empty"])
    assert ann.ask("Birthday party").startswith("Событие изменено:\nСобытие #")
    assert Event.objects.get(pk=party.pk).name == "Birthday party"


def test_edit_the_date_refuses_the_past_and_moves_the_reminder(bot, registered_ann, party):
    ann = registered_ann
    assert choose_field(ann, party, texts.BTN_EDIT_DATE).startswith("Новая дата")
    assert ann.ask("01.01.2020").startswith(texts.ERRORS["date_in_past"])
    new_day = party.date + dt.timedelta(days=3)
    answer = ann.ask(f"{new_day:%d.%m.%Y}")
    assert f"{new_day:%d.%m.%Y} ({weekday(new_day)}) 18:30" in answer
    event = Event.objects.get(pk=party.pk)
    assert (event.date, event.time) == (new_day, dt.time(18, 30))
    starts = dt.datetime.combine(new_day, dt.time(18, 30), tzinfo=ZoneInfo("Europe/Moscow"))
    assert event.remind_at == starts - dt.timedelta(minutes=60)


def test_edit_the_date_by_tapping_a_day(bot, registered_ann, party):
    ann = registered_ann
    choose_field(ann, party, texts.BTN_EDIT_DATE)
    month = f"{texts.CAL_MONTHS[party.date.month - 1]} {party.date.year}"
    assert month in ann.buttons()  # the calendar opens at the event's month
    ann.press(texts.BTN_CAL_NEXT)
    answer = ann.press("20")
    next_month = (party.date.replace(day=1) + dt.timedelta(days=32)).replace(day=20)
    assert answer.startswith("Событие изменено:") and f"{next_month:%d.%m.%Y}" in answer
    assert Event.objects.get(pk=party.pk).date == next_month


def test_edit_the_time_like_create_does(bot, registered_ann, party):
    ann = registered_ann
    assert choose_field(ann, party, texts.BTN_EDIT_TIME).startswith("Новое время")
    assert ann.ask("25:99").startswith("Такого времени не бывает: 25:99.")
    assert "09:15" in ann.ask("9:15")
    event = Event.objects.get(pk=party.pk)
    assert (event.date, event.time) == (party.date, dt.time(9, 15))
    starts = dt.datetime.combine(party.date, dt.time(9, 15), tzinfo=ZoneInfo("Europe/Moscow"))
    assert event.remind_at == starts - dt.timedelta(minutes=60)


def test_edit_the_details_by_button_and_inline(bot, registered_ann, party):
    ann = registered_ann
    assert choose_field(ann, party, texts.BTN_EDIT_DETAILS) == texts.ASK_NEW_DETAILS.format(
        id=party.pk, limit=1000
    )
    assert ann.ask("Bring snacks") == texts.EVENT_EDITED.format(id=party.pk)
    assert ann.ask(f"/edit_event {party.pk} Bring cake") == texts.EVENT_EDITED.format(id=party.pk)
    assert Event.objects.get(pk=party.pk).details == "Bring cake"


def test_edit_typed_text_instead_of_a_field_button_asks_again(bot, registered_ann, party):
    ann = registered_ann
    ann.ask(f"/edit_event {party.pk}")
    assert ann.ask("дата").startswith(texts.EDIT_FIELD_EXPECTED)
    assert ann.press(texts.BTN_EDIT_NAME).startswith("Новое название")


# --- meetings on the reader's clock, UTC offsets, one date format -----------------------------
def test_a_meeting_shows_on_each_persons_own_clock(bot, registered_ann, bob, next_year):
    ann = registered_ann
    set_user_timezone(tg_id=ann.id, text="Europe/Berlin")
    set_user_timezone(tg_id=bob.id, text="Europe/Moscow")  # two hours ahead of Berlin in January
    event = create_event(owner_tg_id=ann.id, name="Call", date=next_year, time=dt.time(19, 0))
    meeting = create_appointment(
        organizer_tg_id=ann.id, participant_tg_id=bob.id, event_id=event.pk
    )
    invitation = bob.wait_for_reply().text
    assert f"{next_year:%d.%m.%Y} ({weekday(next_year)}) 21:00" in invitation
    assert "у организатора 19:00, Europe/Berlin" in invitation
    assert f"{next_year:%d.%m.%Y} 21:00" in bob.ask("/meetings")
    assert f"{next_year:%d.%m.%Y} 19:00" in ann.ask("/meetings")
    respond_to_invitation(participant_tg_id=bob.id, appointment_id=meeting.pk, accept=True)
    ann.wait_for_reply()
    assert f"встреча #{meeting.pk} · {next_year:%d.%m.%Y} 21:00" in bob.ask("/calendar")


@pytest.mark.parametrize(
    ("typed", "zone", "shown"),
    [
        ("UTC+3", "Etc/GMT-3", "UTC+3"),
        ("GMT+3", "Etc/GMT-3", "UTC+3"),
        ("+3", "Etc/GMT-3", "UTC+3"),
        ("UTC-5", "Etc/GMT+5", "UTC-5"),
    ],
)
def test_timezone_as_a_utc_offset(bot, registered_ann, typed, zone, shown):
    ann = registered_ann
    answer = ann.ask(f"/timezone {typed}")
    assert answer.startswith(f"Часовой пояс: {shown}, сейчас там ")
    assert TgUser.objects.get(pk=ann.id).timezone == zone


def test_timezone_offset_with_minutes_is_refused_with_a_hint(bot, registered_ann):
    answer = registered_ann.ask("/timezone UTC+5:30")
    assert answer.startswith(texts.ERRORS["timezone_offset_minutes"].format(text="UTC+5:30"))


def test_one_date_format_in_lists_cards_and_refusals(bot, registered_ann, party):
    ann = registered_ann
    day = f"{party.date:%d.%m.%Y}"
    assert f"#{party.pk} · {day} 18:30 · Party" in ann.ask("/display_events")
    assert f"Когда: {day} ({weekday(party.date)}) 18:30" in ann.ask(f"/read_event {party.pk}")
    ann.ask("/read_event")
    assert f"#{party.pk} {day} 18:30 Party" in ann.buttons()
    ann.ask("/cancel")
    assert ann.ask("/create_event") == texts.ASK_NAME
    ann.ask("Far")
    latest = dt.datetime.now(ZoneInfo("Europe/Moscow")).year + 100
    assert f"не позже 31.12.{latest}." in ann.ask("31.12.9999")


# --- deleting an event with guests -------------------------------------------------------------
def test_delete_confirmation_names_the_guests_first(bot, registered_ann, bob, carol, party):
    ann = registered_ann
    coming = create_appointment(organizer_tg_id=ann.id, participant_tg_id=bob.id, event_id=party.pk)
    create_appointment(organizer_tg_id=ann.id, participant_tg_id=carol.id, event_id=party.pk)
    respond_to_invitation(participant_tg_id=bob.id, appointment_id=coming.pk, accept=True)
    assert ann.wait_for_reply().text.startswith("✅ Bob (@bob) принимает")
    question = ann.ask(f"/delete_event {party.pk}")
    assert question.endswith(
        "На встречу придут: Bob (@bob).\n"
        "Приглашены и ещё не ответили: Carol (@carol).\n"
        "Они получат уведомление об отмене."
    )
    assert ann.buttons() == [texts.BTN_CONFIRM_DELETE, texts.BTN_CANCEL]


def test_an_over_long_invitation_comment_is_called_a_comment(bot, registered_ann, bob, party):
    ann = registered_ann
    assert ann.ask("/invite") == texts.ASK_PARTICIPANT
    ann.send("@bob")
    ann.wait_for_replies(2)
    assert ann.ask(str(party.pk)) == texts.ASK_INVITE_DETAILS
    assert ann.ask("x" * 600).startswith("Комментарий длиннее 500 символов.")
    assert not Appointment.objects.exists()
