"""End to end over the fake Bot API: an event card with a capacity. A «Иду» beyond it
waits, guests take seats, the first one waiting moves up and is told, the organiser gets
one digest of the answers, and hears nothing per press; a change and a cancellation reach
those who answered; forged guest buttons change nothing."""

import datetime as dt

import pytest

from calendarapp.bot import texts
from calendarapp.models import Rsvp
from calendarapp.services import rsvp
from calendarapp.services.events import create_event, delete_event, update_event
from tests.e2e import test_bot_event_cards as cards_tests
from tests.e2e.test_bot_event_cards import wait_card

pytestmark = pytest.mark.e2e
bot_settings = cards_tests.bot_settings  # the card bot, with short edit intervals


@pytest.fixture(autouse=True)
def _quick_notices(settings):
    """Before `bot` starts (autouse fixtures come first): notices and digests in a second."""
    settings.OUTBOX_POLL_INTERVAL = 0.1
    settings.OUTBOX_CHAT_INTERVAL = 0
    settings.RSVP_DIGEST_PERIOD = 1.0


@pytest.fixture
def party(ann_event):
    return ann_event("Вечеринка", dt.time(19))


def test_capacity_waiting_list_guests_and_what_everyone_is_told(bot, registered_ann, bob, party):
    ann = registered_ann
    assert "Мест на «Вечеринка»: 2." in ann.ask(f"/capacity {party.pk} 2")
    card_id = ann.post_card("")
    dan = bot.user(5010, "Dan", "dan")  # never started the bot
    eve = bot.user(5011, "Eve", "eve")
    assert eve.press_card(card_id, texts.BTN_GUEST_MORE) == texts.ERRORS["rsvp_guests_need_going"]
    assert dan.press_card(card_id, texts.BTN_GOING) == "Ваш ответ: иду."
    assert dan.press_card(card_id, texts.BTN_GUEST_MORE) == "С вами гостей: 1."
    assert bob.press_card(card_id, texts.BTN_GOING) == texts.TOAST_WAITING
    assert eve.press_card(card_id, texts.BTN_GOING) == texts.TOAST_WAITING
    wait_card(
        bot,
        card_id,
        "✅ Идут: 1 — Dan",
        "➕ Гостей с ними: 1",
        "🎟 Занято мест: 2 из 2",
        "⏳ В листе ожидания: 2",
    )
    # Dan drops his guest: Bob, first in line, goes, and is told in his own chat.
    assert dan.press_card(card_id, texts.BTN_GUEST_LESS) == "С вами гостей: 0."
    moved = bob.wait_for_reply().text
    assert moved.startswith("🎟 Освободилось место: вы идёте на «Вечеринка»")
    wait_card(bot, card_id, "✅ Идут: 2 — Dan, Bob", "⏳ В листе ожидания: 1")
    assert Rsvp.objects.get(person_id=5011).answer == Rsvp.Answer.WAITING

    # One digest for the organiser, not one message per press.
    digest = ann.wait_for_reply().text
    assert digest.startswith("📬 Новые ответы на «Вечеринка»:")
    assert "Dan" in digest and "Bob" in digest and "Eve" in digest
    assert ann.nothing_more(settle=1.5)

    update_event(owner_tg_id=ann.id, event_id=party.pk, time=dt.time(20))
    changed = bob.wait_for_reply().text
    assert changed.startswith("✏️ Организатор изменил событие «Вечеринка»") and "20:00" in changed
    wait_card(bot, card_id, "20:00")
    delete_event(owner_tg_id=ann.id, event_id=party.pk)
    assert bob.wait_for_reply().text.startswith("❌ Событие «Вечеринка»")
    assert dan.nothing_more() and eve.nothing_more()  # never started the bot: never written to


def test_forged_guest_buttons_change_nothing(bot, registered_ann, party, ann_event):
    card_id = registered_ann.post_card("")
    dan = bot.user(5010, "Dan", "dan")
    dan.press_card(card_id, texts.BTN_GOING)
    good = rsvp.button_data(event_id=party.pk, answer=rsvp.GUEST_MORE)
    other = ann_event("Другое", dt.time(9))
    for data in (
        good[:-1] + ("0" if good[-1] != "0" else "1"),
        good.replace(f"r:{party.pk}:", f"r:{other.pk}:"),
        good.replace(":p:", ":w:"),  # no button says «waiting»
        good + ":p",
    ):
        assert dan.press_card_data(card_id, data) == texts.ERRORS["rsvp_forged"], data
    assert Rsvp.objects.get().guests == 0
    assert dan.press_card_data(card_id, good) == "С вами гостей: 1."


def test_the_card_speaks_the_organisers_language_and_toasts_the_pressers(bot, next_year):
    jo = bot.registered_user(5030, "Jo", "jo", language_code="en")
    party = create_event(owner_tg_id=jo.id, name="Party", date=next_year, time=dt.time(19))
    rsvp.set_capacity(organizer_tg_id=jo.id, event_id=party.pk, capacity=5)
    card_id = jo.post_card("")
    dan = bot.user(5010, "Dan", "dan")  # a Russian client
    assert dan.press_card(card_id, "✅ Going") == "Ваш ответ: иду."
    assert dan.press_card(card_id, "➕ Guest") == "С вами гостей: 1."
    text = wait_card(bot, card_id, "✅ Going: 1 — Dan", "➕ Guests with them: 1")
    assert "🎟 Seats taken: 2 of 5" in text and "Идут" not in text
    digest = jo.wait_for_reply().text
    assert digest.startswith("📬 New answers to") and "Dan" in digest
