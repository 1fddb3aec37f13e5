"""Delivery of outbox messages (invitations, answers, cancellations, reminders) by the bot.

Services write `OutboxMessage` rows in the transaction of the change; this module sends
them. A feature registers, per `kind`:
- a renderer (`@renderer("invitation")`): a SYNC function `(message) -> Notification | None`
  run on the bot's ORM thread, so it may query freely; None means "no longer relevant"
  (the message is marked done without sending);
- optionally a hook for a recipient who blocked the bot (`@undeliverable("invitation")`),
  also sync, run in the same transaction that marks the user unreachable.

`dispatch_outbox` is a JobQueue job (every OUTBOX_POLL_INTERVAL seconds and once at start,
see `schedule`); `wake` runs it at once after this process enqueued something, so the answer
to a button press reaches the other person without waiting for the next tick. A run claims
due messages with a lease (services.outbox.claim_due), renders them, sends them through the
bot (the application's rate limiter paces and retries 429/5xx), then records the outcome:
sent; retried later with back-off (network errors, 5xx, 429 that outlived the limiter's
retries, timeouts before the request left, renderer crashes); failed for good after
MAX_ATTEMPTS or on 400; on 403 the user is marked unreachable and the kind's hook runs.

A send that timed out after the request left (Telegram may have delivered it; it cannot be
asked) is NOT sent again: it is recorded as sent, unconfirmed. A second copy of an
invitation is a worse surprise than a rare lost one, and nothing is really lost: the
meeting is in /meetings with the same buttons. The outcome is written with retries while
the database is away (a restart), because a send whose "sent" was never recorded would go
out again when its lease runs out.
"""

import asyncio
import datetime as dt
import logging
import time
import warnings
import weakref
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ContextTypes

from calendarapp.bot.runtime.i18n import plain
from calendarapp.bot.runtime.orm import db
from calendarapp.i18n import recipient_language
from calendarapp.models import OutboxMessage, TgUser
from calendarapp.services import outbox
from calendarapp.services.users import mark_user_unreachable

logger = logging.getLogger("calendarapp.bot.outbox")

BATCH = 50  # messages claimed per round; a run continues while rounds come back full
JOB_NAME = "outbox"


@dataclass
class Notification:
    text: str
    reply_markup: InlineKeyboardMarkup | None = None


Renderer = Callable[[OutboxMessage], Notification | None]
Hook = Callable[[OutboxMessage], None]

_renderers: dict[str, Renderer] = {}
_undeliverable_hooks: dict[str, Hook] = {}


def renderer(kind: str):
    """Register the function that turns an outbox message of `kind` into a Notification."""

    def register(function: Renderer) -> Renderer:
        _renderers[kind] = function
        return function

    return register


def undeliverable(kind: str):
    """Register what to do when a message of `kind` meets a recipient who blocked the bot."""

    def register(function: Hook) -> Hook:
        _undeliverable_hooks[kind] = function
        return function

    return register


def known_kinds() -> tuple[str, ...]:
    return tuple(_renderers)


# --- the ORM side (runs on the ORM thread) ----------------------------------------------------
def _in_plain_text(notification: Notification | None) -> Notification | None:
    if notification is None:
        return None
    markup = notification.reply_markup
    if markup is not None:
        markup = InlineKeyboardMarkup.de_json(plain(markup.to_dict()), None)
    return Notification(str(notification.text), markup)


def _claim_and_render(kinds: tuple[str, ...], limit: int) -> list[tuple[OutboxMessage, object]]:
    """Claim due messages and render each; a renderer's exception is kept as the result."""
    rendered: list[tuple[OutboxMessage, object]] = []
    claimed = outbox.claim_due(kinds=kinds, limit=limit)
    recipients = TgUser.objects.in_bulk({message.chat_id for message in claimed})
    for message in claimed:
        try:
            # In the recipient's language, rendered to plain text now: the sending side
            # runs in no particular person's language.
            with recipient_language(recipients.get(message.chat_id)):
                result = _in_plain_text(_renderers[message.kind](message))
        except Exception as error:  # a bug in one renderer must not stop the others
            logger.exception("Rendering outbox message %s (%s) failed", message.pk, message.kind)
            result = error
        rendered.append((message, result))
    return rendered


@transaction.atomic
def _recipient_blocked(message: OutboxMessage, error: str) -> None:
    mark_user_unreachable(message.chat_id)
    hook = _undeliverable_hooks.get(message.kind)
    if hook is not None:
        hook(message)
    outbox.mark_failed(message_id=message.pk, error=error)


# --- sending ----------------------------------------------------------------------------------
OUTCOME_PATIENCE = 30.0  # seconds to keep trying to record an outcome (well within LEASE)


def may_have_arrived(error: TimedOut) -> bool:
    """False only when the request surely never reached Telegram: no connection was made
    (connect timeout) or none was free (pool timeout). Otherwise the request went out and
    only the answer is missing."""
    cause = error.__cause__
    name = type(cause).__name__ if cause is not None else ""
    return name not in {"ConnectionTimeoutError", "ConnectTimeout", "PoolTimeout"}


def _on_fresh_connection(function):
    def call(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (OperationalError, InterfaceError):
            connection.close()  # the server went away: the next try reconnects
            raise

    return call


async def _record(function, *args, **kwargs):
    """Write a send's outcome, waiting out a database restart (see the module docstring)."""
    deadline = time.monotonic() + OUTCOME_PATIENCE
    while True:
        try:
            return await db(_on_fresh_connection(function))(*args, **kwargs)
        except (OperationalError, InterfaceError) as error:
            if time.monotonic() > deadline:
                raise
            logger.warning("Recording outbox outcome failed (%s); retrying", error)
            await asyncio.sleep(0.5)


def _seconds(value) -> float:
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value or 0)


async def _deliver_to_chat(bot, items: list[tuple[OutboxMessage, object]]) -> None:
    """One chat's messages in order, spaced by OUTBOX_CHAT_INTERVAL (Telegram's per-chat
    pace); other chats run alongside. After a temporary failure the chat's later messages
    wait for the failed one (same next attempt, older id first), so the order holds."""
    blocked: str | None = None
    hold_until = None
    sent_any = False
    for message, result in items:
        if result is None:
            await db(outbox.mark_skipped)(message_id=message.pk)
            continue
        if hold_until is not None:
            await db(outbox.release)(message_id=message.pk, at=hold_until)
            continue
        if isinstance(result, Exception):
            hold_until = await db(outbox.retry_later)(
                message_id=message.pk, error=f"render: {result!r}"
            )
            continue
        if blocked is not None:
            await db(_recipient_blocked)(message, blocked)
            continue
        if sent_any and settings.OUTBOX_CHAT_INTERVAL > 0:
            await asyncio.sleep(settings.OUTBOX_CHAT_INTERVAL)
        try:
            await bot.send_message(message.chat_id, result.text, reply_markup=result.reply_markup)
        except Forbidden as error:
            logger.info("Outbox %s: chat %s blocked the bot", message.pk, message.chat_id)
            blocked = str(error)
            await db(_recipient_blocked)(message, blocked)
        except RetryAfter as error:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                delay = _seconds(error.retry_after)
            hold_until = await db(outbox.retry_later)(
                message_id=message.pk, error=str(error), delay=delay
            )
        except BadRequest as error:  # can never succeed as it is
            logger.error("Outbox %s (%s) refused: %s", message.pk, message.kind, error)
            await _record(outbox.mark_failed, message_id=message.pk, error=f"400: {error}")
        except TimedOut as error:
            if not may_have_arrived(error):
                logger.warning(
                    "Outbox %s (%s) not sent, will retry: %r", message.pk, message.kind, error
                )
                hold_until = await _record(
                    outbox.retry_later, message_id=message.pk, error=repr(error)
                )
                continue
            # Telegram may well have it: a second send could show it twice. At most once.
            logger.warning(
                "Outbox %s (%s) timed out after sending; not sent again", message.pk, message.kind
            )
            sent_any = True
            await _record(outbox.mark_sent_unconfirmed, message_id=message.pk, error=repr(error))
        except TelegramError as error:  # network, timeout, 5xx after the limiter's retries
            logger.warning("Outbox %s (%s) will be retried: %s", message.pk, message.kind, error)
            hold_until = await _record(outbox.retry_later, message_id=message.pk, error=repr(error))
        else:
            sent_any = True
            await _record(outbox.mark_sent, message.pk)


async def deliver_due(bot, limit: int = BATCH) -> int:
    """One round: claim, render, send, record. Returns how many messages were claimed."""
    claimed = await db(_claim_and_render)(known_kinds(), limit)
    by_chat: dict[int, list] = defaultdict(list)
    for item in claimed:
        by_chat[item[0].chat_id].append(item)
    await asyncio.gather(*(_deliver_to_chat(bot, items) for items in by_chat.values()))
    return len(claimed)


@dataclass
class _RunState:
    running: bool = False
    again: bool = False


_states: "weakref.WeakKeyDictionary[Application, _RunState]" = weakref.WeakKeyDictionary()


def _state(application: Application) -> _RunState:
    state = _states.get(application)
    if state is None:
        state = _states[application] = _RunState()
    return state


async def dispatch_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The job: deliver everything due. Only one run per application at a time; a call
    while one is running asks it for another round instead (so nothing waits a tick)."""
    state = _state(context.application)
    if state.running:
        state.again = True
        return
    state.running = True
    try:
        while True:
            state.again = False
            claimed = await deliver_due(context.bot)
            if claimed < BATCH and not state.again:
                return
    finally:
        state.running = False


def wake(context_or_application) -> None:
    """Deliver now: call after this process enqueued outbox messages (e.g. in a handler)."""
    application = getattr(context_or_application, "application", context_or_application)
    if application.job_queue is not None:
        application.job_queue.run_once(dispatch_outbox, 0, name=f"{JOB_NAME}-wake")


def schedule(application: Application) -> None:
    """Register the repeating job (first run at start: messages queued while the bot was
    down go out at once)."""
    if application.job_queue is None:
        logger.warning("No JobQueue: outbox messages will not be sent by this process")
        return
    application.job_queue.run_repeating(
        dispatch_outbox, interval=settings.OUTBOX_POLL_INTERVAL, first=0, name=JOB_NAME
    )
