"""End to end: invitation links (`t.me/<bot>?start=i-<code>`) for people who are not users yet.

The organiser gets the link from /invite («🔗 Ссылка-приглашение»), forwards it; whoever
opens it sees the invitation and answers with a button. Each way a link can be wrong gets
its own sentence, and nothing changes.
"""

import datetime as dt
import random
import re
import string
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from calendarapp.bot import texts
from calendarapp.models import Appointment, Invitation, TgUser
from calendarapp.services.invitations import issue_open_invitation
from tests.e2e.test_bot_meetings import pick_label

pytestmark = pytest.mark.e2e

LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")


@pytest.fixture
def party(ann_event):
    return ann_event("Вечеринка", dt.time(19))


def link_from_invite(ann, event) -> str:
    assert ann.ask("/invite") == texts.ASK_PARTICIPANT
    assert texts.BTN_INVITE_LINK in ann.reply_keyboard()
    ann.send(str(texts.BTN_INVITE_LINK))
    assert ann.wait_for_replies(2)[1].text == texts.ASK_INVITE_EVENT
    answer = ann.press(pick_label(event))
    assert answer.startswith("Ссылка-приглашение на «Вечеринка»"), answer
    return answer


def test_a_link_invites_someone_who_never_used_the_bot(bot, registered_ann, party):
    ann = registered_ann
    answer = link_from_invite(ann, party)
    username, payload = LINK.search(answer).groups()
    assert username == "calendar_test_bot"  # the fake Bot API's getMe
    # Telegram's rule for start payloads: at most 64 of A-Za-z0-9_-; never the database id.
    assert len(payload) <= 64 and re.fullmatch(r"[A-Za-z0-9_-]+", payload)
    code = Invitation.objects.get().code
    assert payload == f"i-{code}" and len(code) == 22  # 128 random bits
    share, revoke = ann.last_message().buttons()
    shared = parse_qs(urlsplit(share["url"]).query)
    assert share["url"].startswith("https://t.me/share/url?")
    assert shared["url"] == [f"https://t.me/{username}?start={payload}"]
    assert revoke["callback_data"].startswith("link:revoke:")

    dan = bot.user(5010, "Dan", "dan")  # has never written to the bot
    card = dan.ask(f"/start {payload}")
    assert card.startswith("Ann (@ann) приглашает вас: «Вечеринка»")
    assert "19:00 (Europe/Moscow)" in card  # the organiser's time, their zone said
    assert not TgUser.objects.filter(pk=dan.id).exists()  # nothing stored for a look
    accepted = dan.press(texts.BTN_ACCEPT)
    assert accepted.startswith("✅ Вы приняли приглашение: «Вечеринка»")
    meeting = Appointment.objects.get()
    assert (meeting.participant_id, meeting.status) == (dan.id, Appointment.Status.CONFIRMED)
    assert TgUser.objects.get(pk=dan.id).can_receive_messages  # registered by the answer
    assert ann.wait_for_reply().text.startswith("✅ Dan (@dan) принимает")
    assert "Вечеринка" in dan.ask("/meetings")

    # An open link binds the first person who answers: the next one is told.
    eve = bot.user(5011, "Eve", "eve")
    assert eve.ask(f"/start {payload}") == texts.ERRORS["invitation_answered"]
    assert Appointment.objects.count() == 1


def test_declining_binds_the_link_too(bot, registered_ann, party):
    invitation = issue_open_invitation(organizer_tg_id=registered_ann.id, event_id=party.pk)
    dan = bot.user(5010, "Dan", "dan")
    dan.ask(f"/start i-{invitation.code}")
    assert dan.press(texts.BTN_DECLINE) == "❌ Вы отклонили приглашение на «Вечеринка»."
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED
    assert registered_ann.wait_for_reply().text.startswith("❌ Dan (@dan) отклоняет")


def test_every_wrong_link_gets_its_own_sentence(bot, registered_ann, party):
    ann = registered_ann
    dan = bot.user(5010, "Dan", "dan")
    forged = "i-" + "A" * 22
    assert dan.ask(f"/start {forged}") == texts.ERRORS["invitation_unknown"]
    assert dan.ask("/start i-short") == texts.ERRORS["invitation_unknown"]

    expired = issue_open_invitation(organizer_tg_id=ann.id, event_id=party.pk)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    assert dan.ask(f"/start i-{expired.code}") == texts.ERRORS["invitation_expired"]

    answer = link_from_invite(ann, party)
    payload = LINK.search(answer).group(2)
    assert ann.press(texts.BTN_REVOKE_LINK) == texts.LINK_REVOKED
    assert dan.ask(f"/start {payload}") == texts.ERRORS["invitation_revoked"]
    assert not Appointment.objects.exists()


def test_a_card_pressed_after_the_link_was_revoked_changes_nothing(bot, registered_ann, party):
    invitation = issue_open_invitation(organizer_tg_id=registered_ann.id, event_id=party.pk)
    dan = bot.user(5010, "Dan", "dan")
    dan.ask(f"/start i-{invitation.code}")
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.REVOKED)
    assert dan.press(texts.BTN_ACCEPT) == texts.ERRORS["invitation_revoked"]
    assert not Appointment.objects.exists()


def test_an_addressed_link_is_for_that_person_only(bot, registered_ann, party):
    """A known profile the bot cannot write to yet: the link is theirs; anyone else who
    opens it (the organiser forwarded it to the wrong chat) is told, and nothing changes."""
    from calendarapp.services.users import TelegramProfile, create_user_profile

    ann = registered_ann
    create_user_profile(TelegramProfile(tg_id=7000, username="apionly"))
    assert ann.ask("/invite") == texts.ASK_PARTICIPANT
    ann.send("@apionly")
    ann.wait_for_replies(2)
    ann.press(pick_label(party))
    answer = ann.press(texts.BTN_SKIP)
    payload = LINK.search(answer).group(2)

    eve = bot.user(5011, "Eve", "eve")
    assert eve.ask(f"/start {payload}") == texts.ERRORS["invitation_for_someone_else"]
    eve.press_data(f"link:yes:{payload.removeprefix('i-')}")
    assert eve.wait_for_reply().text == texts.ERRORS["invitation_for_someone_else"]
    assert Appointment.objects.get().status == Appointment.Status.PENDING

    guest = bot.user(7000, "Api", "apionly")
    card = guest.ask(f"/start {payload}")
    assert card.startswith("Ann (@ann) приглашает вас: «Вечеринка»")
    guest.press(texts.BTN_ACCEPT)
    assert Appointment.objects.get().status == Appointment.Status.CONFIRMED
    # The card was the delivery: the outbox does not send the invitation again.
    assert guest.nothing_more()


def test_forged_payloads_and_answer_buttons_never_break_the_bot(bot, registered_ann, party):
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "_-"
    dan = bot.user(5010, "Dan", "dan")
    for _ in range(15):
        payload = "i-" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 62)))
        assert dan.ask(f"/start {payload}") == texts.ERRORS["invitation_unknown"], payload
        data = f"link:{rng.choice(['yes', 'no', 'revoke'])}:" + "".join(
            rng.choice(alphabet) for _ in range(22)
        )
        dan.press_data(data)
        reply = dan.wait_for_reply().text
        assert reply == texts.ERRORS["invitation_unknown"], (data, reply)
    # A payload that is not an invitation's is an ordinary /start.
    assert dan.ask("/start hello").startswith(str(texts.START)[:20])
    assert not Appointment.objects.exists()
