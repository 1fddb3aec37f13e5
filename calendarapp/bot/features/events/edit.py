"""/edit_event [<id> [<text>]]: change the name, date, time or details of one of my events.

The event (picked, typed, or in the command) -> for a series, which occurrence and «только
это / это и следующие / все» (bot/ui/occurrence_step.py) -> a button per field -> that
field's question, checked as /create_event checks it (services.events, services.series).
`/edit_event <id> <text>` sets new details at once, as it always did (of a whole series).
"""

import datetime as dt

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.runtime.profiles import owner_of
from calendarapp.bot.ui import dialog, keyboards, month_calendar
from calendarapp.bot.ui.formatting import clock_change_note, day_and_weekday, event_card, time_text
from calendarapp.bot.ui.occurrence_step import occurrence_step
from calendarapp.bot.ui.pick_step import pick_event_step
from calendarapp.exceptions import DomainError, NotFound, ValidationFailed
from calendarapp.models import EVENT_DETAILS_MAX_LENGTH, EVENT_NAME_MAX_LENGTH
from calendarapp.selectors.events import get_own_event
from calendarapp.selectors.users import local_now
from calendarapp.services import events as event_services
from calendarapp.services import series as series_services

EDIT_ID, EDIT_FIELD, EDIT_DETAILS = "WAIT_ID", "WAIT_FIELD", "WAIT_NEW_DETAILS"
EDIT_NAME, EDIT_DATE, EDIT_TIME = "WAIT_NEW_NAME", "WAIT_NEW_DATE", "WAIT_NEW_TIME"
CLEAR_WORDS = {"-", "—"}  # remove the details, as «-» skips them in /create_event
CB_FIELD = "edf"  # edf:<field>:<event id>: the button names its event, like del:yes:<id>
FIELDS = {
    "name": (texts.BTN_EDIT_NAME, EDIT_NAME),
    "date": (texts.BTN_EDIT_DATE, EDIT_DATE),
    "time": (texts.BTN_EDIT_TIME, EDIT_TIME),
    "details": (texts.BTN_EDIT_DETAILS, EDIT_DETAILS),
}


def _field_buttons(event_id: int):
    labels = [
        keyboards.button(label, callback_data=f"{CB_FIELD}:{field}:{event_id}")
        for field, (label, _state) in FIELDS.items()
    ]
    cancel = keyboards.button(texts.BTN_CANCEL, callback_data=keyboards.CB_CANCEL)
    return InlineKeyboardMarkup([labels[:2], labels[2:], [cancel]])


def _question(field: str, event) -> str:
    if field == "name":
        return texts.ASK_NEW_NAME.format(id=event.pk, limit=EVENT_NAME_MAX_LENGTH, name=event.name)
    if field == "date":
        return texts.ASK_NEW_DATE.format(id=event.pk, date=day_and_weekday(event.date))
    if field == "time":
        return texts.ASK_NEW_TIME.format(id=event.pk, time=time_text(event.time))
    return texts.ASK_NEW_DETAILS.format(id=event.pk, limit=EVENT_DETAILS_MAX_LENGTH)


async def _ask_field(update, context, event) -> str:
    draft = dialog.dialog_draft(context)
    draft["event_id"] = event.pk
    question = texts.ASK_EDIT_FIELD.format(event=event_card(event))
    await dialog.ask(update, context, question, _field_buttons(event.pk))
    return EDIT_FIELD


async def _saved(update, context, note: str = "", **changes):
    """Apply the changes; a refusal repeats the field's question, success shows the card."""
    draft = dialog.dialog_draft(context)
    event_id = draft["event_id"]
    try:
        if "scope" in draft:  # a part of a series
            event = await dialog.db(series_services.edit_occurrences)(
                owner_tg_id=update.effective_user.id, event_id=event_id,
                day=dt.date.fromisoformat(draft["day"]), scope=draft["scope"], **changes,
            )  # fmt: skip
        else:
            event = await dialog.db(event_services.update_event)(
                owner_tg_id=update.effective_user.id, event_id=event_id, **changes
            )
    except NotFound as error:  # deleted meanwhile: nothing left to edit
        dialog.forget(context, "draft")
        await dialog.send(update, texts.error_text(error))
        return dialog.END
    except DomainError as error:
        return await dialog.reject(update, context, error)
    dialog.forget(context, "draft")
    if set(changes) == {"details"}:
        await dialog.send(update, texts.EVENT_EDITED.format(id=event.pk))
    else:
        card = texts.EVENT_UPDATED.format(event=event_card(event))
        if {"date", "time"} & set(changes) and (clocks := clock_change_note(event)):
            card += "\n" + clocks
        await dialog.send(update, f"{note}\n\n{card}" if note else card)
    return dialog.END


async def _event_chosen(update, context, event) -> str:
    new_details = (
        dialog.command_tail(update).split(maxsplit=1) if dialog.command_args(context) else []
    )
    if len(new_details) > 1:  # /edit_event <id> <text>: new details at once
        # If the text is refused (too long), the dialog goes on at the details question
        # for this event: the id was fine and is not asked again.
        dialog.dialog_draft(context)["event_id"] = event.pk
        dialog.remember(context, _question("details", event), keyboards.cancel())
        state = await _save_details(update, context, new_details[1])
        return EDIT_DETAILS if state is None else state
    if event.rrule:
        return await series_step.ask(update, context, event)
    return await _ask_field(update, context, event)


async def _still_there(update, context, event_id: int):
    """The dialog's event, or None (said so, the dialog's draft gone) if deleted meanwhile."""
    try:
        return await dialog.db(get_own_event)(
            owner_tg_id=update.effective_user.id, event_id=event_id
        )
    except DomainError as error:
        dialog.forget(context, "draft")
        await dialog.send(update, texts.error_text(error))
        return None


async def _scope_chosen(update, context, event_id: int, day: dt.date, scope) -> str:
    draft = dialog.dialog_draft(context)
    draft["day"], draft["scope"] = day.isoformat(), str(scope)
    event = await _still_there(update, context, event_id)
    return dialog.END if event is None else await _ask_field(update, context, event)


series_step = occurrence_step(
    texts.ASK_OCCURRENCE_TO_EDIT,
    texts.ASK_SCOPE_TO_EDIT,
    texts.BTN_ALL_OCCURRENCES,
    _scope_chosen,
)


@dialog.stops
async def field_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE):
    query = update.callback_query
    field, event_id = context.match.group(1), int(context.match.group(2))
    if event_id != dialog.dialog_draft(context).get("event_id"):
        await query.answer(texts.BUTTON_EXPIRED)  # a button of an earlier /edit_event
        return None
    event = await _still_there(update, context, event_id)
    if event is None:
        return dialog.END
    draft = dialog.dialog_draft(context)
    draft["date"] = draft.get("day") or event.date.isoformat()  # the time step's day
    markup = keyboards.cancel()
    if field == "date":  # tap a day, as in /create_event
        now = await dialog.db(local_now)(owner_of(update))
        markup = month_calendar.month_keyboard(now.date(), max(event.date, now.date()))
    await dialog.ask(update, context, _question(field, event), markup)
    return FIELDS[field][1]


@dialog.stops
async def field_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    await dialog.ask_again(update, context, texts.EDIT_FIELD_EXPECTED)


@dialog.stops
async def name_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _saved(update, context, name=update.message.text)


@dialog.step
async def date_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    when = await dialog.db(event_services.parse_event_when)(
        owner=owner_of(update), text=update.message.text
    )
    if when.time is None:  # a day only: the event keeps its time
        return await _saved(update, context, date=when.date)
    return await _saved(update, context, date=when.date, time=when.time)


@dialog.step
async def date_picked(update: Update, context: ContextTypes.DEFAULT_TYPE):
    day = month_calendar.parse_day(update.callback_query.data)
    if day is None:  # forged
        raise ValidationFailed("Not a date.", code="date_invalid", text="?")
    return await _saved(update, context, date=day)


@dialog.step
async def time_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    day = dt.date.fromisoformat(dialog.dialog_draft(context)["date"])
    when = await dialog.db(event_services.parse_event_time)(
        owner=owner_of(update), date=day, text=update.message.text
    )
    note = ""
    if when.date != day:  # "next friday 12:30": the day moves too, and the answer says so
        note = texts.DATE_MOVED.format(date=day_and_weekday(when.date), time=time_text(when.time))
    return await _saved(update, context, note, date=when.date, time=when.time)


async def _save_details(update, context, details: str):
    return await _saved(update, context, details="" if details.strip() in CLEAR_WORDS else details)


@dialog.stops
async def details_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _save_details(update, context, update.message.text)


def handlers():
    step = pick_event_step("edit", texts.PICK_TO_EDIT, _event_chosen, state=EDIT_ID)
    edit = step.command_dialog(
        "edit_event",
        {
            **series_step.states,
            EDIT_FIELD: [
                CallbackQueryHandler(
                    field_chosen, pattern=rf"^{CB_FIELD}:({'|'.join(FIELDS)}):(\d{{1,18}})$"
                ),
                MessageHandler(dialog.TEXT, field_typed),
            ],
            EDIT_NAME: [MessageHandler(dialog.TEXT, name_typed)],
            EDIT_DATE: [
                MessageHandler(dialog.TEXT, date_typed),
                CallbackQueryHandler(date_picked, pattern=f"^{month_calendar.CB_DAY}"),
                *month_calendar.navigation_handlers(),
            ],
            EDIT_TIME: [MessageHandler(dialog.TEXT, time_typed)],
            EDIT_DETAILS: [MessageHandler(dialog.TEXT, details_typed)],
        },
    )
    return [(Group.EDIT_EVENT, edit)]
