"""/edit_event [<id> [<text>]]: new details for one of my events."""

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, MessageHandler

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import keyboards, picker
from calendarapp.bot.ui.dialog import (
    END,
    TEXT,
    ask,
    command_args,
    command_tail,
    conversation,
    db,
    dialog_draft,
    forget,
    load_own_event,
    registered_user,
    reject,
    remember,
    send,
    stops,
)
from calendarapp.exceptions import DomainError
from calendarapp.models import EVENT_DETAILS_MAX_LENGTH
from calendarapp.services import events as event_services

CREATE_NAME, CREATE_DATE, CREATE_TIME, CREATE_DETAILS, CREATE_REMINDER = (
    "WAIT_NAME",
    "WAIT_DATE",
    "WAIT_TIME",
    "WAIT_DETAILS",
    "WAIT_REMINDER",
)
EDIT_ID, EDIT_DETAILS = "WAIT_ID", "WAIT_NEW_DETAILS"
DELETE_ID, DELETE_CONFIRM = "WAIT_ID", "WAIT_CONFIRM"
READ_ID = "WAIT_READ_ID"
SKIP_WORDS = {"-", "—", "нет", "пропустить", "no", "skip"}
REMINDER_SKIP_WORDS = {"-", "—", "пропустить", "skip"}  # "нет" here means "no reminder"
CLEAR_WORDS = {"-", "—"}  # /edit_event: remove the details
YES_WORDS = {"да", "удалить", "да, удалить", "yes", "delete", "yes, delete"}


# --- /edit_event [<id> [<text>]] ------------------------------------------------------------
def _new_details_question(event) -> str:
    return texts.ASK_NEW_DETAILS.format(id=event.pk, limit=EVENT_DETAILS_MAX_LENGTH)


async def _ask_new_details(update, context, event) -> str:
    dialog_draft(context)["event_id"] = event.pk
    await ask(update, context, _new_details_question(event), keyboards.cancel())
    return EDIT_DETAILS


async def _save_details(update, context, event_id: int, details: str):
    if details.strip() in CLEAR_WORDS:  # as in /create_event: no details
        details = ""
    try:
        await db(event_services.update_event_details)(
            owner_tg_id=update.effective_user.id, event_id=event_id, details=details
        )
    except DomainError as error:
        return await reject(update, context, error)
    forget(context, "draft")
    await send(update, texts.EVENT_EDITED.format(id=event_id))
    return END


async def edit_start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if await registered_user(update) is None:
        return END
    forget(context, "draft")
    args = command_args(context)
    if not args:
        if not await picker.ask_with_picker(update, context, texts.PICK_TO_EDIT, "edit"):
            return END
        return EDIT_ID
    remember(context, texts.ASK_EVENT_ID, keyboards.cancel())
    try:
        event = await load_own_event(update, args[0])
    except DomainError as error:
        await reject(update, context, error)
        return EDIT_ID
    new_details = command_tail(update).split(maxsplit=1)
    if len(new_details) > 1:
        # If the text is refused (too long), the dialog goes on at the details question
        # for this event: the id was fine and is not asked again.
        dialog_draft(context)["event_id"] = event.pk
        remember(context, _new_details_question(event), keyboards.cancel())
        state = await _save_details(update, context, event.pk, new_details[1])
        return EDIT_DETAILS if state is None else state
    return await _ask_new_details(update, context, event)


@stops
async def edit_id(update: Update, context: ContextTypes.DEFAULT_TYPE):
    try:
        event = await load_own_event(update, update.message.text)
    except DomainError as error:
        return await reject(update, context, error)
    return await _ask_new_details(update, context, event)


@stops
async def edit_details(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _save_details(
        update, context, dialog_draft(context)["event_id"], update.message.text
    )


def handlers():
    edit = conversation(
        "edit_event",
        [CommandHandler("edit_event", edit_start)],
        {
            EDIT_ID: [
                *picker.pick_handlers("edit", _ask_new_details),
                MessageHandler(TEXT, edit_id),
            ],
            EDIT_DETAILS: [MessageHandler(TEXT, edit_details)],
        },
    )
    return [(Group.EDIT_EVENT, edit)]
