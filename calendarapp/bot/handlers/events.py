"""Events: /create_event, /display_events, /read_event, /edit_event, /delete_event."""

import datetime as dt

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler

from calendarapp.exceptions import DomainError
from calendarapp.parsing import parse_date, parse_id, parse_time
from calendarapp.services import events as event_services

from .. import keyboards, listing, picker, texts
from ..dialog import (
    COMMANDS_GROUP,
    END,
    TEXT,
    ask,
    command_args,
    command_tail,
    conversation,
    db,
    forget,
    registered_user,
    reject,
    remember,
    send,
    stops,
)
from ..formatting import event_card

CREATE_NAME, CREATE_DATE, CREATE_TIME, CREATE_DETAILS = (
    "WAIT_NAME",
    "WAIT_DATE",
    "WAIT_TIME",
    "WAIT_DETAILS",
)
EDIT_ID, EDIT_DETAILS = "WAIT_ID", "WAIT_NEW_DETAILS"
DELETE_ID, DELETE_CONFIRM = "WAIT_ID", "WAIT_CONFIRM"
READ_ID = "WAIT_READ_ID"
SKIP_WORDS = {"-", "—", "нет", "пропустить"}
YES_WORDS = {"да", "удалить", "да, удалить", "yes"}


def _draft(context: ContextTypes.DEFAULT_TYPE) -> dict:
    return context.user_data.setdefault("draft", {})


# --- /create_event ------------------------------------------------------------------------
async def create_start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if await registered_user(update) is None:
        return END
    forget(context, "draft")
    await ask(update, context, texts.ASK_NAME, keyboards.cancel())
    return CREATE_NAME


@stops
async def create_name(update: Update, context: ContextTypes.DEFAULT_TYPE):
    try:
        name = event_services.clean_name(update.message.text)
    except DomainError as error:
        return await reject(update, context, error)
    _draft(context)["name"] = name
    await ask(update, context, texts.ASK_DATE, keyboards.cancel())
    return CREATE_DATE


def _check_date(tg_id: int, text: str) -> dt.date:
    user = event_services._registered(tg_id)
    date = parse_date(text)
    event_services.ensure_date_not_past(user, date)
    return date


@stops
async def create_date(update: Update, context: ContextTypes.DEFAULT_TYPE):
    try:
        date = await db(_check_date)(update.effective_user.id, update.message.text)
    except DomainError as error:
        return await reject(update, context, error)
    _draft(context)["date"] = date.isoformat()
    await ask(update, context, texts.ASK_TIME, keyboards.cancel())
    return CREATE_TIME


def _check_time(tg_id: int, date_text: str, text: str) -> dt.time:
    user = event_services._registered(tg_id)
    time = parse_time(text)
    event_services.ensure_not_past(user, dt.date.fromisoformat(date_text), time)
    return time


@stops
async def create_time(update: Update, context: ContextTypes.DEFAULT_TYPE):
    draft = _draft(context)
    try:
        time = await db(_check_time)(update.effective_user.id, draft["date"], update.message.text)
    except DomainError as error:
        return await reject(update, context, error)
    draft["time"] = time.strftime("%H:%M")
    await ask(update, context, texts.ASK_DETAILS, keyboards.skip_or_cancel())
    return CREATE_DETAILS


async def _finish_create(update: Update, context: ContextTypes.DEFAULT_TYPE, details: str):
    draft = _draft(context)
    try:
        event = await db(event_services.create_event)(
            update.effective_user.id,
            name=draft["name"],
            date=dt.date.fromisoformat(draft["date"]),
            time=dt.time.fromisoformat(draft["time"]),
            details=details,
        )
    except DomainError as error:
        if error.code == "in_past":  # the time passed while the user was typing
            await send(update, texts.error_text(error))
            await ask(update, context, texts.ASK_TIME, keyboards.cancel())
            return CREATE_TIME
        return await reject(update, context, error)
    forget(context, "draft")
    await send(update, texts.EVENT_CREATED.format(event=event_card(event)))
    return END


@stops
async def create_details(update: Update, context: ContextTypes.DEFAULT_TYPE):
    text = update.message.text
    details = "" if text.strip().lower() in SKIP_WORDS else text
    return await _finish_create(update, context, details)


@stops
async def create_skip_details(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _finish_create(update, context, "")


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
        event = await _load_own(update, args[0])
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
        event = await _load_own(update, update.message.text)
    except DomainError as error:
        return await reject(update, context, error)
    return await _show_card(update, context, event)


# --- /edit_event [<id> [<text>]] ------------------------------------------------------------
async def _load_own(update: Update, text: str):
    return await db(event_services.get_own_event)(update.effective_user.id, parse_id(text))


async def _ask_new_details(update, context, event) -> str:
    _draft(context)["event_id"] = event.pk
    await ask(update, context, texts.ASK_NEW_DETAILS.format(id=event.pk), keyboards.cancel())
    return EDIT_DETAILS


async def _save_details(update, context, event_id: int, details: str):
    try:
        await db(event_services.update_event_details)(update.effective_user.id, event_id, details)
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
        event = await _load_own(update, args[0])
    except DomainError as error:
        await reject(update, context, error)
        return EDIT_ID
    new_details = command_tail(update).split(maxsplit=1)
    if len(new_details) > 1:
        return await _save_details(update, context, event.pk, new_details[1])
    return await _ask_new_details(update, context, event)


@stops
async def edit_id(update: Update, context: ContextTypes.DEFAULT_TYPE):
    try:
        event = await _load_own(update, update.message.text)
    except DomainError as error:
        return await reject(update, context, error)
    return await _ask_new_details(update, context, event)


@stops
async def edit_details(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _save_details(update, context, _draft(context)["event_id"], update.message.text)


# --- /delete_event [<id>] -------------------------------------------------------------------
async def _ask_confirmation(update, context, event) -> str:
    _draft(context)["event_id"] = event.pk
    question = texts.CONFIRM_DELETE.format(event=event_card(event))
    await ask(update, context, question, keyboards.confirm_delete())
    return DELETE_CONFIRM


async def delete_start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if await registered_user(update) is None:
        return END
    forget(context, "draft")
    args = command_args(context)
    if not args:
        if not await picker.ask_with_picker(update, context, texts.PICK_TO_DELETE, "delete"):
            return END
        return DELETE_ID
    remember(context, texts.ASK_EVENT_ID, keyboards.cancel())
    try:
        event = await _load_own(update, args[0])
    except DomainError as error:
        await reject(update, context, error)
        return DELETE_ID
    return await _ask_confirmation(update, context, event)


@stops
async def delete_id(update: Update, context: ContextTypes.DEFAULT_TYPE):
    try:
        event = await _load_own(update, update.message.text)
    except DomainError as error:
        return await reject(update, context, error)
    return await _ask_confirmation(update, context, event)


@stops
async def delete_confirmed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if update.message is not None and update.message.text.strip().lower() not in YES_WORDS:
        await send(update, texts.CONFIRM_DELETE_EXPECTED, keyboards.confirm_delete())
        return None
    event_id = _draft(context).get("event_id")
    try:
        event = await db(event_services.delete_event)(update.effective_user.id, event_id)
    except DomainError as error:
        forget(context, "draft")
        await send(update, texts.error_text(error))
        return END
    forget(context, "draft")
    await send(update, texts.EVENT_DELETED.format(id=event.pk, name=event.name))
    return END


def handlers():
    create = conversation(
        "create_event",
        [CommandHandler("create_event", create_start)],
        {
            CREATE_NAME: [MessageHandler(TEXT, create_name)],
            CREATE_DATE: [MessageHandler(TEXT, create_date)],
            CREATE_TIME: [MessageHandler(TEXT, create_time)],
            CREATE_DETAILS: [
                MessageHandler(TEXT, create_details),
                CallbackQueryHandler(create_skip_details, pattern=f"^{keyboards.CB_SKIP}$"),
            ],
        },
    )
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
    delete = conversation(
        "delete_event",
        [CommandHandler("delete_event", delete_start)],
        {
            DELETE_ID: [
                *picker.pick_handlers("delete", _ask_confirmation),
                MessageHandler(TEXT, delete_id),
            ],
            DELETE_CONFIRM: [
                CallbackQueryHandler(delete_confirmed, pattern=f"^{keyboards.CB_DELETE_YES}$"),
                MessageHandler(TEXT, delete_confirmed),
            ],
        },
    )
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
        (1, create),
        (2, edit),
        (3, delete),
        (COMMANDS_GROUP, CommandHandler("display_events", display_events)),
        (20, read),
    ]
