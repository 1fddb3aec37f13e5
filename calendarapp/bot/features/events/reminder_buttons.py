"""An event's reminders, as buttons: under "Событие создано" and, from the card's
«⏰ Напоминания», in a message of their own.

/create_event creates the event with the owner's default lead time (/settings); each lead
button switches that lead on or off (several at once: a day before and 10 minutes before),
«Без напоминания» switches them all off. They work long after the dialog ended: they are
not dialog state. Each names its event (`rem:<event id>:<lead>`, `rmk:...` from the card)
and the service checks that the presser owns it, so a forged or someone else's id is "not
found" and changes nothing.
"""

from django.db.models import prefetch_related_objects
from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.features.events import snooze
from calendarapp.bot.features.events.repeat import with_repeat_button
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import choice_keyboards, keyboards
from calendarapp.bot.ui.dialog import db, deliver, send, stops
from calendarapp.bot.ui.formatting import clock_change_note, event_card
from calendarapp.exceptions import DomainError
from calendarapp.selectors.events import get_own_event
from calendarapp.services import reminders as reminder_services
from calendarapp.timezones import user_now


def reminders_line(event, *, by_default: bool = False) -> str:
    """What the event's reminders are, in one or two sentences."""
    rows = list(event.reminders.all())
    begun = [row.minutes for row in rows if row.next_at is None]
    ahead = [row.minutes for row in rows if row.next_at is not None]
    lines = []
    if ahead or not begun:
        phrase = choice_keyboards.leads_phrase(ahead)
        if by_default and len(ahead) <= 1:
            lines.append(texts.REMINDER_BY_DEFAULT.format(phrase=phrase))
        elif len(ahead) > 1:
            lines.append(texts.REMINDERS_OF_EVENT.format(phrase=phrase))
        else:
            lines.append(texts.REMINDER_OF_EVENT.format(phrase=phrase))
    if begun:
        phrase = choice_keyboards.leads_phrase(begun)
        lines.append(texts.REMINDER_ALREADY_DUE.format(phrase=phrase))
    return "\n".join(str(line) for line in lines)


def created_message(event, *, by_default: bool = False):
    """ "Событие создано" with the event's card, its reminders and the lead-time buttons."""
    now = user_now(event.owner).replace(tzinfo=None)
    text = texts.EVENT_CREATED.format(event=event_card(event, now=now)) + "\n"
    text += reminders_line(event, by_default=by_default)
    if note := clock_change_note(event):
        text += "\n" + note
    markup = choice_keyboards.event_reminders(event.pk, event.leads)
    return text, with_repeat_button(markup, event.pk)


def reminders_button(event_id: int):
    return keyboards.button(
        texts.BTN_REMINDERS, callback_data=f"{choice_keyboards.CB_CARD_REMIND}{event_id}"
    )


def card_reminders_message(event):
    text = texts.REMINDERS_CARD.format(name=event.name, id=event.pk, line=reminders_line(event))
    markup = choice_keyboards.event_reminders(
        event.pk, event.leads, prefix=choice_keyboards.CB_CARD_REMIND, app=False
    )
    return text, markup


async def _toggle(update: Update, context: ContextTypes.DEFAULT_TYPE, render) -> None:
    query = update.callback_query
    minutes = choice_keyboards.parse_lead(context.match.group(2), "")
    if minutes is choice_keyboards.INVALID:
        minutes = -1  # forged: the service refuses it in its own words
    try:
        event = await db(reminder_services.toggle_event_reminder)(
            owner_tg_id=update.effective_user.id,
            event_id=int(context.match.group(1)),
            minutes=minutes,
        )
    except DomainError as error:  # a missing or someone else's event, a forged lead time
        await query.answer(texts.error_text(error), show_alert=True)
        return
    await send(update, *render(event))


@stops
async def reminder_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    await _toggle(update, context, created_message)


def _own_event_with_reminders(*, owner_tg_id: int, event_id: int):
    event = get_own_event(owner_tg_id=owner_tg_id, event_id=event_id)
    prefetch_related_objects([event], "reminders")
    return event


@stops
async def card_reminder_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if context.match.group(2) is not None:
        await _toggle(update, context, card_reminders_message)
        return
    query = update.callback_query
    try:  # «⏰ Напоминания» under the card: the toggles, in a message of their own
        event = await db(_own_event_with_reminders)(
            owner_tg_id=update.effective_user.id, event_id=int(context.match.group(1))
        )
    except DomainError as error:
        await query.answer(texts.error_text(error), show_alert=True)
        return
    await query.answer()
    text, markup = card_reminders_message(event)
    chat = update.effective_chat
    await deliver(lambda: chat.send_message(text, reply_markup=markup))


def handlers():
    """These buttons, and those under the reminders themselves (snooze.py)."""
    return [
        *snooze.handlers(),
        (
            Group.EVENT_BUTTONS,
            CallbackQueryHandler(reminder_pressed, pattern=choice_keyboards.CB_EVENT_REMINDER),
        ),
        (
            Group.EVENT_BUTTONS,
            CallbackQueryHandler(card_reminder_pressed, pattern=choice_keyboards.CB_CARD_REMINDER),
        ),
    ]
