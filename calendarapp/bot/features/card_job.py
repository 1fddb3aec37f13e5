"""The card job: edits each posted card due an edit (services.event_cards), at most once
per CARD_EDIT_INTERVAL with the state of that moment, by `inline_message_id` (or chat and
message, for the bot's own cards in groups). "Not
modified" costs nothing, 429 waits and retries, a deleted message is never edited again."""

import datetime as dt
import logging
import warnings
import weakref

from django.conf import settings
from django.utils import timezone
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from calendarapp.bot.runtime.orm import db
from calendarapp.bot.ui.event_card import render
from calendarapp.services import event_cards

logger = logging.getLogger("calendarapp.bot.cards")

JOB_NAME = "cards"
_running: "weakref.WeakSet[Application]" = weakref.WeakSet()
_again: "weakref.WeakSet[Application]" = weakref.WeakSet()


def _not_found(error: BadRequest) -> bool:
    text = str(error).lower()
    return "not found" in text or "message_id_invalid" in text or "message id invalid" in text


async def _edit(bot, card) -> None:
    rendered = await db(render)(card.event_id)
    if rendered is None:
        return
    text, markup = rendered
    try:
        if card.chat_id is not None:  # the bot's own message in a group
            where = {"chat_id": card.chat_id, "message_id": card.message_id}
        else:
            where = {"inline_message_id": card.inline_message_id}
        await bot.edit_message_text(text, reply_markup=markup, **where)
    except RetryAfter as error:  # the limiter's own retries ran out: later, not never
        with warnings.catch_warnings():  # PTB's int-or-timedelta deprecation notice
            warnings.simplefilter("ignore")
            wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
        at = timezone.now() + dt.timedelta(seconds=max(seconds, settings.CARD_EDIT_INTERVAL))
        await db(event_cards.card_retry)(card_id=card.pk, at=at)
    except BadRequest as error:
        if "not modified" in str(error).lower():
            return  # it shows this already: nothing to do, nothing lost
        if _not_found(error):
            await db(event_cards.card_gone)(card_id=card.pk)
            return
        logger.error("Card %s refused: %s", card.pk, error)
    except TelegramError as error:  # network, 5xx after retries: the card stays due
        logger.warning("Card %s not edited (%s); will retry", card.pk, error)
        await db(event_cards.card_retry)(card_id=card.pk, at=timezone.now())
    else:
        await db(event_cards.card_edited)(card_id=card.pk, interval=settings.CARD_EDIT_INTERVAL)


async def edit_due_cards(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Edit every card due an edit; one run per application at a time (a wake during a
    run asks for one more round)."""
    application = context.application
    if application in _running:
        _again.add(application)
        return
    _running.add(application)
    try:
        while True:
            _again.discard(application)
            due = await db(event_cards.claim_due_cards)(interval=settings.CARD_EDIT_INTERVAL)
            for card in due:
                await _edit(context.bot, card)
            if len(due) < 50 and application not in _again:
                return
    finally:
        _running.discard(application)


def wake(context) -> None:
    application = context.application
    if application.job_queue is not None:
        application.job_queue.run_once(edit_due_cards, 0, name=f"{JOB_NAME}-wake")


def schedule(application: Application) -> None:
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            edit_due_cards, interval=settings.CARD_POLL_INTERVAL, first=1, name=JOB_NAME
        )
