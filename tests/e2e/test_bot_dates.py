"""End to end: natural dates, the month calendar, the reminder buttons, /settings, /timezone,
and reminders delivered by the bot with time travel (a movable clock, no sleeping)."""

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest

from calendarapp.bot import texts
from calendarapp.bot.outbox import reminders as bot_reminders
from calendarapp.models import Event, OutboxMessage, TgUser
from calendarapp.services.appointments import create_appointment, respond_to_invitation
from calendarapp.services.events import create_event
from calendarapp.services.reminders import REMINDER, claim_due_reminders
from calendarapp.services.users import set_user_timezone
from tests.support.clock import Clock
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

MOSCOW = ZoneInfo("Europe/Moscow")
# UTC+14 and UTC-11: 25 hours apart, so their calendar dates always differ.
KIRITIMATI, PAGO_PAGO = "Pacific/Kiritimati", "Pacific/Pago_Pago"


@pytest.fixture
def bot_settings():
    """A fast reminder job (it still only acts on what the clock says)."""
    return {"REMINDER_POLL_INTERVAL": 0.2}


@pytest.fixture
def clock(monkeypatch):
    """The bot's notion of "now" for reminders; a test moves it instead of sleeping."""
    moving = Clock()
    monkeypatch.setattr(bot_reminders, "clock", moving)
    return moving


def local_now(zone: str) -> dt.datetime:
    return dt.datetime.now(ZoneInfo(zone))


def day_text(date: dt.date) -> str:
    return f"{date:%d.%m.%Y} ({texts.CAL_WEEKDAYS[date.weekday()].lower()})"


def press_data(user, data: str):
    """Press a button of the newest bot message with arbitrary (possibly forged) data."""
    message = user.last_message()
    user.runner.call(user.runner.fake.press, user.user, message, data)


def start_dialog(user, name: str = "Party") -> str:
    assert user.ask("/create_event") == texts.ASK_NAME
    return user.ask(name)


# --- natural dates ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("phrase", "offset_days"), [("завтра", 1), ("послезавтра", 2), ("tomorrow", 1)]
)
def test_relative_day_is_understood_and_time_asked(bot, registered_ann, phrase, offset_days):
    ann = registered_ann
    assert start_dialog(ann) == texts.ASK_DATE
    tomorrow = local_now("Europe/Moscow").date() + dt.timedelta(days=offset_days)
    answer = ann.ask(phrase)
    assert answer == f"{texts.DATE_CHOSEN.format(date=day_text(tomorrow))}\n\n{texts.ASK_TIME}"


def test_weekday_month_name_and_next_monday(bot, registered_ann):
    ann = registered_ann
    today = local_now("Europe/Moscow").date()
    friday = today + dt.timedelta(days=(4 - today.weekday()) % 7 or 7)
    monday = today + dt.timedelta(days=(0 - today.weekday()) % 7 or 7)
    christmas = dt.date(today.year, 12, 25)
    christmas = christmas if christmas >= today else christmas.replace(year=today.year + 1)
    for phrase, expected in [
        ("в пятницу", friday),
        ("next monday", monday),
        ("25 декабря", christmas),
    ]:
        start_dialog(ann)
        assert day_text(expected) in ann.ask(phrase), phrase


def test_phrase_with_a_time_skips_the_time_step(bot, registered_ann):
    ann = registered_ann
    start_dialog(ann, "Dentist")
    tomorrow = local_now("Europe/Moscow").date() + dt.timedelta(days=1)
    answer = ann.ask("завтра в 15:00")
    note = texts.WHEN_CHOSEN.format(date=day_text(tomorrow), time="15:00")
    assert answer == f"{note}\n\n{texts.ASK_DETAILS}"
    assert "Событие создано" in ann.ask("-")
    event = Event.objects.get()
    assert (event.date, event.time) == (tomorrow, dt.time(15, 0))


def test_in_two_hours_and_english_time(bot, registered_ann):
    ann = registered_ann
    start_dialog(ann, "Soon")
    before = local_now("Europe/Moscow").replace(tzinfo=None, second=0, microsecond=0)
    assert ann.ask("через 2 часа").endswith(texts.ASK_DETAILS)
    assert "Событие создано" in ann.ask("-")
    event = Event.objects.get()
    moment = dt.datetime.combine(event.date, event.time)
    assert dt.timedelta(0) <= moment - (before + dt.timedelta(hours=2)) <= dt.timedelta(minutes=1)
    start_dialog(ann, "Later")
    tomorrow = local_now("Europe/Moscow").date() + dt.timedelta(days=1)
    note = texts.WHEN_CHOSEN.format(date=day_text(tomorrow), time="15:00")
    assert ann.ask("tomorrow 15:00").startswith(note)


def test_dates_are_relative_to_the_users_own_zone(bot, registered_ann):
    ann = registered_ann
    for zone in (KIRITIMATI, PAGO_PAGO):  # a day apart: the next dialog follows at once
        assert zone in ann.ask(f"/timezone {zone}")
        start_dialog(ann)
        today = local_now(zone).date()
        assert ann.ask("сегодня").startswith(texts.DATE_CHOSEN.format(date=day_text(today)))


def test_a_zone_changed_elsewhere_is_used_within_a_minute(bot, registered_ann):
    """The bot keeps each sender's row for a minute (bot/runtime/profiles.py): a change made in the
    admin or through the API reaches the dialogs once that minute is over."""
    ann = registered_ann
    assert KIRITIMATI in ann.ask(f"/timezone {KIRITIMATI}")
    set_user_timezone(tg_id=ann.id, text=PAGO_PAGO)  # as the admin or the API would
    start_dialog(ann)
    kiritimati_today = day_text(local_now(KIRITIMATI).date())
    assert ann.ask("сегодня").startswith(texts.DATE_CHOSEN.format(date=kiritimati_today))
    profiles = bot.session.application.profiles
    profiles.clock = lambda: time.monotonic() + 61  # a minute later
    start_dialog(ann)
    pago_today = day_text(local_now(PAGO_PAGO).date())
    assert ann.ask("сегодня").startswith(texts.DATE_CHOSEN.format(date=pago_today))


def test_past_dates_and_times_are_refused_with_the_question_again(bot, registered_ann):
    ann = registered_ann
    start_dialog(ann)
    for past in ("вчера", "2001-01-01", "01.01.2001"):
        answer = ann.ask(past)
        assert answer.startswith(texts.ERRORS["date_in_past"]), past
        assert answer.endswith(texts.ASK_DATE)
    answer = ann.ask("вчера в 10:00")
    assert "уже прошло" in answer and answer.endswith(texts.ASK_DATE)
    # Today is fine as a day, but a time already gone is refused at the time step.
    ann.ask("сегодня")
    zone_now = local_now("Europe/Moscow")
    if zone_now.hour >= 1:  # there is a past hour today
        gone = (zone_now - dt.timedelta(hours=1)).strftime("%H:%M")
        answer = ann.ask(gone)
        assert "уже прошло" in answer and answer.endswith(texts.ASK_TIME)
    assert not Event.objects.exists()


def test_unparseable_date_gets_a_hint(bot, registered_ann):
    ann = registered_ann
    start_dialog(ann)
    answer = ann.ask("когда-нибудь")
    assert answer.startswith("Не понял дату «когда-нибудь»") and answer.endswith(texts.ASK_DATE)
    assert ann.ask("x" * 3000).endswith(texts.ASK_DATE)


# --- the month calendar ----------------------------------------------------------------------
def test_tap_a_date_in_the_month_calendar(bot, registered_ann):
    ann = registered_ann
    start_dialog(ann)
    today = local_now("Europe/Moscow").date()
    buttons = ann.buttons()
    title = f"{texts.CAL_MONTHS[today.month - 1]} {today.year}"
    assert title in buttons and texts.BTN_CAL_NEXT in buttons
    assert texts.BTN_CAL_PREV not in buttons  # no going back before this month
    assert str(today.day) in buttons and "Отмена" in buttons
    if today.day > 1:  # past days of this month cannot be tapped
        assert "1" not in buttons and texts.CAL_PAST_DAY in buttons
    ann.press(texts.BTN_CAL_NEXT)
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    assert f"{texts.CAL_MONTHS[next_month.month - 1]} {next_month.year}" in ann.buttons()
    assert "1" in ann.buttons() and texts.BTN_CAL_PREV in ann.buttons()
    ann.press(texts.BTN_CAL_NEXT)
    ann.press(texts.BTN_CAL_PREV)
    picked = next_month.replace(day=15)
    assert (
        ann.press("15") == f"{texts.DATE_CHOSEN.format(date=day_text(picked))}\n\n{texts.ASK_TIME}"
    )
    assert ann.ask("19:00") == texts.ASK_DETAILS
    assert "Событие создано" in ann.ask("-")
    event = Event.objects.get()
    assert (event.date, event.time) == (picked, dt.time(19, 0))


def test_calendar_month_survives_a_bad_answer(bot, registered_ann):
    ann = registered_ann
    start_dialog(ann)
    ann.press(texts.BTN_CAL_NEXT)
    shown = ann.buttons()
    assert ann.ask("чепуха").endswith(texts.ASK_DATE)
    assert ann.buttons() == shown  # the question comes back with the month the user was on


def test_forged_calendar_buttons_are_refused(bot, registered_ann):
    ann = registered_ann
    start_dialog(ann)
    press_data(ann, "cal:d:2001-01-01")
    assert ann.wait_for_reply().text.startswith(texts.ERRORS["date_in_past"])
    press_data(ann, "cal:d:2030-02-30")
    assert ann.wait_for_reply().text.endswith(texts.ASK_DATE)
    press_data(ann, "cal:m:1999-01")
    assert ann.wait_for_reply().text == texts.CAL_OUT_OF_RANGE
    press_data(ann, "cal:m:2999-13")
    assert ann.wait_for_reply().text == texts.CAL_OUT_OF_RANGE
    press_data(ann, "cal:zzz")
    assert ann.wait_for_reply().text == texts.BUTTON_EXPIRED
    press_data(ann, "cal:x")  # a header: quietly acknowledged
    assert ann.nothing_more()
    assert ann.ask(f"{dt.date.today().year + 1}-03-01").endswith(texts.ASK_TIME)


def test_every_callback_fits_telegrams_limit(bot, registered_ann):
    ann = registered_ann
    start_dialog(ann)
    for _ in range(3):
        sizes = [len(b["callback_data"].encode()) for b in ann.last_message().buttons()]
        assert max(sizes) <= 64
        ann.press(texts.BTN_CAL_NEXT)


# --- the reminder, as buttons under the created event ------------------------------------------
LEADS = ["Без напоминания", "За 10 минут", "За 30 минут", "За 1 час", "За 1 день"]


def marked(*chosen: str) -> list[str]:
    """The confirmation's buttons: the lead times, those switched on marked, and 🔁."""
    return [("✓ " if label in chosen else "") + label for label in LEADS] + ["🔁 Повторять"]


def walk_to_created(user, next_year: dt.date) -> str:
    start_dialog(user)
    user.ask(next_year.isoformat())
    user.ask("18:00")
    return user.ask("Bring cake")


def test_the_details_answer_creates_the_event_with_the_default_reminder(
    bot, registered_ann, next_year
):
    """Four answers (name, date, time, details) and the event exists; the reminder is the
    default, shown with its buttons under the confirmation."""
    ann = registered_ann
    answer = walk_to_created(ann, next_year)
    assert answer.startswith("Событие создано") and "Bring cake" in answer
    assert answer.endswith("Напоминание: за 30 минут (по умолчанию).")
    assert ann.buttons() == marked("За 30 минут")
    event = Event.objects.get()
    starts = dt.datetime.combine(next_year, dt.time(18, 0), tzinfo=MOSCOW)
    assert (event.reminder_minutes, event.remind_at) == (30, starts - dt.timedelta(minutes=30))
    assert ann.ask("something") == texts.NOT_UNDERSTOOD  # no fifth question


def test_reminder_buttons_switch_lead_times_in_place_after_the_dialog(
    bot, registered_ann, next_year
):
    ann = registered_ann
    walk_to_created(ann, next_year)
    created = ann.last_message()
    answer = ann.press("За 1 день")  # on, next to the default's 30 minutes
    assert answer.startswith("Событие создано")
    assert answer.endswith("Напоминания: за 1 день, за 30 минут.")
    assert (created.edits, created.button_texts()) == (1, marked("За 30 минут", "За 1 день"))
    event = Event.objects.get()
    starts = dt.datetime.combine(next_year, dt.time(18, 0), tzinfo=MOSCOW)
    assert event.leads == [30, 1440]
    assert event.remind_at == starts - dt.timedelta(days=1)
    assert ann.press("✓ За 30 минут").endswith("Напоминание: за 1 день.")  # off again
    assert created.button_texts() == marked("За 1 день")
    # Other dialogs and commands later, the buttons still work.
    ann.ask("/display_events")
    ann.ask("/create_event")
    assert ann.press("Без напоминания").endswith("Напоминание: без напоминания.")
    assert created.button_texts() == marked("Без напоминания")
    assert (event.leads, event.remind_at) == ([], None)
    assert ann.ask("Second") == texts.ASK_DATE  # the dialog opened meanwhile is still there


def test_forged_or_foreign_reminder_buttons_change_nothing(bot, registered_ann, next_year):
    ann = registered_ann
    bob = bot.user(5002, "Bob", "bob")
    bob.ask("/register")
    bobs = create_event(owner_tg_id=bob.id, name="Bob's", date=next_year, time=dt.time(9, 0))
    walk_to_created(ann, next_year)
    event = Event.objects.get(owner_id=ann.id)
    for forged in (f"rem:{event.pk}:7", f"rem:{event.pk}:99999", f"rem:{event.pk}:zz"):
        press_data(ann, forged)
        assert ann.wait_for_reply().text == texts.ERRORS["reminder_invalid"], forged
    for foreign in (f"rem:{bobs.pk}:60", "rem:999999:60"):
        press_data(ann, foreign)
        event_id = foreign.split(":")[1]
        assert ann.wait_for_reply().text == f"Событие #{event_id} не найдено.", foreign
    press_data(ann, "rem:60")  # a button of the reminder question older versions asked
    assert ann.wait_for_reply().text == texts.BUTTON_EXPIRED
    assert [event.leads for event in Event.objects.order_by("id")] == [[30], [30]]
    assert ann.buttons() == marked("За 30 минут")


# --- /settings -------------------------------------------------------------------------------
def test_settings_change_the_default_lead_time(bot, registered_ann, next_year):
    ann = registered_ann
    answer = ann.ask("/settings")
    assert "Europe/Moscow" in answer and "по умолчанию: за 30 минут" in answer
    assert "✓ За 30 минут" in ann.buttons()
    assert ann.press("За 1 день") == texts.SETTINGS_SAVED.format(phrase="за 1 день")
    assert "по умолчанию: за 1 день" in ann.wait_for_reply().text
    assert "✓ За 1 день" in ann.buttons() and "За 30 минут" in ann.buttons()
    assert TgUser.objects.get(pk=ann.id).default_reminder_minutes == 1440
    # New events start from the new default.
    assert walk_to_created(ann, next_year).endswith("Напоминание: за 1 день (по умолчанию).")
    assert ann.buttons() == marked("За 1 день")
    assert Event.objects.get().leads == [1440]
    ann.ask("/settings")
    ann.press("Без напоминания")
    ann.wait_for_reply()
    assert TgUser.objects.get(pk=ann.id).default_reminder_minutes is None


def test_settings_pressing_the_chosen_lead_time_again_changes_nothing_and_errs_nowhere(
    bot, registered_ann, caplog
):
    ann = registered_ann
    ann.ask("/settings")
    # Telegram refuses an edit to the same text ("message is not modified"): that is success.
    assert ann.press("✓ За 30 минут") == texts.SETTINGS_SAVED.format(phrase="за 30 минут")
    assert ann.nothing_more(1.0)  # no "something went wrong"
    assert not [r for r in caplog.records if "Error while handling update" in r.getMessage()]
    assert TgUser.objects.get(pk=ann.id).default_reminder_minutes == 30


def test_settings_forged_and_unregistered(bot, registered_ann, ann_stranger):
    ann = registered_ann
    ann.ask("/settings")
    press_data(ann, "set:rem:7")
    assert ann.wait_for_reply().text == texts.ERRORS["reminder_invalid"]
    press_data(ann, "set:rem:zz")
    assert ann.wait_for_reply().text == texts.ERRORS["reminder_invalid"]
    assert TgUser.objects.get(pk=ann.id).default_reminder_minutes == 30
    assert ann_stranger.ask("/settings") == texts.NEED_REGISTER
    assert ann_stranger.ask("/timezone") == texts.NEED_REGISTER


@pytest.fixture
def ann_stranger(bot):
    return bot.user(5009, "Stranger", "stranger")


def test_settings_and_timezone_are_in_the_menu_and_help(bot, ann):
    assert "/settings" in ann.ask("/help") and "/timezone" in ann.ask("/help")
    assert {"settings", "timezone"} <= {c["command"] for c in bot.fake.commands[""]}


# --- /timezone -------------------------------------------------------------------------------
def test_timezone_by_button_moves_pending_reminders(bot, registered_ann, next_year):
    ann = registered_ann
    event = create_event(owner_tg_id=ann.id, name="Call", date=next_year, time=dt.time(12, 0))
    answer = ann.ask("/timezone")
    assert answer.startswith("Ваш часовой пояс: Europe/Moscow")
    assert any(label.startswith("Берлин (UTC+") for label in ann.buttons())
    berlin = next(label for label in ann.buttons() if label.startswith("Берлин"))
    assert ann.press(berlin).startswith("Часовой пояс: Europe/Berlin")
    event.refresh_from_db()
    noon_berlin = dt.datetime.combine(next_year, dt.time(12, 0), tzinfo=ZoneInfo("Europe/Berlin"))
    assert event.remind_at == noon_berlin - dt.timedelta(minutes=30)
    assert ann.ask("Europe/Moscow") == texts.NOT_UNDERSTOOD  # the dialog is over


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("Новосибирск", "Asia/Novosibirsk"),
        ("london", "Europe/London"),
    ],
)
def test_timezone_typed_name_or_city(bot, registered_ann, typed, zone):
    ann = registered_ann
    ann.ask("/timezone")
    assert ann.ask(typed).startswith(f"Часовой пояс: {zone}")
    assert TgUser.objects.get(pk=ann.id).timezone == zone


def test_timezone_inline_argument_and_bad_names(bot, registered_ann):
    ann = registered_ann
    assert ann.ask("/timezone Asia/Vladivostok").startswith("Часовой пояс: Asia/Vladivostok")
    answer = ann.ask("/timezone Марс")
    assert answer.startswith("Не знаю часового пояса «Марс»")
    assert "Ваш часовой пояс: Asia/Vladivostok" in answer
    assert ann.ask("Mars/Olympus").startswith("Не знаю часового пояса")
    press_data(ann, "tz:Mars/Base")
    assert ann.wait_for_reply().text.startswith("Не знаю часового пояса")
    ann.send_sticker()
    assert ann.wait_for_reply().text.startswith(texts.TEXT_EXPECTED)
    assert ann.press("Отмена") == texts.CANCELLED
    assert TgUser.objects.get(pk=ann.id).timezone == "Asia/Vladivostok"


# --- reminders delivered by the bot (time travel) -----------------------------------------------
def reminders_in(user) -> list[str]:
    """Reminder texts the bot has sent to this user so far."""
    return [
        item.text
        for item in user.runner.fake.activity[user.id]
        if item.kind == "send" and item.text.startswith("🔔")
    ]


def wait_for_reminder(user, count: int = 1) -> list[str]:
    """Read the user's chat until `count` reminders arrived (other notifications skipped)."""
    for _ in range(20):
        if len(reminders_in(user)) >= count:
            break
        user.wait_for_reply()
    return reminders_in(user)


def test_reminder_is_delivered_once_to_owner_and_confirmed_participant(
    bot, clock, registered_ann, next_year
):
    ann = registered_ann
    bob = bot.user(5002, "Bob", "bob")
    bob.ask("/register")
    set_user_timezone(tg_id=bob.id, text="Europe/London")
    carol = bot.user(5003, "Carol", "carol")
    carol.ask("/register")
    event = create_event(
        owner_tg_id=ann.id, name="Standup", date=next_year, time=dt.time(10, 0), reminder_minutes=60
    )
    meeting = create_appointment(
        organizer_tg_id=ann.id, participant_tg_id=bob.id, event_id=event.pk
    )
    respond_to_invitation(participant_tg_id=bob.id, appointment_id=meeting.pk, accept=True)
    # Not confirmed: no reminder.
    create_appointment(organizer_tg_id=ann.id, participant_tg_id=carol.id, event_id=event.pk)
    clock.now = event.remind_at - dt.timedelta(minutes=1)
    # Not yet due: the reminder job has run with this time (it began twice since: the first
    # run is over), and queued nothing. Bob's answer may reach Ann meanwhile, in its time.
    reads = clock.reads
    wait_until(lambda: clock.reads >= reads + 2)
    assert not OutboxMessage.objects.filter(kind=REMINDER).exists()
    assert not reminders_in(ann)
    clock.now = event.remind_at + dt.timedelta(seconds=1)
    (to_ann,) = wait_for_reminder(ann)
    day = f"{next_year:%d.%m.%Y}"
    assert (
        to_ann == f"🔔 Напоминание: «Standup» начнётся через 1 ч — {day} в 10:00 (Europe/Moscow)."
    )
    (to_bob,) = wait_for_reminder(bob)
    assert to_bob == (
        f"🔔 Напоминание о встрече: «Standup» начнётся через 1 ч — {day} в 07:00 (Europe/London)."
    )
    # Exactly once: more ticks, later times and a restart send nothing more.
    clock.now += dt.timedelta(minutes=5)
    bot.restart()
    assert ann.nothing_more(1.0)
    assert (len(reminders_in(ann)), len(reminders_in(bob)), len(reminders_in(carol))) == (1, 1, 0)
    assert OutboxMessage.objects.filter(kind=REMINDER).count() == 2
    assert Event.objects.get(pk=event.pk).remind_at is None


def test_reminder_due_while_the_bot_was_down_goes_out_at_start(
    bot, clock, registered_ann, next_year
):
    ann = registered_ann
    bot.stop_bot()
    useful = create_event(
        owner_tg_id=ann.id, name="Useful", date=next_year, time=dt.time(11, 0), reminder_minutes=60
    )
    missed = create_event(
        owner_tg_id=ann.id, name="Missed", date=next_year, time=dt.time(10, 0), reminder_minutes=10
    )
    # The bot comes back at 10:20: "Useful" starts in 40 minutes, "Missed" has begun.
    clock.now = dt.datetime.combine(next_year, dt.time(10, 20), tzinfo=MOSCOW)
    bot.start_bot()
    (text,) = wait_for_reminder(ann)
    assert "«Useful» начнётся через 40 мин" in text
    assert ann.nothing_more(1.0)
    assert reminders_in(ann) == [text]
    assert Event.objects.get(pk=missed.pk).remind_at is None
    assert Event.objects.get(pk=useful.pk).remind_at is None


def test_reminder_of_a_deleted_event_is_not_sent(bot, clock, registered_ann, next_year):
    ann = registered_ann
    bot.stop_bot()
    event = create_event(owner_tg_id=ann.id, name="Gone", date=next_year, time=dt.time(9, 0))
    clock.now = event.remind_at
    event_id = event.pk
    assert claim_due_reminders(now=clock.now) == 1  # queued, then the event is deleted
    Event.objects.filter(pk=event_id).delete()
    bot.start_bot()
    message = OutboxMessage.objects.get(kind=REMINDER)
    wait_until(
        lambda: OutboxMessage.objects.get(pk=message.pk).status != OutboxMessage.Status.PENDING,
        message="the dispatcher never handled the reminder",
    )
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.sent_at is None
    assert not reminders_in(ann)


def test_reminder_claimed_just_before_a_crash_is_sent_once_after_restart(
    bot, clock, registered_ann, next_year
):
    ann = registered_ann
    event = create_event(owner_tg_id=ann.id, name="Crash", date=next_year, time=dt.time(9, 0))
    bot.stop_bot()
    # The claim committed (outbox row written, event marked) and then the process died.
    clock.now = event.remind_at
    assert claim_due_reminders(now=clock.now) == 1
    bot.start_bot()
    (text,) = wait_for_reminder(ann)
    assert "«Crash» начнётся через 30 мин" in text
    bot.restart()
    assert ann.nothing_more(1.0)
    assert reminders_in(ann) == [text]


def test_a_time_the_clocks_skip_or_repeat_is_explained_when_set(bot, registered_ann):
    ann = registered_ann
    assert "Europe/Berlin" in ann.ask("/timezone Europe/Berlin")
    start_dialog(ann, "Night train")
    ann.ask("28.03.2027")  # the spring-forward day: 02:00 becomes 03:00
    ann.ask("02:30")
    created = ann.ask("-")
    assert "Событие создано" in created
    skipped = texts.CLOCKS_SKIP_TIME.format(time="02:30", instant="03:30")
    assert skipped in created
    event = Event.objects.get()
    ann.ask(f"/edit_event {event.pk}")
    ann.press(texts.BTN_EDIT_DATE)
    updated = ann.ask("31.10.2027")  # the fall-back day: 02:30 happens twice
    assert texts.CLOCKS_REPEAT_TIME.format(time="02:30", instant="02:30") in updated
    ann.ask(f"/edit_event {event.pk}")
    ann.press(texts.BTN_EDIT_TIME)
    assert "часы переводят" not in ann.ask("12:00")
