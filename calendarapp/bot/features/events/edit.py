"""/edit_event [<id> [<text>]]: new details for one of my events."""

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, MessageHandler

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import keyboards
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
    reject,
    remember,
    send,
    stops,
)
from calendarapp.bot.ui.pick_step import pick_event_step
from calendarapp.exceptions import DomainError
from calendarapp.models import EVENT_DETAILS_MAX_LENGTH
from calendarapp.services import events as event_services

EDIT_ID, EDIT_DETAILS = "WAIT_ID", "WAIT_NEW_DETAILS"
CLEAR_WORDS = {"-", "—"}  # remove the details


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
        await db(event_services.update_event_details)(update.effective_user.id, event_id, details)
    except DomainError as error:
        return await reject(update, context, error)
    forget(context, "draft")
    await send(update, texts.EVENT_EDITED.format(id=event_id))
    return END


async def _event_chosen(update, context, event) -> str:
    new_details = command_tail(update).split(maxsplit=1) if command_args(context) else []
    if len(new_details) > 1:  # /edit_event <id> <text>
        # If the text is refused (too long), the dialog goes on at the details question
        # for this event: the id was fine and is not asked again.
        dialog_draft(context)["event_id"] = event.pk
        remember(context, _new_details_question(event), keyboards.cancel())
        state = await _save_details(update, context, event.pk, new_details[1])
        return EDIT_DETAILS if state is None else state
    return await _ask_new_details(update, context, event)


@stops
async def edit_details(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _save_details(
        update, context, dialog_draft(context)["event_id"], update.message.text
    )


def handlers():
    step = pick_event_step("edit", texts.PICK_TO_EDIT, _event_chosen, state=EDIT_ID)
    edit = conversation(
        "edit_event",
        [CommandHandler("edit_event", step.entry)],
        {
            EDIT_ID: step.handlers,
            EDIT_DETAILS: [MessageHandler(TEXT, edit_details)],
        },
    )
    return [(Group.EDIT_EVENT, edit)]
