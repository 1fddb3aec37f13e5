"""End to end: Telegram failures (429, 5xx, 403) and the global error handler."""

import time

import pytest

from calendarapp.bot import texts
from calendarapp.models import TgUser
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e


def test_429_is_retried_after_retry_after(bot, registered_ann):
    bot.call(bot.fake.fail, "sendMessage", 429, retry_after=1)
    started = time.monotonic()
    assert registered_ann.ask("/help") == texts.help_text()
    assert time.monotonic() - started >= 1
    assert bot.fake.calls["sendMessage"] >= 3  # register, refused help, retried help


def test_server_error_is_retried(bot, registered_ann):
    bot.call(bot.fake.fail, "sendMessage", 502)
    assert registered_ann.ask("/help") == texts.help_text()


def test_unexpected_error_is_answered_and_logged(bot, registered_ann, caplog):
    bot.call(bot.fake.fail, "sendMessage", 400)
    assert registered_ann.ask("/help") == texts.INTERNAL_ERROR
    assert any("Error while handling update" in r.getMessage() for r in caplog.records)
    assert registered_ann.ask("/help") == texts.help_text()  # and it keeps working


def test_blocked_user_is_marked_inactive_and_bot_goes_on(bot, registered_ann):
    ann, bob = registered_ann, bot.user(5002, "Bob", "bob")

    def write_then_block():
        bot.fake.send_text(ann.user, "/help")
        bot.fake.block(ann.user)

    bot.call(write_then_block)
    wait_until(lambda: not TgUser.objects.get(pk=ann.id).is_active)
    assert "зарегистрированы" in bob.ask("/register")
    # Writing again (unblocking) and /register make the account active again.
    ann.seen = bot.fake.cursor(ann.id)
    assert "уже зарегистрированы" in ann.ask("/register")
    assert TgUser.objects.get(pk=ann.id).is_active
