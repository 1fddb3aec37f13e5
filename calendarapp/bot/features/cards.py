"""Event cards in any chat, by inline mode: `@<bot> text` lists the typer's upcoming events,
choosing one posts its card with «✅ Иду», «🤔 Может быть», «❌ Не иду».

The card is an inline message: the bot need not be in the chat, and Telegram sends presses
with an `inline_message_id` and no message. So a press is answered with a toast
(answerCallbackQuery), never with a message in the chat, and the card is edited by
`inline_message_id` — not at each press but by the card job below, at most once per
CARD_EDIT_INTERVAL per card with the state of that moment (services.rsvp).
`/post <id>` gives a button that opens the same card for that event in any chat.
"""

import asyncio
import datetime as dt
import logging
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
)

from calendarapp.bot import texts
from calendarapp.bot.runtime import orm
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.runtime.orm import db
from calendarapp.bot.runtime.profiles import profile_of
from calendarapp.bot.ui.dialog import send, stops
from calendarapp.bot.ui.formatting import date_text, time_text
from calendarapp.exceptions import DomainError
from calendarapp.i18n import recipient_language
from calendarapp.models import Rsvp
from calendarapp.parsing import parse_id
from calendarapp.selectors import rsvp as cards
from calendarapp.selectors.events import get_own_event
from calendarapp.services import rsvp
from calendarapp.timezones import offset_name

logger = logging.getLogger("calendarapp.bot.cards")

MAX_TEXT = 4096
INLINE_CACHE_SECONDS = 5  # answers change with every new event: keep Telegram's cache short
JOB_NAME = "cards"
RESULT_PREFIX = "e"
_BUTTONS = (
    (Rsvp.Answer.GOING, texts.BTN_GOING),
    (Rsvp.Answer.MAYBE, texts.BTN_MAYBE),
    (Rsvp.Answer.NOT_GOING, texts.BTN_NOT_GOING),
)
_TOASTS = {
    Rsvp.Answer.GOING: texts.TOAST_GOING,
    Rsvp.Answer.MAYBE: texts.TOAST_MAYBE,
    Rsvp.Answer.NOT_GOING: texts.TOAST_NOT_GOING,
}


# --- the card -------------------------------------------------------------------------------
def _names_line(head: str, names: list[str], count: int) -> str:
    if not names:
        return head
    shown = ", ".join(names)
    if count > len(names):
        shown += " " + str(texts.CARD_MORE.format(count=count - len(names)))
    return f"{head} — {shown}"


def card_text(state: cards.CardState) -> str:
    """Name, when (the organiser's clock, their zone said), details, organiser, answers.
    Never over Telegram's 4096 characters: without the names when they do not fit."""
    event, counts = state.event, state.counts
    heads = {
        answer: str(template.format(count=counts[answer]))
        for answer, template in (
            (Rsvp.Answer.GOING, texts.CARD_GOING),
            (Rsvp.Answer.MAYBE, texts.CARD_MAYBE),
            (Rsvp.Answer.NOT_GOING, texts.CARD_NOT_GOING),
        )
    }
    closed = [str(texts.CARD_CLOSED)] if state.closed else []

    def render(with_names: bool) -> str:
        lines = [
            _names_line(
                heads[answer], state.names.get(answer, []) if with_names else [], counts[answer]
            )
            for answer in heads
        ]
        return texts.CARD.format(
            name=event.name,
            date=date_text(event.date),
            time=time_text(event.time),
            zone=offset_name(event.owner.timezone),
            details=texts.CARD_DETAILS.format(details=event.details) if event.details else "",
            who=event.owner.display_name,
            answers="\n".join(lines + closed),
        )

    text = render(with_names=True)
    if len(text) > MAX_TEXT:
        text = render(with_names=False)
    return text[:MAX_TEXT]


def card_keyboard(event_id: int) -> InlineKeyboardMarkup | None:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    str(label), callback_data=rsvp.button_data(event_id=event_id, answer=answer)
                )
                for answer, label in _BUTTONS
            ]
        ]
    )


def _render(event_id: int) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The card now (None: the event is gone)."""
    state = cards.card_state(event_id=event_id)
    return None if state is None else _rendered(state)


def _rendered(state: cards.CardState) -> tuple[str, InlineKeyboardMarkup | None]:
    """In the organiser's language: a card speaks to a whole chat."""
    with recipient_language(state.event.owner):
        text = card_text(state)
        markup = None if state.closed else card_keyboard(state.event.pk)
        if markup is not None:
            markup = InlineKeyboardMarkup.de_json(markup.to_dict(), None)
    return str(text), markup


# --- inline mode ----------------------------------------------------------------------------
def _inline_results(owner_tg_id: int, text: str, offset: int) -> tuple[list, str]:
    """A page of results in two queries (the events with their owner, the counts). The
    cards carry counts only: names would cost a query per event at every keystroke, and
    the posted card gets them at its first edit (services.rsvp.card_posted)."""
    events = list(
        cards.postable_events(owner_tg_id=owner_tg_id, text=text)[
            offset : offset + cards.INLINE_PAGE + 1
        ]
    )
    more = len(events) > cards.INLINE_PAGE
    events = events[: cards.INLINE_PAGE]
    counts = cards.answer_counts([event.pk for event in events])
    results = []
    for event in events:
        state = cards.CardState(event=event, closed=event.rsvp_closed, counts=counts[event.pk])
        card, markup = _rendered(state)
        going = counts[event.pk][Rsvp.Answer.GOING]
        results.append(
            InlineQueryResultArticle(
                id=f"{RESULT_PREFIX}{event.pk}",
                title=(event.name + (texts.PUBLIC_MARK if event.is_public else ""))[:256],
                description=str(
                    texts.INLINE_RESULT_DESCRIPTION.format(
                        date=date_text(event.date), time=time_text(event.time), count=going
                    )
                ),
                input_message_content=InputTextMessageContent(card),
                reply_markup=markup,
            )
        )
    return results, (str(offset + cards.INLINE_PAGE) if more else "")


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    offset = int(query.offset) if query.offset.isdigit() else 0
    results, next_offset = await db(_inline_results)(query.from_user.id, query.query, offset)
    # Nothing to post (no events yet, or a stranger to the bot): a way into the bot instead.
    button = (
        InlineQueryResultsButton(text=str(texts.INLINE_NO_EVENTS), start_parameter="cards")
        if not results and not offset
        else None
    )
    await query.answer(
        results,
        cache_time=INLINE_CACHE_SECONDS,
        is_personal=True,
        next_offset=next_offset,
        button=button,
    )


async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The owner posted a card: remember its inline message, to edit it when answers come."""
    result = update.chosen_inline_result
    ref = result.result_id.removeprefix(RESULT_PREFIX)
    if not (result.inline_message_id and ref.isdigit()):
        return
    try:
        await db(rsvp.card_posted)(
            event_id=int(ref),
            owner_tg_id=result.from_user.id,
            inline_message_id=result.inline_message_id,
        )
    except DomainError:  # the event was deleted meanwhile: nothing to keep up to date
        return
    wake(context)  # its first edit adds the names the inline result left out


def _write_batch(presses: list) -> tuple[list, bool]:
    close_old_connections()  # the writer thread's connection, as orm does for its own
    return rsvp.answer_many(presses)


_WRITER = orm.register_thread(ThreadPoolExecutor(1, thread_name_prefix="rsvp-writer"))


class PressBatcher:
    """Presses arriving while the previous ones are written wait and go together: one
    transaction for all of them (services.rsvp.answer_many). Quiet, a press is written at
    once; busy, the commits (and their round trips) are shared instead of queueing up.

    On PostgreSQL the batch is written on a thread of its own, so the event loop keeps
    taking presses (and answering them) meanwhile: written on the loop itself (the bot's
    inline ORM), each press would block the next and no batch would ever form. SQLite
    serialises writers anyway: there it is the ordinary ORM call.
    """

    def __init__(self):
        self._waiting: list[tuple[rsvp.Press, asyncio.Future]] = []
        self._writing = False

    async def submit(self, press: rsvp.Press) -> bool:
        """Whether a card became due; raises the press's refusal."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((press, future))
        if not self._writing:
            self._writing = True
            asyncio.get_running_loop().create_task(self._write())
        refusal, due = await future
        if refusal is not None:
            raise refusal
        return due

    async def _write(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                presses = [press for press, _ in batch]
                try:
                    if connection.vendor == "sqlite":
                        refusals, due = await db(rsvp.answer_many)(presses)
                    else:
                        refusals, due = await asyncio.get_running_loop().run_in_executor(
                            _WRITER, _write_batch, presses
                        )
                except Exception as error:  # the database: every press of the batch hears it
                    for _press, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for (_press, future), refusal in zip(batch, refusals, strict=True):
                    if not future.done():
                        future.set_result((refusal, due))
                    due = False  # one wake per batch is enough
        finally:
            self._writing = False


def _batcher(context) -> PressBatcher:
    batcher = context.application.bot_data.get("rsvp_batcher")
    if batcher is None:
        batcher = context.application.bot_data["rsvp_batcher"] = PressBatcher()
    return batcher


@stops
async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press anywhere (a group the bot is not in, too): a toast to the presser only."""
    query = update.callback_query
    try:
        event_id, answer = rsvp.parse_button_data(query.data)
        due = await _batcher(context).submit(
            rsvp.Press(event_id, profile_of(update), answer, query.inline_message_id)
        )
    except DomainError as error:
        await query.answer(texts.error_text(error), show_alert=True)
        return
    await query.answer(str(_TOASTS[answer]))
    if due:  # the first press since the card's last edit; later ones wait for the job
        wake(context)


# --- /post ---------------------------------------------------------------------------------
CB_CLOSE = r"^rsvpx:(close|open):(\d{1,18})$"


def share_button(event_id: int) -> InlineKeyboardButton:
    """Opens the chat picker with `@bot #<id>` typed: the card of exactly that event."""
    return InlineKeyboardButton(str(texts.BTN_SHARE_CARD), switch_inline_query=f"#{event_id}")


def post_message(event) -> tuple[str, InlineKeyboardMarkup]:
    """The organiser's view: share the card, close or reopen its answers."""
    text = str(texts.POST_READY.format(name=event.name))
    if event.rsvp_closed:
        text += "\n" + str(texts.CARD_CLOSED)
        toggle = InlineKeyboardButton(
            str(texts.BTN_REOPEN_ANSWERS), callback_data=f"rsvpx:open:{event.pk}"
        )
    else:
        toggle = InlineKeyboardButton(
            str(texts.BTN_CLOSE_ANSWERS), callback_data=f"rsvpx:close:{event.pk}"
        )
    return text, InlineKeyboardMarkup([[share_button(event.pk)], [toggle]])


async def post(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        event_id = parse_id(context.args[0] if context.args else "")
        event = await db(get_own_event)(owner_tg_id=update.effective_user.id, event_id=event_id)
    except DomainError as error:
        await send(update, texts.POST_USAGE if not context.args else texts.error_text(error))
        return
    text, markup = post_message(event)
    await send(update, text, reply_markup=markup)


@stops
async def close_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The organiser closes or reopens answers; the cards follow at their next edit."""
    try:
        event = await db(rsvp.set_answers_closed)(
            organizer_tg_id=update.effective_user.id,
            event_id=int(context.match.group(2)),
            closed=context.match.group(1) == "close",
        )
    except DomainError as error:
        await update.callback_query.answer(texts.error_text(error), show_alert=True)
        return
    text, markup = post_message(event)
    await send(update, text, reply_markup=markup)
    wake(context)


# --- the card job ---------------------------------------------------------------------------
_running: "weakref.WeakSet[Application]" = weakref.WeakSet()
_again: "weakref.WeakSet[Application]" = weakref.WeakSet()


def _not_found(error: BadRequest) -> bool:
    text = str(error).lower()
    return "not found" in text or "message_id_invalid" in text or "message id invalid" in text


async def _edit(bot, card) -> None:
    rendered = await db(_render)(card.event_id)
    if rendered is None:
        return
    text, markup = rendered
    try:
        await bot.edit_message_text(
            text, inline_message_id=card.inline_message_id, reply_markup=markup
        )
    except RetryAfter as error:  # the limiter's own retries ran out: later, not never
        with warnings.catch_warnings():  # PTB's int-or-timedelta deprecation notice
            warnings.simplefilter("ignore")
            wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
        at = timezone.now() + dt.timedelta(seconds=max(seconds, settings.CARD_EDIT_INTERVAL))
        await db(rsvp.card_retry)(card_id=card.pk, at=at)
    except BadRequest as error:
        if "not modified" in str(error).lower():
            return  # it shows this already: nothing to do, nothing lost
        if _not_found(error):
            await db(rsvp.card_gone)(card_id=card.pk)
            return
        logger.error("Card %s refused: %s", card.pk, error)
    except TelegramError as error:  # network, 5xx after retries: the card stays due
        logger.warning("Card %s not edited (%s); will retry", card.pk, error)
        await db(rsvp.card_retry)(card_id=card.pk, at=timezone.now())
    else:
        await db(rsvp.card_edited)(card_id=card.pk, interval=settings.CARD_EDIT_INTERVAL)


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
            due = await db(rsvp.claim_due_cards)(interval=settings.CARD_EDIT_INTERVAL)
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


def handlers():
    return [
        (Group.MEETING_BUTTONS, CallbackQueryHandler(pressed, pattern=r"^r:")),
        (Group.MEETING_BUTTONS, CallbackQueryHandler(close_pressed, pattern=CB_CLOSE)),
        (Group.COMMANDS, InlineQueryHandler(inline_query)),
        (Group.COMMANDS, ChosenInlineResultHandler(chosen)),
        (Group.COMMANDS, CommandHandler("post", post)),
    ]
