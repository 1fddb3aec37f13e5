"""/create_event [<name>]: name -> date -> time -> details -> created."""

import datetime as dt

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler

from calendarapp.bot import texts
from calendarapp.bot.features.events import reminder_buttons
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.runtime.profiles import owner_of
from calendarapp.bot.ui import dialog, keyboards, month_calendar
from calendarapp.bot.ui.formatting import day_and_weekday
from calendarapp.exceptions import DomainError, ValidationFailed
from calendarapp.selectors.users import local_now
from calendarapp.services import events as event_services
from calendarapp.services.recurrence_phrases import looks_like_repeat
from calendarapp.services.recurrence_words import describe

CREATE_NAME, CREATE_DATE, CREATE_TIME, CREATE_DETAILS = (
    "WAIT_NAME",
    "WAIT_DATE",
    "WAIT_TIME",
    "WAIT_DETAILS",
)
CREATE_REMINDER = "WAIT_REMINDER"  # a step of older versions; a dialog saved there finishes
SKIP_WORDS = {"-", "—", "нет", "пропустить", "no", "skip"}


# name (or /create_event <name>) -> date (a typed phrase or the month calendar; a phrase with
# a time skips the time step) -> time -> details -> created, with the reminder as buttons
# under the confirmation (bot/features/events/reminder_buttons.py).
async def create_start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if not await dialog.begin(update, context):
        return dialog.END
    typed = dialog.command_tail(update).strip()
    if typed:
        dialog.remember(context, texts.ASK_NAME, keyboards.cancel())  # a bad name asks for one
        return await _name_given(update, context, typed) or CREATE_NAME
    await dialog.ask(update, context, texts.ASK_NAME, keyboards.cancel())
    return CREATE_NAME


async def _ask_after(update, context, note: str, question: str, markup) -> None:
    """Ask the next question, saying first what the last answer was understood as."""
    dialog.remember(context, question, markup)
    await dialog.send(update, f"{note}\n\n{question}" if note else question, markup)


async def _ask_date(update, context) -> str:
    now = await dialog.db(local_now)(owner_of(update))
    await dialog.ask(update, context, texts.ASK_DATE, month_calendar.month_keyboard(now.date()))
    return CREATE_DATE


async def _name_given(update, context, text: str):
    try:
        name = event_services.clean_name(text)
    except DomainError as error:
        return await dialog.reject(update, context, error)
    dialog.dialog_draft(context)["name"] = name
    return await _ask_date(update, context)


@dialog.stops
async def create_name(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _name_given(update, context, update.message.text)


def _series_note(draft: dict, date: dt.date, time: dt.time | None) -> str:
    """The rule typed at the date step, said back («🔁 каждый вторник в 10:00»)."""
    if not draft.get("rrule"):
        return ""
    return f"\n{texts.REPEAT_MARK.strip()} {describe(draft['rrule'], start=date, time=time)}"


async def _date_chosen(update, context, date: dt.date, time: dt.time | None) -> str:
    draft = dialog.dialog_draft(context)
    draft["date"] = date.isoformat()
    if time is None:
        note = texts.DATE_CHOSEN.format(date=day_and_weekday(date)) + _series_note(
            draft, date, None
        )
        await _ask_after(update, context, note, texts.ASK_TIME, keyboards.cancel())
        return CREATE_TIME
    draft["time"] = time.strftime("%H:%M")
    note = texts.WHEN_CHOSEN.format(date=day_and_weekday(date), time=draft["time"])
    note += _series_note(draft, date, time)
    await _ask_after(update, context, note, texts.ASK_DETAILS, keyboards.skip_or_cancel())
    return CREATE_DETAILS


@dialog.step
async def create_date(update: Update, context: ContextTypes.DEFAULT_TYPE):
    text = update.message.text
    if looks_like_repeat(text):  # «каждый вторник в 10:00»: a series from its first day
        when, rule = await dialog.db(event_services.parse_series_when)(
            owner=owner_of(update), text=text
        )
        dialog.dialog_draft(context)["rrule"] = rule
        return await _date_chosen(update, context, when.date, when.time)
    dialog.dialog_draft(context).pop("rrule", None)
    when = await dialog.db(event_services.parse_event_when)(owner=owner_of(update), text=text)
    return await _date_chosen(update, context, when.date, when.time)


@dialog.step
async def create_date_picked(update: Update, context: ContextTypes.DEFAULT_TYPE):
    day = month_calendar.parse_day(update.callback_query.data)
    if day is None:  # forged
        raise ValidationFailed("Not a date.", code="date_invalid", text="?")
    await dialog.db(event_services.check_event_date)(owner=owner_of(update), date=day)
    dialog.dialog_draft(context).pop("rrule", None)
    return await _date_chosen(update, context, day, None)


@dialog.step
async def create_time(update: Update, context: ContextTypes.DEFAULT_TYPE):
    draft = dialog.dialog_draft(context)
    when = await dialog.db(event_services.parse_event_time)(
        owner=owner_of(update), date=dt.date.fromisoformat(draft["date"]), text=update.message.text
    )
    draft["time"] = when.time.strftime("%H:%M")
    note = ""
    if when.date.isoformat() != draft["date"]:  # "next friday 12:30": the day moves, said so
        draft["date"] = when.date.isoformat()
        note = texts.DATE_MOVED.format(date=day_and_weekday(when.date), time=draft["time"])
    await _ask_after(update, context, note, texts.ASK_DETAILS, keyboards.skip_or_cancel())
    return CREATE_DETAILS


async def _finish_create(update: Update, context: ContextTypes.DEFAULT_TYPE, details: str):
    draft = dialog.dialog_draft(context)
    try:
        event = await dialog.db(event_services.create_event)(
            owner_tg_id=update.effective_user.id,
            name=draft["name"],
            date=dt.date.fromisoformat(draft["date"]),
            time=dt.time.fromisoformat(draft["time"]),
            details=details,
            rrule=draft.get("rrule", ""),
        )
    except DomainError as error:
        if error.code == "in_past":  # the time passed while the user was typing
            note = texts.error_text(error)
            await _ask_after(update, context, note, texts.ASK_TIME, keyboards.cancel())
            return CREATE_TIME
        return await dialog.reject(update, context, error)
    dialog.forget(context, "draft")
    text, markup = reminder_buttons.created_message(event, by_default=True)
    await dialog.send(update, text, markup)
    return dialog.END


@dialog.stops
async def create_details(update: Update, context: ContextTypes.DEFAULT_TYPE):
    text = update.message.text
    return await _finish_create(update, context, "" if text.strip().lower() in SKIP_WORDS else text)


@dialog.stops
async def create_skip_details(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _finish_create(update, context, "")


@dialog.stops
async def create_leftover_reminder(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _finish_create(update, context, dialog.dialog_draft(context).get("details", ""))


def handlers():
    create = dialog.command_dialog(
        "create_event",
        create_start,
        {
            CREATE_NAME: [MessageHandler(dialog.TEXT, create_name)],
            CREATE_DATE: [
                MessageHandler(dialog.TEXT, create_date),
                CallbackQueryHandler(create_date_picked, pattern=f"^{month_calendar.CB_DAY}"),
                *month_calendar.navigation_handlers(),
            ],
            CREATE_TIME: [MessageHandler(dialog.TEXT, create_time)],
            CREATE_DETAILS: [
                MessageHandler(dialog.TEXT, create_details),
                CallbackQueryHandler(create_skip_details, pattern=f"^{keyboards.CB_SKIP}$"),
            ],
            CREATE_REMINDER: [
                MessageHandler(dialog.TEXT, create_leftover_reminder),
                CallbackQueryHandler(create_leftover_reminder, pattern=r"^rem:(\w+)$"),
            ],
        },
    )
    return [(Group.CREATE_EVENT, create), *reminder_buttons.handlers()]
