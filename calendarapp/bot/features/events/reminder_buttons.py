"""The reminder of a new event, as buttons under "Событие создано".

/create_event creates the event with the owner's default lead time (/settings); the buttons
change it in place, also long after the dialog ended: they are not dialog state. Each names
its event (`rem:<event id>:<lead>`) and the service checks that the presser owns it, so a
forged or someone else's id is "not found" and changes nothing.
"""

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.features.events.repeat import with_repeat_button
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import choice_keyboards
from calendarapp.bot.ui.dialog import db, send, stops
from calendarapp.bot.ui.formatting import clock_change_note, event_card
from calendarapp.exceptions import DomainError
from calendarapp.services import events as event_services
from calendarapp.timezones import user_now


def created_message(event, *, by_default: bool = False):
    """ "Событие создано" with the event's card, its reminder and the lead-time buttons."""
    phrase = choice_keyboards.reminder_phrase(event.reminder_minutes)
    if event.reminder_minutes is not None and event.reminder_sent_at is not None:
        line = texts.REMINDER_ALREADY_DUE.format(phrase=phrase)
    elif by_default:
        line = texts.REMINDER_BY_DEFAULT.format(phrase=phrase)
    else:
        line = texts.REMINDER_OF_EVENT.format(phrase=phrase)
    now = user_now(event.owner).replace(tzinfo=None)
    text = texts.EVENT_CREATED.format(event=event_card(event, now=now)) + "\n" + line
    if note := clock_change_note(event):
        text += "\n" + note
    markup = choice_keyboards.event_reminders(event.pk, event.reminder_minutes)
    return text, with_repeat_button(markup, event.pk)


@stops
async def reminder_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    query = update.callback_query
    minutes = choice_keyboards.parse_lead(context.match.group(2), "")
    if minutes is choice_keyboards.INVALID:
        minutes = -1  # forged: the service refuses it in its own words
    try:
        event = await db(event_services.set_event_reminder)(
            owner_tg_id=update.effective_user.id,
            event_id=int(context.match.group(1)),
            minutes=minutes,
        )
    except DomainError as error:  # a missing or someone else's event, a forged lead time
        await query.answer(texts.error_text(error), show_alert=True)
        return
    await send(update, *created_message(event))


def handlers():
    return [
        (
            Group.EVENT_BUTTONS,
            CallbackQueryHandler(reminder_pressed, pattern=choice_keyboards.CB_EVENT_REMINDER),
        )
    ]
