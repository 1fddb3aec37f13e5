"""Pick one of your own events by pressing a button instead of typing its number.

The buttons of a dialog step that waits for an event id (ui/pick_step.py wires the whole
step): the user's events (upcoming soonest first, then past ones), PAGE_SIZE per page, with
◀ ▶ paging and «Отмена».

- `picker_markup(owner_tg_id, action, page)` builds one page (None: the user has no events).
- `pick_handlers(action, on_pick)` returns the CallbackQueryHandlers for that action: a pick
  loads the event through `selectors.events.get_own_event` (the ownership check) and calls
  `on_pick(update, context, event)`; its return value becomes the dialog's next state. A
  stale or forged id answers "not found" and the dialog stays where it is. A page turn edits
  the buttons in place. Both stop other handler groups (`dialog.stops`).
- Callback data: `pick:<action>:<event id>` and `pickpage:<action>:<page>`, well under
  Telegram's 64 bytes (`action` is a short word without `:`). Callback queries carry the
  presser's id, so a pick always acts for whoever pressed, never for the chat's other users.
"""

import re
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.runtime.i18n import plain
from calendarapp.bot.ui import keyboards
from calendarapp.bot.ui.dialog import (
    db,
    deliver,
    remember_markup,
    send,
    stops,
    unless_unchanged,
)
from calendarapp.bot.ui.formatting import date_text, time_text
from calendarapp.bot.ui.pager import Page
from calendarapp.exceptions import DomainError
from calendarapp.selectors.events import events_upcoming_first, get_own_event
from calendarapp.selectors.users import get_user, local_now

PAGE_SIZE = 8
LABEL_MAX = 48  # characters on a button; Telegram cuts long labels anyway
PICK_PREFIX, PAGE_PREFIX = "pick", "pickpage"
_ACTION = re.compile(r"^[a-z_]{1,20}$")

OnPick = Callable[[Update, ContextTypes.DEFAULT_TYPE, object], Awaitable[object]]


def _check_action(action: str) -> str:
    if not _ACTION.match(action):
        raise ValueError(f"picker action must be a short lowercase word: {action!r}")
    return action


def button_label(event) -> str:
    label = f"#{event.pk} {date_text(event.date)} {time_text(event.time)} {event.name}"
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def picker_markup(owner_tg_id: int, action: str, page: int = 1) -> InlineKeyboardMarkup | None:
    """One page of the user's events as buttons (three queries), or None if they have none."""
    owner = get_user(owner_tg_id)
    if owner is None:
        return None
    events = events_upcoming_first(owner_tg_id=owner.pk, now=local_now(owner))
    total = events.count()
    if not total:
        return None
    shown = Page.of(total, PAGE_SIZE, page)
    rows = [
        [
            InlineKeyboardButton(
                button_label(event), callback_data=f"{PICK_PREFIX}:{action}:{event.pk}"
            )
        ]
        for event in shown.items(events)
    ]
    turn = shown.turn_row(
        lambda number: f"{PAGE_PREFIX}:{action}:{number}",
        back=texts.PICK_PREV,
        forward=texts.PICK_NEXT,
        counter=texts.PICK_PAGE,
    )
    if turn:
        rows.append(turn)
    rows.append([InlineKeyboardButton(texts.BTN_CANCEL, callback_data=keyboards.CB_CANCEL)])
    return InlineKeyboardMarkup(rows)


def pick_handlers(action: str, on_pick: OnPick) -> list[CallbackQueryHandler]:
    """The pick and page-turn handlers for one action (put them in the waiting state)."""
    _check_action(action)

    @stops
    async def picked(update: Update, context: ContextTypes.DEFAULT_TYPE):
        query = update.callback_query
        event_id = int(context.match.group(1))
        try:
            event = await db(get_own_event)(owner_tg_id=update.effective_user.id, event_id=event_id)
        except DomainError as error:
            await query.answer(texts.error_text(error), show_alert=True)
            return None
        return await on_pick(update, context, event)

    @stops
    async def turned(update: Update, context: ContextTypes.DEFAULT_TYPE):
        query = update.callback_query
        page = int(context.match.group(1))
        markup = await db(picker_markup)(update.effective_user.id, action, page)
        if markup is None:
            await send(update, texts.NO_EVENTS)
            return None
        await query.answer()
        shown = query.message.reply_markup if query.message is not None else None
        if shown is not None and shown.to_dict() == plain(markup.to_dict()):
            return None  # ◀ on the first page, ▶ on the last, the page counter: no edit
        if "markup" in context.user_data:  # a repeated question shows the page in view
            remember_markup(context, markup)
        await deliver(unless_unchanged(lambda: query.edit_message_reply_markup(markup)))
        return None

    return [
        CallbackQueryHandler(picked, pattern=rf"^{PICK_PREFIX}:{action}:(\d{{1,18}})$"),
        CallbackQueryHandler(turned, pattern=rf"^{PAGE_PREFIX}:{action}:(\d{{1,6}})$"),
    ]
