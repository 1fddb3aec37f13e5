"""End to end: meetings between two and three Telegram users, through the fake Bot API.

/invite (participant by @username, id or Telegram's user picker -> event by button or id ->
comment or «Пропустить»), the invitation with «Принять» / «Отклонить», the organiser told,
/meetings with cancel buttons, /calendar, and the failure cases: refusals, a participant who
blocked the bot, an invitation created through the API or while the bot was down.
"""

import datetime as dt

import pytest
from django.utils import timezone

from calendarapp.bot import texts
from calendarapp.bot.ui.meeting_cards import invitation_text
from calendarapp.models import Appointment, OutboxMessage, TgUser
from calendarapp.selectors.appointments import get_appointment
from calendarapp.services.appointments import INVITATION, cancel_appointment, create_appointment
from calendarapp.services.events import create_event, set_event_rule
from calendarapp.services.users import TelegramProfile, create_user_profile, mark_user_unreachable

pytestmark = pytest.mark.e2e

TEN = dt.time(10, 0)


@pytest.fixture
def ann(registered_ann):
    return registered_ann


@pytest.fixture
def standup(ann, next_year):
    return create_event(owner_tg_id=ann.id, name="Планёрка", date=next_year, time=TEN)


def pick_label(event) -> str:
    return f"#{event.pk} {event.date:%d.%m.%Y} {event.time:%H:%M} {event.name}"


def start_invite(organizer, participant_text: str) -> list[str]:
    """/invite, then the participant as text; returns the bot's two answers."""
    assert organizer.ask("/invite") == texts.ASK_PARTICIPANT
    assert texts.BTN_PICK_USER in organizer.reply_keyboard()
    organizer.send(participant_text)
    return [a.text for a in organizer.wait_for_replies(2)]


def invite(organizer, participant_text: str, event, comment: str | None = None) -> str:
    answers = start_invite(organizer, participant_text)
    assert answers[1] == texts.ASK_INVITE_EVENT, answers
    assert organizer.press(pick_label(event)) == texts.ASK_INVITE_DETAILS
    if comment is None:
        return organizer.press(texts.BTN_SKIP)
    return organizer.ask(comment)


def test_invite_accept_and_organiser_is_told(bot, ann, bob, standup):
    answers = start_invite(ann, "@bob")
    assert answers == [texts.PARTICIPANT_CHOSEN.format(who="Bob (@bob)"), texts.ASK_INVITE_EVENT]
    assert ann.reply_keyboard() == []  # the user-picker keyboard is gone
    assert pick_label(standup) in ann.buttons()
    assert ann.press(pick_label(standup)) == texts.ASK_INVITE_DETAILS
    sent = ann.ask("Возьми ноутбук")
    assert sent.startswith("Приглашение для Bob (@bob) на «Планёрка»")

    invitation = bob.wait_for_reply()
    assert "Ann (@ann) приглашает вас на встречу «Планёрка»" in invitation.text
    weekday = texts.CAL_WEEKDAYS[standup.date.weekday()].lower()
    assert f"{standup.date:%d.%m.%Y} ({weekday}) 10:00" in invitation.text
    assert "Комментарий: Возьми ноутбук" in invitation.text
    assert bob.buttons() == [texts.BTN_ACCEPT, texts.BTN_DECLINE]

    accepted = bob.press(texts.BTN_ACCEPT)
    assert accepted.endswith(texts.YOU_ACCEPTED)
    assert bob.buttons() == []
    told = ann.wait_for_reply().text
    assert told == texts.ANSWER_ACCEPTED.format(
        who="Bob (@bob)", name="Планёрка", date=f"{standup.date:%d.%m.%Y}", time="10:00"
    )
    meeting = Appointment.objects.get()
    assert (meeting.status, meeting.details) == (Appointment.Status.CONFIRMED, "Возьми ноутбук")
    # The accepted meeting is in Bob's /calendar.
    assert f"встреча #{meeting.pk}" in bob.ask("/calendar")


def test_three_users_one_accepts_one_declines(bot, ann, bob, carol, standup):
    invite(ann, "@bob", standup)
    invite(ann, str(carol.id), standup, "Приходи")
    bob_invitation = bob.wait_for_reply()
    carol_invitation = carol.wait_for_reply()
    assert "Комментарий" not in bob_invitation.text
    assert "Комментарий: Приходи" in carol_invitation.text

    assert carol.press(texts.BTN_DECLINE).endswith(texts.YOU_DECLINED)
    assert ann.wait_for_reply().text.startswith("❌ Carol (@carol) отклоняет приглашение")
    assert bob.press(texts.BTN_ACCEPT).endswith(texts.YOU_ACCEPTED)
    assert ann.wait_for_reply().text.startswith("✅ Bob (@bob) принимает приглашение")
    statuses = dict(Appointment.objects.values_list("participant_id", "status"))
    assert statuses == {bob.id: "confirmed", carol.id: "cancelled"}
    assert "встреча" not in carol.ask("/calendar")

    listing = ann.ask("/meetings")
    assert "вы пригласили Bob (@bob) — подтверждена" in listing
    assert "Carol" not in listing  # declined meetings are no longer listed


def test_user_picker_shares_the_participant(bot, ann, bob, standup):
    assert ann.ask("/invite") == texts.ASK_PARTICIPANT
    ann.share_user(bob)
    answers = [a.text for a in ann.wait_for_replies(2)]
    assert answers == [texts.PARTICIPANT_CHOSEN.format(who="Bob (@bob)"), texts.ASK_INVITE_EVENT]
    assert ann.press(pick_label(standup)) == texts.ASK_INVITE_DETAILS
    assert ann.press(texts.BTN_SKIP).startswith("Приглашение для Bob")
    assert "приглашает вас" in bob.wait_for_reply().text


def test_user_picker_with_someone_the_bot_does_not_know(bot, ann, standup):
    stranger = bot.user(5009, "Zed", "zed")  # never wrote to the bot
    assert ann.ask("/invite") == texts.ASK_PARTICIPANT
    ann.share_user(stranger)
    answer = ann.wait_for_reply().text
    assert answer.startswith(texts.INVITEE_UNKNOWN.format(who="@zed"))
    assert answer.endswith(texts.ASK_PARTICIPANT)  # the question again, same step


def test_event_typed_as_id(bot, ann, bob, standup):
    start_invite(ann, "@bob")
    assert ann.ask(str(standup.pk)) == texts.ASK_INVITE_DETAILS
    assert ann.ask("-").startswith("Приглашение для Bob")
    assert Appointment.objects.get().details == ""


def test_participant_refusals(bot, ann, bob, standup):
    create_user_profile(TelegramProfile(tg_id=7000, username="apionly"))  # never started the bot
    assert ann.ask("/invite") == texts.ASK_PARTICIPANT
    cases = {
        "@ann": texts.ERRORS["invite_self"],
        str(ann.id): texts.ERRORS["invite_self"],
        "@nobody": texts.INVITEE_UNKNOWN.format(who="@nobody"),
        "123456789": texts.INVITEE_UNKNOWN.format(who="123456789"),
        "9" * 40: texts.ERRORS["invalid_tg_id"],
    }
    for typed, problem in cases.items():
        answer = ann.ask(typed)
        assert answer == f"{problem}\n\n{texts.ASK_PARTICIPANT}", typed
    ann.send_photo()
    assert ann.wait_for_reply().text.startswith(texts.TEXT_EXPECTED)
    assert not Appointment.objects.exists()


def test_event_refusals_other_users_event_already_invited_busy(
    bot, ann, bob, carol, standup, next_year
):
    bobs = create_event(owner_tg_id=bob.id, name="Bob's", date=next_year, time=TEN)
    carols = create_event(owner_tg_id=carol.id, name="Carol's", date=next_year, time=TEN)
    invite(ann, "@bob", standup)
    bob.wait_for_reply()

    start_invite(ann, "@bob")
    # Someone else's event looks exactly like a missing one.
    assert ann.ask(str(bobs.pk)) == (
        f"{texts.ERRORS['event_not_found'].format(event_id=bobs.pk)}\n\n{texts.ASK_INVITE_EVENT}"
    )
    assert ann.ask("abc").startswith(texts.ERRORS["id_format"])
    assert ann.press(pick_label(standup)).startswith(texts.ERRORS["already_invited"])
    assert ann.ask("/cancel") == texts.CANCELLED

    # Carol invites Bob at the same moment: Bob is busy (his pending meeting with Ann).
    start_invite(carol, "@bob")
    assert carol.press(pick_label(carols)).startswith(
        texts.ERRORS["participant_busy"].format(date=f"{next_year:%d.%m.%Y}", time="10:00")
    )
    assert Appointment.objects.count() == 1


def test_no_events_to_invite_to(bot, bob, carol):
    answers = start_invite(carol, "@bob")
    assert answers[1] == texts.NO_EVENTS
    assert carol.ask("12") == texts.NOT_UNDERSTOOD  # the dialog ended


def test_blocked_participant_cancels_and_tells_organiser(bot, ann, bob, standup):
    bot.call(bot.fake.block, bob.user)
    assert invite(ann, "@bob", standup).startswith("Приглашение для Bob")
    told = ann.wait_for_reply().text
    assert told.startswith("Не удалось доставить приглашение на «Планёрка»")
    assert "Встреча отменена" in told
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED
    assert not TgUser.objects.get(pk=bob.id).is_active
    # Inviting Bob again now gives Ann a link for him: the bot cannot write to him.
    answer = invite(ann, "@bob", standup)
    assert answer.startswith("Bob (@bob) ещё не открывал бота")
    assert "https://t.me/" in answer


def test_someone_who_never_opened_the_bot_gets_the_invitation_at_their_first_start(
    bot, ann, bob, standup
):
    """An API-made profile, or someone who blocked the bot: the invitation waits, the
    organiser gets a link to forward, and /start delivers it, once."""
    create_user_profile(TelegramProfile(tg_id=7000, username="apionly"))
    mark_user_unreachable(bob.id)  # Telegram answered 403 earlier; Bob has since unblocked
    for typed, who in (("@apionly", "@apionly"), ("@bob", "Bob (@bob)")):
        answer = invite(ann, typed, standup)
        assert answer.startswith(f"{who} ещё не открывал бота"), answer
        assert "https://t.me/" in answer
        assert ann.last_message().buttons()[0]["url"].startswith("https://t.me/share/url?")
    assert Appointment.objects.filter(status=Appointment.Status.PENDING).count() == 2
    assert not OutboxMessage.objects.filter(kind=INVITATION).exists()  # nobody to write to
    guest = bot.user(7000, "Api", "apionly")
    guest.send("/start")
    replies = [reply.text for reply in guest.wait_for_replies(2)]
    assert any("приглашает вас на встречу «Планёрка»" in text for text in replies), replies
    bob.send("/start")
    assert any(
        "приглашает вас на встречу «Планёрка»" in reply.text for reply in bob.wait_for_replies(2)
    )
    guest.ask("/start")  # again: nothing is delivered twice
    assert guest.nothing_more()
    assert OutboxMessage.objects.filter(kind=INVITATION).count() == 2


def test_invitation_created_through_the_api_is_delivered(bot, ann, bob, standup, staff_token):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {staff_token}")
    body = {"organizer_tg_id": ann.id, "participant_tg_id": bob.id, "event_id": standup.pk}
    response = client.post("/api/appointments/", body | {"details": "из API"}, format="json")
    assert response.status_code == 201, response.json()
    invitation = bob.wait_for_reply()
    assert "приглашает вас" in invitation.text and "Комментарий: из API" in invitation.text
    assert bob.press(texts.BTN_ACCEPT).endswith(texts.YOU_ACCEPTED)
    assert ann.wait_for_reply().text.startswith("✅ Bob (@bob) принимает")


def test_invitation_created_while_the_bot_is_down_is_delivered_once(bot, ann, bob, standup):
    bot.stop_bot()
    meeting = create_appointment(
        organizer_tg_id=ann.id,
        participant_tg_id=bob.id,
        event_id=standup.pk,
        details="после рестарта",
    )
    assert bob.nothing_more(0.3)
    bot.start_bot()
    invitation = bob.wait_for_reply()
    assert invitation.text == invitation_text(get_appointment(meeting.pk))
    assert bob.nothing_more(1.5)  # once
    assert OutboxMessage.objects.get(kind="invitation").status == OutboxMessage.Status.SENT


def test_double_press_makes_one_transition(bot, ann, bob, standup):
    invite(ann, "@bob", standup)
    bob.wait_for_reply()
    message, accept = bot.session.find_button(bob.user, texts.BTN_ACCEPT)
    _, decline = bot.session.find_button(bob.user, texts.BTN_DECLINE)

    def two_presses():  # both arrive before the bot answers either
        bot.fake.press(bob.user, message, accept["callback_data"])
        bot.fake.press(bob.user, message, decline["callback_data"])

    bot.call(two_presses)
    first, second = bob.wait_for_replies(2)
    assert first.text.endswith(texts.YOU_ACCEPTED)
    assert second.text == texts.ALREADY_ANSWERED["confirmed"]
    assert ann.wait_for_reply().text.startswith("✅ Bob")
    assert ann.nothing_more(1.0)
    assert Appointment.objects.get().status == Appointment.Status.CONFIRMED
    assert OutboxMessage.objects.filter(kind="invitation_answered").count() == 1


def test_stale_invitation_after_organiser_cancelled(bot, ann, bob, standup):
    invite(ann, "@bob", standup)
    bob.wait_for_reply()
    meeting = Appointment.objects.get()
    listing = ann.ask("/meetings")
    assert f"#{meeting.pk}" in listing and "ждёт ответа" in listing
    toast = ann.press(texts.BTN_CANCEL_MEETING.format(id=meeting.pk))
    assert toast == texts.MEETING_CANCELLED.format(id=meeting.pk, who="Bob (@bob)")
    assert ann.wait_for_reply().text == texts.NO_MEETINGS  # the list, refreshed
    assert bob.wait_for_reply().text.startswith("🚫 Ann (@ann) отменяет встречу «Планёрка»")
    # Bob's old invitation still shows the buttons: pressing one is answered sensibly.
    assert bob.press(texts.BTN_ACCEPT) == texts.ALREADY_ANSWERED["cancelled"]
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED


def test_participant_cancels_a_confirmed_meeting(bot, ann, bob, standup):
    invite(ann, "@bob", standup)
    bob.wait_for_reply()
    bob.press(texts.BTN_ACCEPT)
    ann.wait_for_reply()
    meeting = Appointment.objects.get()
    listing = bob.ask("/meetings")
    assert "вас пригласил(а) Ann (@ann) — подтверждена" in listing
    assert bob.press(texts.BTN_CANCEL_MEETING.format(id=meeting.pk)).startswith("Встреча")
    bob.wait_for_reply()
    assert ann.wait_for_reply().text.startswith("🚫 Bob (@bob) отменяет встречу")
    assert "встреча" not in bob.ask("/calendar")


def test_forged_and_foreign_buttons(bot, ann, bob, carol, standup):
    invite(ann, "@bob", standup)
    bob.wait_for_reply()
    meeting = Appointment.objects.get()
    message, _ = bot.session.find_button(bob.user, texts.BTN_ACCEPT)
    carol.seen = bot.fake.cursor(carol.id)
    # Carol forges a press on Bob's invitation and a cancel of a meeting not hers.
    bot.call(bot.fake.press, carol.user, message, f"inv:yes:{meeting.pk}")
    assert carol.wait_for_reply().text == texts.INVITATION_GONE
    bot.call(bot.fake.press, carol.user, message, f"mt:x:{meeting.pk}:1")
    assert carol.wait_for_reply().text == texts.ERRORS["appointment_not_found"].format(
        appointment_id=meeting.pk
    )
    assert Appointment.objects.get().status == Appointment.Status.PENDING


def test_answer_button_works_in_the_middle_of_another_dialog(bot, ann, bob, standup):
    invite(ann, "@bob", standup)
    bob.wait_for_reply()
    assert bob.ask("/create_event") == texts.ASK_NAME
    assert bob.press(texts.BTN_ACCEPT).endswith(texts.YOU_ACCEPTED)
    assert ann.wait_for_reply().text.startswith("✅ Bob")


def test_cancel_through_the_service_tells_the_other_side(bot, ann, bob, standup):
    meeting = create_appointment(
        organizer_tg_id=ann.id, participant_tg_id=bob.id, event_id=standup.pk
    )
    bob.wait_for_reply()
    cancel_appointment(actor_tg_id=bob.id, appointment_id=meeting.pk)
    assert ann.wait_for_reply().text.startswith("🚫 Bob (@bob) отменяет")


def test_meetings_command_is_in_the_menu_and_help(bot, ann):
    assert "/meetings" in ann.ask("/help")
    assert "meetings" in [c["command"] for c in bot.fake.commands[""]]


def test_cancel_at_the_participant_step_takes_the_keyboard_away(bot, ann, bob):
    assert ann.ask("/invite") == texts.ASK_PARTICIPANT
    assert ann.reply_keyboard() == [texts.BTN_PICK_USER, texts.BTN_INVITE_LINK, texts.BTN_CANCEL]
    assert ann.ask(texts.BTN_CANCEL) == texts.CANCELLED  # the keyboard's own «Отмена»
    assert ann.reply_keyboard() == []
    assert ann.ask("@bob") == texts.NOT_UNDERSTOOD  # the dialog is over


def test_invite_with_the_participant_in_the_command(bot, ann, bob, standup):
    ann.send("/invite @bob")
    answers = [a.text for a in ann.wait_for_replies(2)]
    assert answers == [texts.PARTICIPANT_CHOSEN.format(who="Bob (@bob)"), texts.ASK_INVITE_EVENT]
    assert ann.ask(str(standup.pk)) == texts.ASK_INVITE_DETAILS
    assert ann.press(texts.BTN_SKIP).startswith("Приглашение для Bob")
    assert ann.ask("/invite @nobody").startswith(texts.INVITEE_UNKNOWN.format(who="@nobody"))


def test_event_picker_pages(bot, ann, bob, next_year):
    events = [
        create_event(
            owner_tg_id=ann.id, name=f"E{n}", date=next_year + dt.timedelta(days=n), time=TEN
        )
        for n in range(10)
    ]
    start_invite(ann, "@bob")
    assert pick_label(events[0]) in ann.buttons()
    assert pick_label(events[9]) not in ann.buttons()
    ann.press(texts.PICK_NEXT)
    assert pick_label(events[9]) in ann.buttons()
    assert ann.press(pick_label(events[9])) == texts.ASK_INVITE_DETAILS


def test_guest_answers_from_the_meetings_list(bot, ann, bob, standup):
    invite(ann, "@bob", standup)
    bob.wait_for_reply()
    meeting = Appointment.objects.get()
    listing = bob.ask("/meetings")
    assert "вас пригласил(а) Ann (@ann) — ждёт ответа" in listing
    assert bob.buttons() == [
        texts.BTN_ACCEPT_MEETING.format(id=meeting.pk),
        texts.BTN_DECLINE_MEETING.format(id=meeting.pk),
    ]
    assert bob.press(texts.BTN_ACCEPT_MEETING.format(id=meeting.pk)) == texts.TOAST_ACCEPTED
    assert "— подтверждена" in bob.wait_for_reply().text  # the list, refreshed
    assert bob.buttons() == [texts.BTN_CANCEL_MEETING.format(id=meeting.pk)]
    assert ann.wait_for_reply().text.startswith("✅ Bob (@bob) принимает")
    # The invitation message's own buttons now only tell what was decided.
    assert bob.press(texts.BTN_DECLINE) == texts.ALREADY_ANSWERED["confirmed"]


def test_comment_too_long_and_media_are_refused_at_the_comment_step(bot, ann, bob, standup):
    start_invite(ann, "@bob")
    assert ann.press(pick_label(standup)) == texts.ASK_INVITE_DETAILS
    too_long = ann.ask("x" * 600)
    assert too_long.startswith("Комментарий длиннее 500 символов.")
    ann.send_sticker()
    assert ann.wait_for_reply().text.startswith(texts.TEXT_EXPECTED)
    assert ann.ask("ok").startswith("Приглашение для Bob")
    assert Appointment.objects.get().details == "ok"


def test_invitation_is_on_the_guests_clock_and_names_the_organisers_zone(bot, ann, bob, standup):
    from calendarapp.services.users import set_user_timezone

    set_user_timezone(tg_id=bob.id, text="Asia/Vladivostok")  # seven hours ahead of Moscow
    organiser_zone = TgUser.objects.get(pk=ann.id).timezone
    invite(ann, "@bob", standup)
    assert f"17:00 (по вашему времени; у организатора 10:00, {organiser_zone})" in (
        bob.wait_for_reply().text
    )


def test_deleting_the_event_cancels_its_meetings_and_tells_the_guests(
    bot, ann, bob, carol, standup
):
    invite(ann, "@bob", standup)
    invite(ann, "@carol", standup)
    bob.wait_for_reply()
    carol.wait_for_reply()
    bob.press(texts.BTN_ACCEPT)
    ann.wait_for_reply()
    ann.send(f"/delete_event {standup.pk}")
    ann.wait_for_reply()
    assert ann.press(texts.BTN_CONFIRM_DELETE).startswith(f"Событие #{standup.pk}")
    for guest in (bob, carol):
        told = guest.wait_for_reply().text
        assert told.startswith("🚫 Ann (@ann) отменяет встречу «Планёрка»"), told
    assert set(Appointment.objects.values_list("status", flat=True)) == {"cancelled"}
    assert "встреча" not in bob.ask("/calendar")


def test_moving_the_event_moves_the_meeting_and_tells_the_guest(bot, ann, bob, standup):
    invite(ann, "@bob", standup)
    bob.wait_for_reply()
    bob.press(texts.BTN_ACCEPT)
    ann.wait_for_reply()
    ann.ask(f"/edit_event {standup.pk}")
    ann.press(texts.BTN_EDIT_TIME)
    ann.ask("12:30")
    told = bob.wait_for_reply().text
    assert told.startswith("🕑 Ann (@ann) переносит встречу «Планёрка»: теперь"), told
    assert "12:30" in told
    assert "12:30" in bob.ask("/calendar")


def test_invite_dialog_survives_a_bot_restart(bot, ann, bob, standup):
    start_invite(ann, "@bob")
    bot.restart()
    assert ann.ask(str(standup.pk)) == texts.ASK_INVITE_DETAILS
    bot.restart()
    assert ann.ask("после рестартов").startswith("Приглашение для Bob")
    assert "Комментарий: после рестартов" in bob.wait_for_reply().text


def test_another_command_at_the_participant_step_takes_the_keyboard_away(bot, ann, bob):
    assert ann.ask("/invite") == texts.ASK_PARTICIPANT
    assert ann.reply_keyboard() == [texts.BTN_PICK_USER, texts.BTN_INVITE_LINK, texts.BTN_CANCEL]
    ann.send("/help")
    left, help_answer = (a.text for a in ann.wait_for_replies(2))
    assert left == texts.DIALOG_LEFT and help_answer.startswith(str(texts.HELP_TITLE))
    assert ann.reply_keyboard() == []
    assert ann.ask("/cancel") == texts.NOTHING_TO_CANCEL


def test_a_dialog_without_a_reply_keyboard_ends_quietly_for_another_command(bot, ann):
    assert ann.ask("/create_event") == texts.ASK_NAME
    assert ann.ask("/help").startswith(str(texts.HELP_TITLE))
    assert ann.nothing_more()


def test_invitee_typed_as_no_account_can_be_is_explained(bot, ann, standup):
    assert ann.ask("/invite") == texts.ASK_PARTICIPANT
    cases = {
        "@" + "b" * 65: texts.ERRORS["username_invalid"].format(limit=64),
        "@bob smith": texts.ERRORS["username_invalid"].format(limit=64),
        str(2**63): texts.ERRORS["invalid_tg_id"],
        "1" + "0" * 19: texts.ERRORS["invalid_tg_id"],
        "@" + "b" * 64: texts.INVITEE_UNKNOWN.format(who="@" + "b" * 64),
    }
    for typed, problem in cases.items():
        answer = ann.ask(typed)
        assert answer.startswith(problem), typed
        assert answer.endswith(texts.ASK_PARTICIPANT), typed
    assert not Appointment.objects.exists()


def test_invite_to_a_whole_series_and_to_one_occurrence(bot, ann, bob, carol):
    start = timezone.localdate() + dt.timedelta(days=1)
    weekly = create_event(owner_tg_id=ann.id, name="Йога", date=start, time=TEN)
    weekly = set_event_rule(owner_tg_id=ann.id, event_id=weekly.pk, rule="FREQ=WEEKLY")
    answers = start_invite(ann, "@bob")
    assert answers[1] == texts.ASK_INVITE_EVENT
    question = ann.press(pick_label(weekly))
    assert question.startswith("«Йога» повторяется: ")
    days = [start + dt.timedelta(weeks=n) for n in range(6)]
    assert ann.buttons() == [*(f"{day:%d.%m.%Y}" for day in days), texts.BTN_WHOLE_SERIES,
                             texts.BTN_CANCEL]  # fmt: skip
    assert ann.ask("в среду") == f"{texts.INVITE_OCCURRENCE_EXPECTED}\n\n{question}"
    assert ann.press(texts.BTN_WHOLE_SERIES) == texts.ASK_INVITE_DETAILS
    sent = ann.press(texts.BTN_SKIP)
    assert sent.startswith("Приглашение для Bob (@bob) на «Йога»") and "🔁 На всю серию" in sent

    invitation = bob.wait_for_reply()
    assert "🔁 На всю серию: " in invitation.text
    assert bob.press(texts.BTN_ACCEPT).endswith(texts.YOU_ACCEPTED)
    ann.wait_for_reply()
    meeting = Appointment.objects.get()
    assert meeting.whole_series and meeting.date == start
    assert "🔁 вся серия: " in bob.ask("/meetings")
    calendar = bob.ask("/calendar")
    for day in days[:3]:  # the occurrences, not only the first day
        assert f"встреча #{meeting.pk} · {day:%d.%m.%Y} 10:00 · Йога 🔁" in calendar

    # One occurrence for Carol: the third day's button.
    start_invite(ann, "@carol")
    ann.press(pick_label(weekly))
    assert ann.press(f"{days[2]:%d.%m.%Y}") == texts.ASK_INVITE_DETAILS
    assert ann.press(texts.BTN_SKIP).startswith("Приглашение для Carol (@carol) на «Йога»")
    assert "На всю серию" not in carol.wait_for_reply().text
    guest = Appointment.objects.get(participant_id=carol.id)
    assert (guest.date, guest.whole_series) == (days[2], False)
