"""What the bot does not serve, stopped before any other handler sees it.

- Group chats and channels: every answer of this bot is personal (events, export and feed
  links), and a group would show it to everyone. Commands there get one line saying so;
  callback buttons a toast; chatter nothing. Only event cards are served there: /post and
  its picker, and presses on cards (features/group_post.py, features/cards.py).
- Edits of earlier messages: Telegram sends an edited "/delete_event 5" again, and it must
  not run twice.
- Telegram's notice that the person blocked the bot (my_chat_member, "kicked") marks them
  unreachable at once, before an invitation to them is even tried.
"""

import contextlib

from telegram import Chat, ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, BaseHandler, ContextTypes, filters

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.runtime.orm import db
from calendarapp.services.users import mark_user_unreachable


def _not_served(update: object) -> bool:
    if not isinstance(update, Update):
        return False
    if update.edited_message is not None or update.edited_channel_post is not None:
        return True
    if update.my_chat_member is not None:
        return True
    chat = update.effective_chat
    return chat is not None and chat.type != Chat.PRIVATE and not _served_in_groups(update)


# In a group the bot posts event cards (/post and its picker) and takes presses on them:
# nothing of these says anything personal there (group_post.py).
GROUP_COMMANDS = frozenset({"post"})
GROUP_BUTTONS = ("r:", "gp:")


def _served_in_groups(update: Update) -> bool:
    if update.callback_query is not None:
        return (update.callback_query.data or "").startswith(GROUP_BUTTONS)
    message = update.message
    if message is None or not message.text or not message.text.startswith("/"):
        return False
    command = message.text.split(maxsplit=1)[0][1:].split("@", 1)[0]
    return command.lower() in GROUP_COMMANDS


class NotServed(BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]):
    """Matches only the updates above, so an ordinary private update costs one check."""

    def __init__(self):
        super().__init__(stop_here)

    def check_update(self, update: object) -> bool:
        return _not_served(update)


async def stop_here(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    member = update.my_chat_member
    if member is not None:
        # "kicked" in a private chat: the person blocked the bot.
        if member.chat.type == Chat.PRIVATE and member.new_chat_member.status == ChatMember.BANNED:
            await db(mark_user_unreachable)(member.from_user.id)
    elif update.callback_query is not None:
        await update.callback_query.answer(texts.PRIVATE_CHATS_ONLY, show_alert=True)
    elif update.message is not None and filters.COMMAND.check_update(update):
        # A group where the bot may not write answers 403: that says nothing about the
        # person (the error handler would mark them unreachable), so it ends here.
        with contextlib.suppress(TelegramError):
            await update.message.reply_text(texts.PRIVATE_CHATS_ONLY)
    raise ApplicationHandlerStop


def handlers():
    return [(Group.GATE, NotServed())]
