"""/delete_event [<id>]: delete one of my events after a confirmation."""

import datetime as dt

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import dialog, keyboards
from calendarapp.bot.ui.formatting import date_text, event_card
from calendarapp.bot.ui.pick_step import pick_event_step
from calendarapp.exceptions import DomainError
from calendarapp.models import Appointment
from calendarapp.selectors.appointments import active_guests_of
from calendarapp.services import events as event_services
from calendarapp.services.recurrence import next_occurrences
from calendarapp.timezones import user_now

DELETE_ID, DELETE_CONFIRM = "WAIT_ID", "WAIT_CONFIRM"
CB_DELETE_ONE = "del:one"  # del:one:<yyyymmdd>:<event id>: one occurrence of a series
YES_WORDS = {"да", "удалить", "да, удалить", "yes", "delete", "yes, delete"}


def _guests_note(meetings) -> str:
    """Who is told of the cancellation, said before the owner confirms ("" if nobody)."""
    coming, invited = [], []
    for meeting in meetings:
        confirmed = meeting.status == Appointment.Status.CONFIRMED
        (coming if confirmed else invited).append(meeting.participant.display_name)
    lines = []
    if coming:
        lines.append(texts.DELETE_GUESTS_COMING.format(who=", ".join(coming)))
    if invited:
        lines.append(texts.DELETE_GUESTS_INVITED.format(who=", ".join(invited)))
    if lines:
        lines.append(str(texts.DELETE_GUESTS_TOLD))
    return "\n".join(lines)


def _series_choice(event, next_day: dt.date) -> InlineKeyboardMarkup:
    """«Только 05.01.2027» (an EXDATE) or «Всю серию» (the event itself) for a series."""
    one = texts.BTN_DELETE_ONE.format(date=date_text(next_day))
    return InlineKeyboardMarkup(
        [
            [keyboards.button(one, callback_data=f"{CB_DELETE_ONE}:{next_day:%Y%m%d}:{event.pk}")],
            [
                keyboards.button(
                    texts.BTN_DELETE_SERIES,
                    callback_data=keyboards.for_event(keyboards.CB_DELETE_YES, event.pk),
                ),
                keyboards.button(texts.BTN_CANCEL, callback_data=keyboards.CB_CANCEL),
            ],
        ]
    )


async def _ask_confirmation(update, context, event) -> str:
    dialog.dialog_draft(context)["event_id"] = event.pk
    now = user_now(event.owner).replace(tzinfo=None)  # the owner is loaded with the event
    question = texts.CONFIRM_DELETE.format(event=event_card(event, now=now))
    markup = keyboards.confirm_delete(event.pk)
    upcoming = event.rrule and next_occurrences(
        rule=event.rrule, date=event.date, time=event.time, exdates=event.exdates, after=now,
        count=1,
    )  # fmt: skip
    if upcoming:
        question += "\n\n" + texts.CONFIRM_DELETE_SERIES.format(date=date_text(upcoming[0].date()))
        markup = _series_choice(event, upcoming[0].date())
    guests = _guests_note(await dialog.db(active_guests_of)(event.pk))
    if guests:
        question = f"{question}\n\n{guests}"
    await dialog.ask(update, context, question, markup)
    return DELETE_CONFIRM


@dialog.stops
async def occurrence_deleted(update: Update, context: ContextTypes.DEFAULT_TYPE):
    query = update.callback_query
    day, event_id = context.match.group(1), int(context.match.group(2))
    if event_id != dialog.dialog_draft(context).get("event_id"):
        await query.answer(texts.BUTTON_EXPIRED)  # the button of an earlier /delete_event
        return None
    try:
        date = dt.datetime.strptime(day, "%Y%m%d").date()
        event = await dialog.db(event_services.skip_occurrence)(
            owner_tg_id=update.effective_user.id, event_id=event_id, date=date
        )
    except ValueError:  # forged: no such day
        await query.answer(texts.BUTTON_EXPIRED)
        return None
    except DomainError as error:
        dialog.forget(context, "draft")
        await dialog.send(update, texts.error_text(error))
        return dialog.END
    dialog.forget(context, "draft")
    done = texts.OCCURRENCE_DELETED.format(date=date_text(date), id=event.pk, name=event.name)
    await dialog.send(update, done)
    return dialog.END


@dialog.stops
async def delete_confirmed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    event_id = dialog.dialog_draft(context).get("event_id")
    if update.message is not None and update.message.text.strip().lower() not in YES_WORDS:
        await dialog.send(update, texts.CONFIRM_DELETE_EXPECTED, keyboards.confirm_delete(event_id))
        return None
    query = update.callback_query
    if query is not None and keyboards.event_of(query.data) != event_id:
        await query.answer(texts.BUTTON_EXPIRED)  # the button of an earlier /delete_event
        return None
    try:
        event = await dialog.db(event_services.delete_event)(
            owner_tg_id=update.effective_user.id, event_id=event_id
        )
    except DomainError as error:
        dialog.forget(context, "draft")
        await dialog.send(update, texts.error_text(error))
        return dialog.END
    dialog.forget(context, "draft")
    await dialog.send(update, texts.EVENT_DELETED.format(id=event.pk, name=event.name))
    return dialog.END


def handlers():
    step = pick_event_step("delete", texts.PICK_TO_DELETE, _ask_confirmation, state=DELETE_ID)
    delete = dialog.conversation(
        "delete_event",
        [CommandHandler("delete_event", step.entry)],
        {
            DELETE_ID: step.handlers,
            DELETE_CONFIRM: [
                CallbackQueryHandler(
                    occurrence_deleted, pattern=rf"^{CB_DELETE_ONE}:(\d{{8}}):(\d{{1,18}})$"
                ),
                CallbackQueryHandler(delete_confirmed, pattern=rf"^{keyboards.CB_DELETE_YES}:\d+$"),
                MessageHandler(dialog.TEXT, delete_confirmed),
            ],
        },
    )
    return [(Group.DELETE_EVENT, delete)]
