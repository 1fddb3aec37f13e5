"""/display_events and /read_event: the list, and one event's card."""

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, MessageHandler

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import listing, picker
from calendarapp.bot.ui.dialog import (
    END,
    TEXT,
    command_args,
    conversation,
    forget,
    load_own_event,
    registered_user,
    reject,
    send,
    stops,
)
from calendarapp.bot.ui.formatting import event_card
from calendarapp.exceptions import DomainError

READ_ID = "WAIT_READ_ID"


# --- /display_events, /read_event -----------------------------------------------------------
async def display_events(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await registered_user(update) is None:
        return
    await listing.send_page(update, listing.MINE)


async def read_start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """/read_event <id> shows the card at once; a bare /read_event offers the events."""
    if await registered_user(update) is None:
        return END
    forget(context, "draft")
    args = command_args(context)
    if not args:
        if not await picker.ask_with_picker(update, context, texts.PICK_TO_READ, "read"):
            return END
        return READ_ID
    try:
        event = await load_own_event(update, args[0])
    except DomainError as error:
        await send(update, f"{texts.error_text(error)}\n{texts.READ_USAGE}")
        return END
    await send(update, event_card(event))
    return END


async def _show_card(update, context, event) -> str:
    forget(context, "draft")
    await send(update, event_card(event))
    return END


@stops
async def read_id(update: Update, context: ContextTypes.DEFAULT_TYPE):
    try:
        event = await load_own_event(update, update.message.text)
    except DomainError as error:
        return await reject(update, context, error)
    return await _show_card(update, context, event)


def handlers():
    read = conversation(
        "read_event",
        [CommandHandler("read_event", read_start)],
        {
            READ_ID: [
                *picker.pick_handlers("read", _show_card),
                MessageHandler(TEXT, read_id),
            ]
        },
    )
    return [
        (Group.READ_EVENT, read),
        (Group.COMMANDS, CommandHandler("display_events", display_events)),
    ]
