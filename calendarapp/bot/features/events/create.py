"""/create_event: name -> date -> time -> details -> created."""

import datetime as dt

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.runtime.profiles import owner_of, sender_profile
from calendarapp.bot.ui import choice_keyboards, keyboards, month_calendar
from calendarapp.bot.ui.dialog import (
    END,
    TEXT,
    ask,
    conversation,
    db,
    dialog_draft,
    forget,
    registered_user,
    reject,
    remember,
    send,
    stops,
)
from calendarapp.bot.ui.formatting import day_and_weekday, event_card
from calendarapp.exceptions import DomainError, ValidationFailed
from calendarapp.selectors.users import local_now
from calendarapp.services import events as event_services
from calendarapp.services.reminders import parse_lead_time

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


async def _ask_date(update, context) -> str:
    now = await db(local_now)(owner_of(update))
    await ask(update, context, texts.ASK_DATE, month_calendar.month_keyboard(now.date()))
    return CREATE_DATE


@stops
async def create_name(update: Update, context: ContextTypes.DEFAULT_TYPE):
    try:
        name = event_services.clean_name(update.message.text)
    except DomainError as error:
        return await reject(update, context, error)
    dialog_draft(context)["name"] = name
    return await _ask_date(update, context)


async def _date_chosen(update, context, date: dt.date, time: dt.time | None) -> str:
    draft = dialog_draft(context)
    draft["date"] = date.isoformat()
    if time is None:
        note = texts.DATE_CHOSEN.format(date=day_and_weekday(date))
        await _ask_after(update, context, note, texts.ASK_TIME, keyboards.cancel())
        return CREATE_TIME
    draft["time"] = time.strftime("%H:%M")
    note = texts.WHEN_CHOSEN.format(date=day_and_weekday(date), time=draft["time"])
    await _ask_after(update, context, note, texts.ASK_DETAILS, keyboards.skip_or_cancel())
    return CREATE_DETAILS


@stops
async def create_date(update: Update, context: ContextTypes.DEFAULT_TYPE):
    try:
        when = await db(event_services.parse_event_when)(
            owner=owner_of(update), text=update.message.text
        )
    except DomainError as error:
        return await reject(update, context, error)
    return await _date_chosen(update, context, when.date, when.time)


@stops
async def create_date_picked(update: Update, context: ContextTypes.DEFAULT_TYPE):
    day = month_calendar.parse_day(update.callback_query.data)
    try:
        if day is None:
            raise ValidationFailed("Not a date.", code="date_invalid", text="?")
        await db(event_services.check_event_date)(owner=owner_of(update), date=day)
    except DomainError as error:
        return await reject(update, context, error)
    return await _date_chosen(update, context, day, None)


@stops
async def create_time(update: Update, context: ContextTypes.DEFAULT_TYPE):
    draft = dialog_draft(context)
    try:
        when = await db(event_services.parse_event_time)(
            owner=owner_of(update),
            date=dt.date.fromisoformat(draft["date"]),
            text=update.message.text,
        )
    except DomainError as error:
        return await reject(update, context, error)
    draft["time"] = when.time.strftime("%H:%M")
    note = ""
    if when.date.isoformat() != draft["date"]:  # "next friday 12:30": the day moves, said so
        draft["date"] = when.date.isoformat()
        note = texts.DATE_MOVED.format(date=day_and_weekday(when.date), time=draft["time"])
    await _ask_after(update, context, note, texts.ASK_DETAILS, keyboards.skip_or_cancel())
    return CREATE_DETAILS


async def _ask_reminder(update, context, details: str):
    try:
        details = event_services.clean_details(details)
    except DomainError as error:
        return await reject(update, context, error)
    dialog_draft(context)["details"] = details
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
    draft = dialog_draft(context)
    try:
        event = await db(event_services.create_event)(
            owner_tg_id=update.effective_user.id,
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


def handlers():
    create = conversation(
        "create_event",
        [CommandHandler("create_event", create_start)],
        {
            CREATE_NAME: [MessageHandler(TEXT, create_name)],
            CREATE_DATE: [
                MessageHandler(TEXT, create_date),
                CallbackQueryHandler(create_date_picked, pattern=f"^{month_calendar.CB_DAY}"),
                *month_calendar.navigation_handlers(),
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
    return [(Group.CREATE_EVENT, create)]
