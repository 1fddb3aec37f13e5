"""Pick one of your own events by pressing a button instead of typing its number.

A dialog step that waits for an event id shows the user's events (upcoming soonest first,
then past ones) as inline buttons, PAGE_SIZE per page, with ◀ ▶ paging and «Отмена»:

    from calendarapp.bot.ui import picker
    async def edit_start(update, context):
        ...
        if not await picker.ask_with_picker(update, context, texts.PICK_TO_EDIT, "edit"):
            return END  # the user has no events; they were told so
        return EDIT_ID

    async def on_pick(update, context, event):  # event: the user's own Event
        return await next_step(update, context, event)  # the next dialog state

    states = {EDIT_ID: [*picker.pick_handlers("edit", on_pick), MessageHandler(TEXT, edit_id)]}

- `ask_with_picker(update, context, question, action)` asks `question` (remembered, so a bad
  typed answer repeats it with the buttons) and returns False without asking when the user
  has no events. A typed id keeps working at the same step: keep your MessageHandler.
- `pick_handlers(action, on_pick)` returns the CallbackQueryHandlers for that action: a pick
  loads the event through `selectors.events.get_own_event` (the ownership check) and calls
  `on_pick(update, context, event)`; its return value becomes the dialog's next state. A
  stale or forged id answers "not found" and the dialog stays where it is. A page turn edits
  the buttons in place. Both stop other handler groups (`dialog.stops`).
- Callback data: `pick:<action>:<event id>` and `pickpage:<action>:<page>`, well under
  Telegram's 64 bytes (`action` is a short word without `:`). Callback queries carry the
  presser's id, so a pick always acts for whoever pressed, never for the chat's other users.
"""

import math
import re
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.runtime.i18n import plain
from calendarapp.bot.ui import keyboards
from calendarapp.bot.ui.dialog import ask, db, deliver, remember_markup, send, stops
from calendarapp.bot.ui.formatting import date_text, time_text
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
    pages = math.ceil(total / PAGE_SIZE)
    page = min(max(page, 1), pages)
    rows = [
        [
            InlineKeyboardButton(
                button_label(event), callback_data=f"{PICK_PREFIX}:{action}:{event.pk}"
            )
        ]
        for event in events[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ]
    if pages > 1:
        turn = f"{PAGE_PREFIX}:{action}:"
        rows.append(
            [
                InlineKeyboardButton(texts.PICK_PREV, callback_data=f"{turn}{max(page - 1, 1)}"),
                InlineKeyboardButton(
                    texts.PICK_PAGE.format(page=page, pages=pages), callback_data=f"{turn}{page}"
                ),
                InlineKeyboardButton(
                    texts.PICK_NEXT, callback_data=f"{turn}{min(page + 1, pages)}"
                ),
            ]
        )
    rows.append([InlineKeyboardButton(texts.BTN_CANCEL, callback_data=keyboards.CB_CANCEL)])
    return InlineKeyboardMarkup(rows)


async def ask_with_picker(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str, action: str
) -> bool:
    """Ask for an event with the first page of buttons; False (and NO_EVENTS said) if the
    user has no events to pick from."""
    markup = await db(picker_markup)(update.effective_user.id, _check_action(action), 1)
    if markup is None:
        await send(update, texts.NO_EVENTS)
        return False
    await ask(update, context, question, markup)
    return True


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

        async def edit():
            try:
                await query.edit_message_reply_markup(markup)
            except BadRequest as error:  # the page in view was pressed: nothing to change
                if "not modified" not in str(error).lower():
                    raise

        await deliver(edit)
        return None

    return [
        CallbackQueryHandler(picked, pattern=rf"^{PICK_PREFIX}:{action}:(\d{{1,18}})$"),
        CallbackQueryHandler(turned, pattern=rf"^{PAGE_PREFIX}:{action}:(\d{{1,6}})$"),
    ]
