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
retries, timeouts, renderer crashes); failed for good after MAX_ATTEMPTS or on 400; on 403
the user is marked unreachable and the kind's hook runs.
"""

import asyncio
import datetime as dt
import logging
import warnings
import weakref
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from calendarapp.models import OutboxMessage
from calendarapp.services import outbox
from calendarapp.services.users import mark_user_unreachable

from .orm import db

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
def _claim_and_render(kinds: tuple[str, ...], limit: int) -> list[tuple[OutboxMessage, object]]:
    """Claim due messages and render each; a renderer's exception is kept as the result."""
    rendered: list[tuple[OutboxMessage, object]] = []
    for message in outbox.claim_due(kinds, limit=limit):
        try:
            result = _renderers[message.kind](message)
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
    outbox.mark_failed(message.pk, error)


# --- sending ----------------------------------------------------------------------------------
def _seconds(value) -> float:
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value or 0)


async def _deliver_to_chat(bot, items: list[tuple[OutboxMessage, object]]) -> None:
    """One chat's messages in order, spaced by OUTBOX_CHAT_INTERVAL (Telegram's per-chat
    pace); other chats run alongside."""
    blocked: str | None = None
    sent_any = False
    for message, result in items:
        if result is None:
            await db(outbox.mark_skipped)(message.pk)
            continue
        if isinstance(result, Exception):
            await db(outbox.retry_later)(message.pk, f"render: {result!r}")
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
            await db(outbox.retry_later)(message.pk, str(error), delay=delay)
        except BadRequest as error:  # can never succeed as it is
            logger.error("Outbox %s (%s) refused: %s", message.pk, message.kind, error)
            await db(outbox.mark_failed)(message.pk, f"400: {error}")
        except TelegramError as error:  # network, timeout, 5xx after the limiter's retries
            logger.warning("Outbox %s (%s) will be retried: %s", message.pk, message.kind, error)
            await db(outbox.retry_later)(message.pk, repr(error))
        else:
            sent_any = True
            await db(outbox.mark_sent)(message.pk)


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
