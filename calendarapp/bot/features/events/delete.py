"""/delete_event [<id>]: delete one of my events after a confirmation; of a series, one
occurrence, it and the following, or all (bot/ui/occurrence_step.py)."""

import datetime as dt

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import dialog, keyboards
from calendarapp.bot.ui.formatting import date_text, event_card
from calendarapp.bot.ui.occurrence_step import occurrence_step
from calendarapp.bot.ui.pick_step import pick_event_step
from calendarapp.exceptions import DomainError
from calendarapp.models import Appointment
from calendarapp.selectors.appointments import active_guests_of
from calendarapp.services import events as event_services
from calendarapp.services import series as series_services
from calendarapp.services.series import Scope
from calendarapp.timezones import user_now

DELETE_ID, DELETE_CONFIRM = "WAIT_ID", "WAIT_CONFIRM"
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


async def _ask_confirmation(update, context, event) -> str:
    dialog.dialog_draft(context)["event_id"] = event.pk
    guests = _guests_note(await dialog.db(active_guests_of)(event.pk))
    if event.rrule:  # which occurrence, and how much of the series
        return await series_step.ask(update, context, event, guests)
    now = user_now(event.owner).replace(tzinfo=None)  # the owner is loaded with the event
    question = texts.CONFIRM_DELETE.format(event=event_card(event, now=now))
    if guests:
        question = f"{question}\n\n{guests}"
    await dialog.ask(update, context, question, keyboards.confirm_delete(event.pk))
    return DELETE_CONFIRM


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


async def _scope_chosen(update, context, event_id: int, day: dt.date, scope) -> str:
    first = dt.date.fromisoformat(dialog.dialog_draft(context)["first"])
    dialog.forget(context, "draft")
    try:
        event = await dialog.db(series_services.delete_occurrences)(
            owner_tg_id=update.effective_user.id, event_id=event_id, day=day, scope=scope
        )
    except DomainError as error:
        await dialog.send(update, texts.error_text(error))
        return dialog.END
    if scope is Scope.ONE:
        done = texts.OCCURRENCE_DELETED.format(date=date_text(day), id=event.pk, name=event.name)
    elif scope is Scope.FOLLOWING and day != first:
        done = texts.FOLLOWING_DELETED.format(date=date_text(day), id=event.pk, name=event.name)
    else:
        done = texts.EVENT_DELETED.format(id=event.pk, name=event.name)
    await dialog.send(update, done)
    return dialog.END


series_step = occurrence_step(
    texts.ASK_OCCURRENCE_TO_DELETE,
    texts.ASK_SCOPE_TO_DELETE,
    texts.BTN_DELETE_SERIES,
    _scope_chosen,
)


def handlers():
    step = pick_event_step("delete", texts.PICK_TO_DELETE, _ask_confirmation, state=DELETE_ID)
    delete = step.command_dialog(
        "delete_event",
        {
            DELETE_CONFIRM: [
                CallbackQueryHandler(delete_confirmed, pattern=rf"^{keyboards.CB_DELETE_YES}:\d+$"),
                MessageHandler(dialog.TEXT, delete_confirmed),
            ],
            **series_step.states,
        },
    )
    return [(Group.DELETE_EVENT, delete)]
