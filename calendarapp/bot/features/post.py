"""The organiser's side of an event's card: `/post <id>` (share it, close or reopen its
answers, its seats) and `/capacity <id> <n>` (seats for «Иду», guests included; 0: no
limit). The card itself and the presses on it: cards.py."""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.features.card_job import wake
from calendarapp.bot.outbox import notifications
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.runtime.orm import db
from calendarapp.bot.ui.dialog import send, stops
from calendarapp.bot.ui.event_card import share_button
from calendarapp.exceptions import DomainError, ValidationFailed
from calendarapp.parsing import parse_id
from calendarapp.selectors.events import get_own_event
from calendarapp.services import rsvp

CB_CLOSE = r"^rsvpx:(close|open):(\d{1,18})$"


def post_message(event) -> tuple[str, InlineKeyboardMarkup]:
    """The organiser's view: share the card, close or reopen its answers."""
    text = str(texts.POST_READY.format(name=event.name))
    seats = texts.CAPACITY_NONE if event.capacity is None else event.capacity
    text += "\n" + str(texts.CAPACITY_SET.format(name=event.name, capacity=seats))
    if event.rsvp_closed:
        text += "\n" + str(texts.CARD_CLOSED)
        toggle = InlineKeyboardButton(
            str(texts.BTN_REOPEN_ANSWERS), callback_data=f"rsvpx:open:{event.pk}"
        )
    else:
        toggle = InlineKeyboardButton(
            str(texts.BTN_CLOSE_ANSWERS), callback_data=f"rsvpx:close:{event.pk}"
        )
    return text, InlineKeyboardMarkup([[share_button(event.pk)], [toggle]])


async def post(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        event_id = parse_id(context.args[0] if context.args else "")
        event = await db(get_own_event)(owner_tg_id=update.effective_user.id, event_id=event_id)
    except DomainError as error:
        await send(update, texts.POST_USAGE if not context.args else texts.error_text(error))
        return
    text, markup = post_message(event)
    await send(update, text, reply_markup=markup)


def _capacity_of(text: str) -> int | None:
    if text.strip() == "0":
        return None
    try:
        return parse_id(text)
    except ValidationFailed as error:
        raise ValidationFailed(
            "Capacity must be between 1 and {limit}.",
            code="rsvp_capacity",
            limit=rsvp.MAX_CAPACITY,
        ) from error


async def capacity(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if len(context.args or ()) != 2:
        await send(update, texts.CAPACITY_USAGE)
        return
    try:
        event = await db(rsvp.set_capacity)(
            organizer_tg_id=update.effective_user.id,
            event_id=parse_id(context.args[0]),
            capacity=_capacity_of(context.args[1]),
        )
    except DomainError as error:
        await send(update, texts.error_text(error))
        return
    text, markup = post_message(event)
    await send(update, text, reply_markup=markup)
    wake(context)
    notifications.wake(context)  # those who moved up hear it now


@stops
async def close_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The organiser closes or reopens answers; the cards follow at their next edit."""
    try:
        event = await db(rsvp.set_answers_closed)(
            organizer_tg_id=update.effective_user.id,
            event_id=int(context.match.group(2)),
            closed=context.match.group(1) == "close",
        )
    except DomainError as error:
        await update.callback_query.answer(texts.error_text(error), show_alert=True)
        return
    text, markup = post_message(event)
    await send(update, text, reply_markup=markup)
    wake(context)


def handlers():
    return [
        (Group.MEETING_BUTTONS, CallbackQueryHandler(close_pressed, pattern=CB_CLOSE)),
        (Group.COMMANDS, CommandHandler("post", post)),
        (Group.COMMANDS, CommandHandler("capacity", capacity)),
    ]
