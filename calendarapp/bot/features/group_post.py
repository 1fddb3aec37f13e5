"""/post in a group the bot is in: a picker of the caller's own public events, which only
the caller may press; their pick turns the picker into the event's card, answered by
anyone with toasts (cards.py). Nothing personal is ever said in the group: the picker names
public events only, and «🔎» opens inline mode, whose list of one's own events (private
ones too) Telegram shows to the person typing alone."""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from calendarapp.bot import texts
from calendarapp.bot.features.card_job import wake
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.runtime.orm import db
from calendarapp.bot.ui.dialog import send, stops
from calendarapp.bot.ui.event_card import rendered
from calendarapp.exceptions import DomainError, PermissionDenied
from calendarapp.selectors import rsvp as cards
from calendarapp.services import event_cards, rsvp

PICKER_SIZE = 8


def _public_events(member_tg_id: int) -> list:
    return list(
        cards.postable_events(owner_tg_id=member_tg_id).filter(is_public=True)[:PICKER_SIZE]
    )


async def picker(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    member = update.effective_user
    events = await db(_public_events)(member.id)
    rows = [
        [
            InlineKeyboardButton(
                event.name[:60],
                callback_data=rsvp.picker_data(event_id=event.pk, member_tg_id=member.id),
            )
        ]
        for event in events
    ]
    rows.append(
        [InlineKeyboardButton(str(texts.BTN_PICK_ANY), switch_inline_query_current_chat="")]
    )
    template = texts.GROUP_PICK if events else texts.GROUP_PICK_NONE
    await send(update, template.format(name=member.first_name), InlineKeyboardMarkup(rows))


def _post(*, event_id: int, member_tg_id: int, chat_id: int, message_id: int):
    event_cards.chat_card_posted(
        event_id=event_id, owner_tg_id=member_tg_id, chat_id=chat_id, message_id=message_id
    )
    return rendered(cards.card_state(event_id=event_id))


@stops
async def picked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    try:
        event_id, member_tg_id = rsvp.parse_picker_data(query.data)
        if member_tg_id != update.effective_user.id:
            raise PermissionDenied("Only who sent /post may pick.", code="picker_not_yours")
        text, markup = await db(_post)(
            event_id=event_id,
            member_tg_id=member_tg_id,
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
        )
    except DomainError as error:
        await query.answer(texts.error_text(error), show_alert=True)
        return
    await send(update, text, markup)  # the picker becomes the card
    wake(context)


def handlers():
    groups = filters.ChatType.GROUPS
    return [
        (Group.COMMANDS, CommandHandler("post", picker, filters=groups)),
        (Group.MEETING_BUTTONS, CallbackQueryHandler(picked, pattern=r"^gp:")),
    ]
