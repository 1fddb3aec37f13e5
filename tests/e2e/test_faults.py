"""Faults survived, Telegram side: 429, 5xx and timeouts on the Bot API methods
the bot uses, one table row each, in the middle of a dialog.

After each fault the user gets the answer exactly once (no duplicate from a retry), the
dialog goes on from where it was, and the bot keeps working. 429 and 502 on sendMessage
alone are in test_bot_errors.py; PostgreSQL restarts and SIGKILL are in
test_pg_restart.py and test_runbot.py.

The outbox's sends (an invitation, the organiser's answer notice, a reminder) under the
same faults: each arrives exactly once. A send that timed out after the request left is
not sent again (Telegram has it; see bot/outbox/notifications.py), and a timeout before anything
was sent is retried.
"""

import datetime as dt
import logging
import time

import aiohttp
import httpx
import pytest
from telegram.error import TimedOut

from calendarapp.bot import texts
from calendarapp.bot.outbox import notifications
from calendarapp.bot.outbox import reminders as bot_reminders
from calendarapp.models import Event, OutboxMessage
from calendarapp.services.appointments import create_appointment
from calendarapp.services.events import create_event
from tests.support.clock import Clock
from tests.support.waiting import wait_until

from .harness import BotRunner

pytestmark = pytest.mark.e2e

# (label, method, fault, arguments): `fault` is "fail" (status) or "slow" (seconds).
# python-telegram-bot waits 5 s for an answer by default; "slow 7" is a timeout.
FAULTS = [
    ("getUpdates 502 x3", "getUpdates", "fail", {"status": 502, "times": 3}),
    ("getUpdates 429", "getUpdates", "fail", {"status": 429, "retry_after": 1}),
    ("sendMessage 429 x2", "sendMessage", "fail", {"status": 429, "times": 2, "retry_after": 1}),
    ("sendMessage 502 x2", "sendMessage", "fail", {"status": 502, "times": 2}),
    ("sendMessage 503", "sendMessage", "fail", {"status": 503}),
    ("sendMessage slow 2 s", "sendMessage", "slow", {"seconds": 2}),
]


def inject(bot, method, fault, arguments):
    if fault == "fail":
        bot.call(bot.fake.fail, method, **arguments)
    else:
        bot.call(bot.fake.slow, method, **arguments)


@pytest.mark.parametrize(
    ("label", "method", "fault", "arguments"), FAULTS, ids=[f[0] for f in FAULTS]
)
def test_fault_mid_dialog_is_survived(
    bot, registered_ann, next_year, caplog, label, method, fault, arguments
):
    ann = registered_ann
    assert ann.ask("/create_event") == texts.ASK_NAME
    assert ann.ask("Fault party") == texts.ASK_DATE
    inject(bot, method, fault, arguments)
    # One answer, the right one, and nothing more: a retried send must not double it.
    assert ann.ask(next_year.isoformat()).endswith(texts.ASK_TIME)
    assert ann.nothing_more(0.5)
    assert ann.ask("18:30") == texts.ASK_DETAILS
    assert "Событие создано" in ann.ask("-")
    assert Event.objects.filter(owner_id=ann.id, name="Fault party").count() == 1
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    if method == "getUpdates":  # python-telegram-bot logs a failed poll, then polls again
        errors = [r for r in errors if r.name != "telegram.ext.Updater"]
    assert not errors


def test_callback_answer_and_edit_faults(bot, registered_ann):
    """A 502 on answerCallbackQuery and a 429 on editMessageText: the press still works."""
    ann = registered_ann
    ann.ask("/create_event")
    bot.call(bot.fake.fail, "answerCallbackQuery", 502)
    bot.call(bot.fake.fail, "editMessageText", 429, retry_after=1)
    assert ann.press(texts.BTN_CANCEL) == texts.CANCELLED
    assert ann.ask("/help") == texts.help_text()


def test_send_timeout_is_not_retried_into_a_duplicate(bot, registered_ann, caplog):
    """A send whose answer never came back may have arrived (Telegram got it): the bot does
    not send it again, logs the timeout, tells the user to retry, and carries on."""
    ann = registered_ann
    bot.call(bot.fake.slow, "sendMessage", 7)
    started = time.monotonic()
    ann.send("/help")
    first = ann.wait_for_reply()
    assert first.text == texts.help_text()  # delivered, though the bot never heard back
    second = ann.wait_for_reply()
    assert second.text == texts.INTERNAL_ERROR
    assert time.monotonic() - started >= 5
    assert ann.nothing_more(0.5)
    assert any("Timed out" in repr(r.exc_info) for r in caplog.records if r.exc_info)
    assert ann.ask("/help") == texts.help_text()


# --- the outbox: invitations, answer notices, reminders ---------------------------------------
OUTBOX_FAULTS = [
    ("429 x2", "fail", {"status": 429, "times": 2, "retry_after": 1}),
    ("502 x2", "fail", {"status": 502, "times": 2}),
    ("503 x4", "fail", {"status": 503, "times": 4}),  # outlives the limiter: the outbox retries
    ("slow 2 s", "slow", {"seconds": 2}),
    ("timeout", "slow", {"seconds": 7}),  # the answer comes after the bot gave up (5 s)
]
NOTIFICATIONS = ["invitation", "answer notice", "reminder"]
TEN = dt.time(10, 0)


@pytest.fixture
def outbox_bot(transactional_db, settings, monkeypatch):
    """The bot as in production (rate limiter, retries), polling the outbox and reminders
    often, with a reminder clock the test moves; the outbox retries quickly."""
    settings.OUTBOX_POLL_INTERVAL = 0.2
    settings.REMINDER_POLL_INTERVAL = 0.2
    monkeypatch.setattr("calendarapp.services.outbox.BACKOFF_BASE", 0.3)
    clock = Clock()
    monkeypatch.setattr(bot_reminders, "clock", clock)
    runner = BotRunner()
    runner.clock = clock
    yield runner
    runner.close()


def sends(user, text: str) -> int:
    """How many messages with exactly this text the fake Telegram got for the user."""
    return sum(1 for a in user.runner.fake.activity[user.id] if a.kind == "send" and a.text == text)


def outbox_settled() -> bool:
    return not OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists()


@pytest.mark.parametrize("notification", NOTIFICATIONS)
@pytest.mark.parametrize(
    ("label", "fault", "arguments"), OUTBOX_FAULTS, ids=[f[0] for f in OUTBOX_FAULTS]
)
def test_outbox_send_under_fault_arrives_exactly_once(
    outbox_bot, next_year, caplog, notification, label, fault, arguments
):
    bot = outbox_bot
    ann, bob = bot.user(5001, "Ann", "ann"), bot.user(5002, "Bob", "bob")
    ann.ask("/register")
    bob.ask("/register")
    event = create_event(
        owner_tg_id=ann.id, name="Standup", date=next_year, time=TEN, reminder_minutes=60
    )
    if notification == "answer notice":  # the invitation goes out first, without faults
        appointment = create_appointment(
            organizer_tg_id=ann.id, participant_tg_id=bob.id, event_id=event.pk
        )
        assert "приглашает" in bob.wait_for_reply().text
        wait_until(outbox_settled)
    inject(bot, "sendMessage", fault, arguments)  # the next sendMessage is the outbox's
    if notification == "invitation":
        appointment = create_appointment(
            organizer_tg_id=ann.id, participant_tg_id=bob.id, event_id=event.pk
        )
        reader = bob
    elif notification == "answer notice":
        bob.press_data(f"inv:yes:{appointment.pk}")
        reader = ann
    else:
        bot.clock.now = Event.objects.get(pk=event.pk).remind_at + dt.timedelta(seconds=1)
        reader = ann
    delivered = reader.wait_for_reply()
    wait_until(outbox_settled)
    message = OutboxMessage.objects.get(chat_id=reader.id, pk__gt=0, sent_at__isnull=False)
    # Give a wrongly scheduled retry time to happen (back-off 0.3-0.6 s, polls every 0.2 s).
    assert reader.nothing_more(2.0)
    assert sends(reader, delivered.text) == 1, f"{notification} sent more than once"
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == (
        2 if notification == "answer notice" else 1
    )
    injected = bot.fake.failures if fault == "fail" else bot.fake.delays
    assert injected[-1]["times"] == 0  # the fault did hit the outbox's send
    if label == "timeout":  # delivered, but the bot never heard back: not sent again
        assert message.last_error.startswith("unconfirmed")
    elif label == "503 x4":  # the limiter's 3 retries ran out; the outbox tried again
        assert message.attempts == 2
    else:
        assert (message.attempts, message.last_error) == (1, "")
    if notification == "invitation":
        assert "приглашает" in delivered.text and "Standup" in delivered.text
    elif notification == "answer notice":
        assert "Bob" in delivered.text and "Standup" in delivered.text
    else:
        assert delivered.text.startswith("🔔") and "Standup" in delivered.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_timed_out_before_sending_is_retried():
    """A timeout while connecting, or waiting for a pooled connection, sent nothing: the
    outbox tries again. One while waiting for the answer may have delivered: it does not."""

    def timed_out(cause):
        try:
            raise TimedOut from cause
        except TimedOut as error:
            return error

    assert not notifications.may_have_arrived(timed_out(aiohttp.ConnectionTimeoutError()))
    assert not notifications.may_have_arrived(timed_out(httpx.ConnectTimeout("x")))
    assert not notifications.may_have_arrived(timed_out(httpx.PoolTimeout("x")))
    assert notifications.may_have_arrived(timed_out(aiohttp.SocketTimeoutError()))
    assert notifications.may_have_arrived(timed_out(httpx.ReadTimeout("x")))
    assert notifications.may_have_arrived(timed_out(TimeoutError()))
    assert notifications.may_have_arrived(TimedOut())


def test_sent_is_recorded_even_if_the_database_blinks(outbox_bot, next_year, monkeypatch):
    """The send succeeded, then writing "sent" failed (PostgreSQL restarting): the outbox
    writes it again instead of leaving the row leased, to go out a second time later."""
    from django.db import OperationalError

    from calendarapp.services import outbox

    bot = outbox_bot
    ann, bob = bot.user(5001, "Ann", "ann"), bot.user(5002, "Bob", "bob")
    ann.ask("/register")
    bob.ask("/register")
    real_mark_sent, failures = outbox.mark_sent, []

    def mark_sent_after_a_blink(message_id):
        if len(failures) < 2:
            failures.append(message_id)
            raise OperationalError("server closed the connection unexpectedly")
        real_mark_sent(message_id)

    monkeypatch.setattr(outbox, "mark_sent", mark_sent_after_a_blink)
    monkeypatch.setattr("calendarapp.services.outbox.LEASE", dt.timedelta(seconds=1))
    event = create_event(owner_tg_id=ann.id, name="Standup", date=next_year, time=TEN)
    appointment = create_appointment(
        organizer_tg_id=ann.id, participant_tg_id=bob.id, event_id=event.pk
    )
    invitation = bob.wait_for_reply()
    assert "приглашает" in invitation.text
    wait_until(outbox_settled)
    assert bob.nothing_more(2.0)  # the lease (1 s here) ran out: nothing went out again
    assert sends(bob, invitation.text) == 1
    stored = OutboxMessage.objects.get(chat_id=bob.id)
    assert (stored.status, stored.attempts) == (OutboxMessage.Status.SENT, 1)
    assert failures == [stored.pk, stored.pk]
    assert stored.payload == {"appointment_id": appointment.pk}
