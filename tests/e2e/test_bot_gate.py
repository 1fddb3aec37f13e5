"""End to end: what the bot does not serve (group chats, edited messages) and Telegram's
notice that a person blocked the bot."""

import datetime as dt

import pytest
from asgiref.sync import sync_to_async

from calendarapp.bot import texts
from calendarapp.models import Event, TgUser
from calendarapp.services.events import create_event
from tests.support.waiting import DEADLINE, until

pytestmark = pytest.mark.e2e

GROUP = -100500


def _group_answers(bot, count=1, after=0):
    return [
        item.text
        for item in bot.run(bot.fake.wait_for_activity(GROUP, after, count=count, timeout=10))
    ]


def test_a_group_chat_gets_no_private_data(bot, registered_ann, next_year):
    ann = registered_ann
    create_event(owner_tg_id=ann.id, name="Doctor", date=next_year, time=dt.time(9, 0))
    for n, command in enumerate(["/display_events", "/export", "/feed", "/create_event@cal_bot"]):
        bot.call(bot.fake.send_in_group, ann.user, GROUP, command)
        assert _group_answers(bot, after=n) == [texts.PRIVATE_CHATS_ONLY]
    bot.call(bot.fake.send_in_group, ann.user, GROUP, "Doctor at nine?")  # chatter
    # The private chat works as before, and the group dialog did not start in it.
    assert ann.ask("Обед") == texts.NOT_UNDERSTOOD
    assert "Doctor" in ann.ask("/display_events")
    assert bot.fake.cursor(GROUP) == 4  # nothing said to the chatter
    assert Event.objects.count() == 1


def test_a_button_pressed_in_a_group_is_refused(bot, registered_ann):
    bot.call(bot.fake.send_in_group, registered_ann.user, GROUP, "/help")
    _group_answers(bot)
    message = bot.fake.last_message(GROUP)
    bot.call(bot.fake.press, registered_ann.user, message, "page:m:0:1")
    # A toast for the one who pressed (Telegram shows it to them alone), nothing in the group.
    assert registered_ann.wait_for_reply().text == texts.PRIVATE_CHATS_ONLY
    assert bot.fake.cursor(GROUP) == 1


def test_an_edited_command_does_not_run_again(bot, registered_ann, next_year):
    ann = registered_ann
    party = create_event(owner_tg_id=ann.id, name="Party", date=next_year, time=dt.time(18, 0))
    message_id = ann.send(f"/read_event {party.pk}")
    assert "Party" in ann.wait_for_reply().text
    bot.call(bot.fake.edit_text, ann.user, message_id, f"/delete_event {party.pk}")
    assert ann.nothing_more()
    assert ann.ask("/help").startswith(str(texts.HELP_TITLE))
    assert Event.objects.filter(pk=party.pk).exists()


def test_blocking_the_bot_marks_the_person_unreachable_at_once(bot, registered_ann):
    assert TgUser.objects.get(pk=registered_ann.id).is_active
    bot.call(bot.fake.block_with_notice, registered_ann.user)
    gone = sync_to_async(lambda: not TgUser.objects.get(pk=registered_ann.id).is_active)
    bot.run(until(gone), DEADLINE + 5)
    assert registered_ann.ask("/start").startswith("Привет!")  # back: reachable again
    assert TgUser.objects.get(pk=registered_ann.id).is_active
