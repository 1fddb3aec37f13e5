"""End to end: the outbox dispatcher delivers queued notifications through the fake Bot API.

A test-only kind ("test_note") is rendered from its payload, so these tests exercise the
dispatcher alone: delivery, restarts, retries, giving up, blocked users, stale messages.
"""

import time

import pytest

from calendarapp.bot.outbox import notifications
from calendarapp.models import OutboxMessage, TgUser
from calendarapp.services import outbox
from tests.support.waiting import wait_until

from .harness import BotRunner

pytestmark = pytest.mark.e2e

NOTE = "test_note"
blocked_hook_calls: list[int] = []


@notifications.renderer(NOTE)
def render_note(message):
    text = message.payload.get("text")
    return notifications.Notification(text) if text else None  # no text: stale


@notifications.undeliverable(NOTE)
def note_undeliverable(message):
    blocked_hook_calls.append(message.pk)


def status_of(message: OutboxMessage) -> str:
    return OutboxMessage.objects.get(pk=message.pk).status


@pytest.fixture
def fast_backoff(monkeypatch):
    monkeypatch.setattr(outbox, "BACKOFF_BASE", 0.05)


@pytest.fixture
def plain_bot(transactional_db):
    """A bot without the rate limiter's own retries: every failure reaches the outbox."""
    runner = BotRunner(rate_limiter=False)
    yield runner
    runner.close()


def started(bot, tg_id: int, name: str = "Ann"):
    return bot.registered_user(tg_id, name, name.lower())


def test_queued_note_is_delivered_once(bot):
    ann = started(bot, 5001)
    message = outbox.enqueue(chat_id=ann.id, kind=NOTE, text="hello from the outbox")
    assert ann.wait_for_reply().text == "hello from the outbox"
    wait_until(lambda: status_of(message) == OutboxMessage.Status.SENT)
    assert OutboxMessage.objects.get(pk=message.pk).sent_at is not None
    assert ann.nothing_more(1.5)  # a second tick does not send it again


def test_notes_queued_while_the_bot_is_down_go_out_at_start(bot):
    ann = started(bot, 5001)
    bot.stop_bot()
    first = outbox.enqueue(chat_id=ann.id, kind=NOTE, text="first")
    second = outbox.enqueue(chat_id=ann.id, kind=NOTE, text="second")
    assert ann.nothing_more(0.3)
    bot.start_bot()
    assert [a.text for a in ann.wait_for_replies(2)] == ["first", "second"]
    wait_until(lambda: {status_of(first), status_of(second)} == {OutboxMessage.Status.SENT})
    assert ann.nothing_more(1.5)


def test_server_errors_are_retried_with_backoff(plain_bot, fast_backoff):
    ann = started(plain_bot, 5001)
    plain_bot.call(plain_bot.fake.fail, "sendMessage", 502, times=2)
    message = outbox.enqueue(chat_id=ann.id, kind=NOTE, text="despite errors")
    assert ann.wait_for_reply().text == "despite errors"
    wait_until(lambda: status_of(message) == OutboxMessage.Status.SENT)
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 3


def test_too_many_requests_waits_retry_after(plain_bot):
    ann = started(plain_bot, 5001)
    plain_bot.call(plain_bot.fake.fail, "sendMessage", 429, retry_after=1)
    began = time.monotonic()
    outbox.enqueue(chat_id=ann.id, kind=NOTE, text="after the flood wait")
    assert ann.wait_for_reply().text == "after the flood wait"
    assert time.monotonic() - began >= 1


def test_gives_up_after_bounded_attempts(plain_bot, fast_backoff, monkeypatch):
    monkeypatch.setattr(outbox, "MAX_ATTEMPTS", 3)
    ann = started(plain_bot, 5001)
    plain_bot.call(plain_bot.fake.fail, "sendMessage", 502, times=100)
    message = outbox.enqueue(chat_id=ann.id, kind=NOTE, text="never")
    wait_until(lambda: status_of(message) == OutboxMessage.Status.FAILED)
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert stored.attempts == 3
    assert "Bad Gateway" in stored.last_error


def test_blocked_recipient_is_marked_unreachable_and_hook_runs(bot):
    ann = started(bot, 5001)
    bot.call(bot.fake.block, ann.user)
    message = outbox.enqueue(chat_id=ann.id, kind=NOTE, text="you blocked me")
    wait_until(lambda: status_of(message) == OutboxMessage.Status.FAILED)
    assert not TgUser.objects.get(pk=ann.id).is_active
    assert blocked_hook_calls[-1] == message.pk


def test_stale_note_is_done_without_sending(bot):
    ann = started(bot, 5001)
    stale = outbox.enqueue(chat_id=ann.id, kind=NOTE)
    wait_until(lambda: status_of(stale) == OutboxMessage.Status.SENT)
    assert OutboxMessage.objects.get(pk=stale.pk).sent_at is None
    assert ann.nothing_more(0.5)


def test_unknown_kind_waits_for_a_bot_that_knows_it(bot):
    ann = started(bot, 5001)
    unknown = outbox.enqueue(chat_id=ann.id, kind="from_the_future", text="?")
    known = outbox.enqueue(chat_id=ann.id, kind=NOTE, text="known")
    assert ann.wait_for_reply().text == "known"
    wait_until(lambda: status_of(known) == OutboxMessage.Status.SENT)
    stored = OutboxMessage.objects.get(pk=unknown.pk)
    assert (stored.status, stored.attempts) == (OutboxMessage.Status.PENDING, 0)


def test_a_failed_message_keeps_its_place_in_the_chat(plain_bot, fast_backoff):
    ann = started(plain_bot, 5001)
    plain_bot.call(plain_bot.fake.fail, "sendMessage", 502)

    def enqueue_both():  # in one transaction: the dispatcher claims them together
        from django.db import transaction

        with transaction.atomic():
            return outbox.enqueue(chat_id=ann.id, kind=NOTE, text="first"), outbox.enqueue(
                chat_id=ann.id, kind=NOTE, text="second"
            )

    first, second = enqueue_both()
    assert [a.text for a in ann.wait_for_replies(2)] == ["first", "second"]
    wait_until(lambda: {status_of(first), status_of(second)} == {OutboxMessage.Status.SENT})
    assert OutboxMessage.objects.get(pk=first.pk).attempts == 2
    assert OutboxMessage.objects.get(pk=second.pk).attempts == 1  # held back, not charged
