"""End to end over the fake Bot API: event cards in a group the bot is in. /post there
gives a picker of the caller's own public events that only the caller may press; the pick
becomes the card; presses are answered with toasts; every other command still gets the one
line; nothing private ever reaches the group."""

import datetime as dt
import time

import pytest

from calendarapp.bot import texts
from calendarapp.models import EventCard, Rsvp
from tests.e2e import test_bot_event_cards as cards_tests
from tests.e2e.harness import TIMEOUT

pytestmark = pytest.mark.e2e
bot_settings = cards_tests.bot_settings  # the card bot, with short edit intervals

GROUP = -100700


@pytest.fixture
def events(ann_event):
    picnic = ann_event("Пикник", dt.time(12), is_public=True)
    secret = ann_event("Секретный врач", dt.time(9), details="Пароль 1234")
    return picnic, secret


def group_items(bot, after=0, count=1):
    return bot.run(bot.fake.wait_for_activity(GROUP, after, count=count, timeout=10))


def test_a_card_posted_in_a_group_by_its_picker(bot, registered_ann, bob, events):
    ann, (picnic, secret) = registered_ann, events
    bot.call(bot.fake.send_in_group, ann.user, GROUP, "/post")
    (item,) = group_items(bot)
    assert item.text == texts.GROUP_PICK.format(name="Ann")
    picker = bot.fake.last_message(GROUP)
    buttons = picker.buttons()
    assert [b["text"] for b in buttons] == ["Пикник", str(texts.BTN_PICK_ANY)]
    assert buttons[1]["switch_inline_query_current_chat"] == ""
    pick = buttons[0]["callback_data"]

    # Only Ann may pick; forged picks change nothing.
    bot.call(bot.fake.press, bob.user, picker, pick)
    assert bob.wait_for_reply().text == texts.ERRORS["picker_not_yours"]
    signature = pick.rsplit(":", 1)[1]
    for forged in (
        f"gp:{secret.pk}:{ann.id}:{signature}",  # another event under this signature
        f"gp:{picnic.pk}:{bob.id}:{signature}",  # Bob claiming the picker as his own
        pick[:-1] + ("0" if pick[-1] != "0" else "1"),
        "gp:1:2",
    ):
        bot.call(bot.fake.press, bob.user, picker, forged)
        assert bob.wait_for_reply().text == texts.ERRORS["rsvp_forged"], forged
    assert not EventCard.objects.exists()

    bot.call(bot.fake.press, ann.user, picker, pick)
    (edited,) = group_items(bot, after=1)
    assert edited.kind == "edit" and edited.text.startswith("📅 Пикник\nКогда: ")
    card = bot.fake.last_message(GROUP)
    assert card.message_id == picker.message_id  # the picker became the card
    assert EventCard.objects.get().chat_id == GROUP

    # Presses in the group: a toast to the presser, the card edited, no message.
    dan = bot.user(5010, "Dan", "dan")  # never started the bot
    going = next(b for b in card.buttons() if b["text"] == str(texts.BTN_GOING))
    bot.call(bot.fake.press, dan.user, card, going["callback_data"])
    assert dan.wait_for_reply().text == "Ваш ответ: иду."
    bot.call(bot.fake.press, bob.user, card, going["callback_data"])
    assert bob.wait_for_reply().text == "Ваш ответ: иду."
    deadline = time.monotonic() + TIMEOUT
    while "Идут: 2" not in bot.call(lambda: bot.fake.last_message(GROUP).text):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert "✅ Идут: 2 — Dan, Bob" in bot.fake.last_message(GROUP).text
    assert Rsvp.objects.filter(event=picnic).count() == 2

    # Every other command in the group still gets the one line.
    seen = bot.fake.cursor(GROUP)
    for command in ("/display_events", "/capacity 1 2", "/export"):
        bot.call(bot.fake.send_in_group, ann.user, GROUP, command)
    lines = group_items(bot, after=seen, count=3)
    assert [item.text for item in lines] == [str(texts.PRIVATE_CHATS_ONLY)] * 3

    # Nothing private in the group, ever: not the private event, not its details.
    said = [item.text for item in bot.fake.activity[GROUP]]
    shown = said + [
        str(b) for m in bot.fake.messages.values() if m.chat_id == GROUP for b in m.buttons()
    ]
    assert not any("Секрет" in text or "1234" in text for text in shown)
    assert dan.nothing_more()


def test_a_member_without_public_events_gets_the_personal_button_only(bot, bob):
    bot.call(bot.fake.send_in_group, bob.user, GROUP, "/post@calendar_test_bot")
    (item,) = group_items(bot)
    assert item.text == texts.GROUP_PICK_NONE.format(name="Bob")
    assert [b["text"] for b in bot.fake.last_message(GROUP).buttons()] == [str(texts.BTN_PICK_ANY)]
