"""Events: /create_event, /display_events, /read_event, /edit_event, /delete_event."""

import datetime as dt

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler

from calendarapp.exceptions import DomainError, ValidationFailed
from calendarapp.models import EVENT_DETAILS_MAX_LENGTH
from calendarapp.parsing import parse_id
from calendarapp.services import events as event_services
from calendarapp.services.reminders import parse_lead_time

from .. import choice_keyboards, keyboards, listing, month_calendar, picker, texts
from ..dialog import (
    COMMANDS_GROUP,
    END,
    TEXT,
    ask,
    command_args,
    command_tail,
    conversation,
    db,
    deliver,
    forget,
    registered_user,
    reject,
    remember,
    send,
    stops,
)
from ..formatting import event_card
from ..profiles import owner_of, sender_profile

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


def _draft(context: ContextTypes.DEFAULT_TYPE) -> dict:
    return context.user_data.setdefault("draft", {})


# --- /create_event ------------------------------------------------------------------------
# name -> date (typed phrase or month calendar; a phrase with a time skips the time step)
# -> time -> details -> reminder -> created.
async def create_start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if await registered_user(update) is None:
        return END
    forget(context, "draft")
    await ask(update, context, texts.ASK_NAME, keyboards.cancel())
    return CREATE_NAME


async def _ask_after(update, context, note: str, question: str, markup) -> None:
    """Ask the next question, saying first what the last answer was understood as."""
    remember(context, question, markup)
    await send(update, f"{note}\n\n{question}" if note else question, markup)


def _day(date: dt.date) -> str:
    return f"{date:%d.%m.%Y} ({texts.CAL_WEEKDAYS[date.weekday()].lower()})"


async def _ask_date(update, context) -> str:
    now = await db(event_services.local_now)(owner_of(update))
    await ask(update, context, texts.ASK_DATE, month_calendar.month_keyboard(now.date()))
    return CREATE_DATE


@stops
async def create_name(update: Update, context: ContextTypes.DEFAULT_TYPE):
    try:
        name = event_services.clean_name(update.message.text)
    except DomainError as error:
        return await reject(update, context, error)
    _draft(context)["name"] = name
    return await _ask_date(update, context)


async def _date_chosen(update, context, date: dt.date, time: dt.time | None) -> str:
    draft = _draft(context)
    draft["date"] = date.isoformat()
    if time is None:
        note = texts.DATE_CHOSEN.format(date=_day(date))
        await _ask_after(update, context, note, texts.ASK_TIME, keyboards.cancel())
        return CREATE_TIME
    draft["time"] = time.strftime("%H:%M")
    note = texts.WHEN_CHOSEN.format(date=_day(date), time=draft["time"])
    await _ask_after(update, context, note, texts.ASK_DETAILS, keyboards.skip_or_cancel())
    return CREATE_DETAILS


@stops
async def create_date(update: Update, context: ContextTypes.DEFAULT_TYPE):
    try:
        when = await db(event_services.parse_event_when)(owner_of(update), update.message.text)
    except DomainError as error:
        return await reject(update, context, error)
    return await _date_chosen(update, context, when.date, when.time)


@stops
async def create_date_picked(update: Update, context: ContextTypes.DEFAULT_TYPE):
    day = month_calendar.parse_day(update.callback_query.data)
    try:
        if day is None:
            raise ValidationFailed("Not a date.", code="date_invalid", text="?")
        await db(event_services.check_event_date)(owner_of(update), day)
    except DomainError as error:
        return await reject(update, context, error)
    return await _date_chosen(update, context, day, None)


@stops
async def create_month_shown(update: Update, context: ContextTypes.DEFAULT_TYPE):
    query = update.callback_query
    now = await db(event_services.local_now)(owner_of(update))
    month = month_calendar.parse_month(query.data, now.date())
    if month is None:
        await query.answer(texts.CAL_OUT_OF_RANGE)
        return None
    markup = month_calendar.month_keyboard(now.date(), month)
    remember(context, texts.ASK_DATE, markup)  # a bad answer re-asks with this month
    await query.answer()
    await deliver(lambda: query.edit_message_reply_markup(markup))
    return None


@stops
async def calendar_noop(update: Update, context: ContextTypes.DEFAULT_TYPE):
    await update.callback_query.answer()
    return None


@stops
async def create_time(update: Update, context: ContextTypes.DEFAULT_TYPE):
    draft = _draft(context)
    try:
        time = await db(event_services.parse_event_time)(
            owner_of(update), dt.date.fromisoformat(draft["date"]), update.message.text
        )
    except DomainError as error:
        return await reject(update, context, error)
    draft["time"] = time.strftime("%H:%M")
    await ask(update, context, texts.ASK_DETAILS, keyboards.skip_or_cancel())
    return CREATE_DETAILS


async def _ask_reminder(update, context, details: str):
    try:
        details = event_services.clean_details(details)
    except DomainError as error:
        return await reject(update, context, error)
    _draft(context)["details"] = details
    user = await sender_profile(update)
    default = user.default_reminder_minutes if user else None
    question = texts.ASK_REMINDER.format(default=choice_keyboards.reminder_phrase(default))
    await ask(update, context, question, choice_keyboards.reminder_step(default))
    return CREATE_REMINDER


@stops
async def create_details(update: Update, context: ContextTypes.DEFAULT_TYPE):
    text = update.message.text
    details = "" if text.strip().lower() in SKIP_WORDS else text
    return await _ask_reminder(update, context, details)


@stops
async def create_skip_details(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _ask_reminder(update, context, "")


@stops
async def create_reminder_button(update: Update, context: ContextTypes.DEFAULT_TYPE):
    data = update.callback_query.data
    if data == choice_keyboards.CB_REMIND_SKIP:
        return await _finish_create(update, context, event_services.USER_DEFAULT)
    minutes = choice_keyboards.parse_lead(data, choice_keyboards.CB_REMIND)
    if minutes is choice_keyboards.INVALID:
        minutes = -1  # forged: let the service refuse it with its own words
    return await _finish_create(update, context, minutes)


@stops
async def create_reminder_text(update: Update, context: ContextTypes.DEFAULT_TYPE):
    text = update.message.text
    if text.strip().lower() in REMINDER_SKIP_WORDS:
        return await _finish_create(update, context, event_services.USER_DEFAULT)
    try:
        minutes = parse_lead_time(text)
    except DomainError as error:
        return await reject(update, context, error)
    return await _finish_create(update, context, minutes)


async def _finish_create(update: Update, context: ContextTypes.DEFAULT_TYPE, reminder):
    draft = _draft(context)
    try:
        event = await db(event_services.create_event)(
            update.effective_user.id,
            name=draft["name"],
            date=dt.date.fromisoformat(draft["date"]),
            time=dt.time.fromisoformat(draft["time"]),
            details=draft.get("details", ""),
            reminder_minutes=reminder,
        )
    except DomainError as error:
        if error.code == "in_past":  # the time passed while the user was typing
            note = texts.error_text(error)
            await _ask_after(update, context, note, texts.ASK_TIME, keyboards.cancel())
            return CREATE_TIME
        return await reject(update, context, error)
    forget(context, "draft")
    phrase = choice_keyboards.reminder_phrase(event.reminder_minutes)
    if event.reminder_minutes is not None and event.reminder_sent_at is not None:
        reminder_line = texts.REMINDER_ALREADY_DUE.format(phrase=phrase)
    else:
        reminder_line = texts.REMINDER_OF_EVENT.format(phrase=phrase)
    card = event_card(event)
    await send(update, texts.EVENT_CREATED.format(event=card) + "\n" + reminder_line)
    return END


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


def _new_details_question(event) -> str:
    return texts.ASK_NEW_DETAILS.format(id=event.pk, limit=EVENT_DETAILS_MAX_LENGTH)


async def _ask_new_details(update, context, event) -> str:
    _draft(context)["event_id"] = event.pk
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
        # If the text is refused (too long), the dialog goes on at the details question
        # for this event: the id was fine and is not asked again.
        _draft(context)["event_id"] = event.pk
        remember(context, _new_details_question(event), keyboards.cancel())
        state = await _save_details(update, context, event.pk, new_details[1])
        return EDIT_DETAILS if state is None else state
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
    await ask(update, context, question, keyboards.confirm_delete(event.pk))
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
    event_id = _draft(context).get("event_id")
    if update.message is not None and update.message.text.strip().lower() not in YES_WORDS:
        await send(update, texts.CONFIRM_DELETE_EXPECTED, keyboards.confirm_delete(event_id))
        return None
    query = update.callback_query
    if query is not None and keyboards.event_of(query.data) != event_id:
        await query.answer(texts.BUTTON_EXPIRED)  # the button of an earlier /delete_event
        return None
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
            CREATE_DATE: [
                MessageHandler(TEXT, create_date),
                CallbackQueryHandler(create_date_picked, pattern=f"^{month_calendar.CB_DAY}"),
                CallbackQueryHandler(create_month_shown, pattern=f"^{month_calendar.CB_MONTH}"),
                CallbackQueryHandler(calendar_noop, pattern=f"^{month_calendar.CB_NOOP}$"),
            ],
            CREATE_TIME: [MessageHandler(TEXT, create_time)],
            CREATE_DETAILS: [
                MessageHandler(TEXT, create_details),
                CallbackQueryHandler(create_skip_details, pattern=f"^{keyboards.CB_SKIP}$"),
            ],
            CREATE_REMINDER: [
                MessageHandler(TEXT, create_reminder_text),
                CallbackQueryHandler(
                    create_reminder_button, pattern=f"^{choice_keyboards.CB_REMIND}"
                ),
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
                CallbackQueryHandler(delete_confirmed, pattern=rf"^{keyboards.CB_DELETE_YES}:\d+$"),
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
