"""Event cards in any chat, by inline mode: `@<bot> text` lists the typer's upcoming events,
choosing one posts its card with «✅ Иду», «🤔 Может быть», «❌ Не иду».

The card is an inline message: the bot need not be in the chat, and Telegram sends presses
with an `inline_message_id` and no message. So a press is answered with a toast
(answerCallbackQuery), never with a message in the chat, and the card is edited by
`inline_message_id` — not at each press but by the card job (card_job.py), at most once
per CARD_EDIT_INTERVAL per card with the state of that moment. `/post` (post.py) gives a
button that opens the same card in any chat.
"""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections
from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.ext import (
    CallbackQueryHandler,
    ChosenInlineResultHandler,
    ContextTypes,
    InlineQueryHandler,
)

from calendarapp.bot import texts
from calendarapp.bot.features.card_job import wake
from calendarapp.bot.runtime import orm
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.runtime.orm import db
from calendarapp.bot.runtime.profiles import profile_of
from calendarapp.bot.ui.dialog import deliver, stops
from calendarapp.bot.ui.event_card import rendered
from calendarapp.bot.ui.formatting import date_text, time_text
from calendarapp.exceptions import DomainError
from calendarapp.models import Rsvp
from calendarapp.selectors import rsvp as cards
from calendarapp.services import event_cards, rsvp

logger = logging.getLogger("calendarapp.bot.cards")

INLINE_CACHE_SECONDS = 5  # answers change with every new event: keep Telegram's cache short
JOB_NAME = "cards"
RESULT_PREFIX = "e"
_TOASTS = {
    Rsvp.Answer.WAITING: texts.TOAST_WAITING,
    Rsvp.Answer.GOING: texts.TOAST_GOING,
    Rsvp.Answer.MAYBE: texts.TOAST_MAYBE,
    Rsvp.Answer.NOT_GOING: texts.TOAST_NOT_GOING,
}


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
        card, markup = rendered(state)
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
        await db(event_cards.card_posted)(
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

    The batch is written on a thread of its own, so the event loop keeps taking presses
    (and answering them) meanwhile: written on the loop itself (the bot's inline ORM),
    each press would block the next and no batch would ever form. Presses are submitted
    after their update's own transaction (see `pressed`), so a batch never waits for, nor
    holds up, the connection the updates share.
    """

    def __init__(self):
        self._waiting: list[tuple[rsvp.Press, asyncio.Future]] = []
        self._writing = False

    async def submit(self, press: rsvp.Press) -> tuple[rsvp.Outcome | DomainError, bool]:
        """The press's outcome (or its refusal) and whether a card became due."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((press, future))
        if not self._writing:
            self._writing = True
            asyncio.get_running_loop().create_task(self._write())
        return await future

    async def _write(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                presses = [press for press, _ in batch]
                try:
                    results, due = await asyncio.get_running_loop().run_in_executor(
                        _WRITER, _write_batch, presses
                    )
                except Exception as error:  # the database: every press of the batch hears it
                    for _press, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for (_press, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result((result, due))
                    due = False  # one wake per batch is enough
        finally:
            self._writing = False


def _batcher(context) -> PressBatcher:
    batcher = context.application.bot_data.get("rsvp_batcher")
    if batcher is None:
        batcher = context.application.bot_data["rsvp_batcher"] = PressBatcher()
    return batcher


def _toast(press: rsvp.Press, outcome: rsvp.Outcome) -> str:
    if press.answer in (rsvp.GUEST_MORE, rsvp.GUEST_LESS):
        return str(texts.TOAST_GUESTS.format(count=outcome.guests))
    return str(_TOASTS[outcome.answer])


async def _answer(query, press: rsvp.Press, result, due: bool, context) -> None:
    if isinstance(result, DomainError):
        await query.answer(texts.error_text(result), show_alert=True)
        return
    await query.answer(_toast(press, result))
    if due:  # the first press since the card's last edit; later ones wait for the job
        wake(context)


@stops
async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press anywhere (a group the bot is not in, too): a toast to the presser only,
    once the answer is saved.

    SQLite: written in the update's own transaction, the toast after its commit. On
    PostgreSQL the update's transaction holds the process's one connection (runtime/once.py)
    until it ends, so a press written inside it would keep every other update waiting for
    its batch, and batches of one would be all there is. The press is therefore handed to
    the batcher after the update's commit (`deliver`), and the toast follows the batch's
    commit. A redelivered update (its id already kept) is dropped before that, so a press
    is written once; a crash between the two commits loses the press unanswered, and the
    person, seeing no toast, presses again.
    """
    query = update.callback_query
    try:
        event_id, answer = rsvp.parse_button_data(query.data)
    except DomainError as error:
        refusal = texts.error_text(error)
        await deliver(lambda: query.answer(refusal, show_alert=True))
        return
    press = rsvp.Press(event_id, profile_of(update), answer, query.inline_message_id)
    if orm.VENDOR == "sqlite":
        (result,), due = await db(rsvp.answer_many)([press])
        await deliver(lambda: _answer(query, press, result, due, context))
        return

    async def write_and_answer() -> None:
        result, due = await _batcher(context).submit(press)
        await _answer(query, press, result, due, context)

    await deliver(write_and_answer)


def handlers():
    return [
        (Group.MEETING_BUTTONS, CallbackQueryHandler(pressed, pattern=r"^r:")),
        (Group.COMMANDS, InlineQueryHandler(inline_query)),
        (Group.COMMANDS, ChosenInlineResultHandler(chosen)),
    ]
