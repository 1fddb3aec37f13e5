"""/display_events and /read_event: the list, and one event's card."""

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.features.events.reminder_buttons import reminders_button
from calendarapp.bot.features.events.repeat import with_repeat_button
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import listing
from calendarapp.bot.ui.dialog import END, db, forget, registered_user, send
from calendarapp.bot.ui.event_card import share_button
from calendarapp.bot.ui.formatting import event_card
from calendarapp.bot.ui.pick_step import pick_event_step
from calendarapp.selectors.occurrences import overrides_of
from calendarapp.timezones import user_now

READ_ID = "WAIT_READ_ID"


async def display_events(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await registered_user(update) is None:
        return
    await listing.send_page(update, listing.MINE)


async def _show_card(update, context, event) -> str:
    forget(context, "draft")
    now = user_now(event.owner).replace(tzinfo=None)  # the owner is loaded with the event
    # Its card for any chat (inline mode) is one press away: bot/ui/event_card.py.
    rows = [[share_button(event.pk)], [reminders_button(event.pk)]]
    markup = with_repeat_button(InlineKeyboardMarkup(rows), event.pk)
    overrides = await db(overrides_of)(event.pk) if event.rrule else ()
    await send(update, event_card(event, now=now, overrides=overrides), markup)
    return END


def handlers():
    step = pick_event_step("read", texts.PICK_TO_READ, _show_card, state=READ_ID)
    read = step.command_dialog("read_event")
    return [
        (Group.READ_EVENT, read),
        (Group.COMMANDS, CommandHandler("display_events", display_events)),
    ]
