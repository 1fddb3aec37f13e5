"""The global error handler: log with context, tell the user (a press on a card or in a group
by an alert to the presser alone), mark blocked users inactive."""

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.runtime.orm import db
from calendarapp.services.users import mark_user_unreachable

logger = logging.getLogger("calendarapp.bot")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    user = update.effective_user if isinstance(update, Update) else None
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        # The user blocked the bot: keep their data, stop writing to them.
        logger.info("User %s blocked the bot: %s", getattr(user, "id", None), error)
        if user is not None:
            await db(mark_user_unreachable)(user.id)
        return
    if update is None and isinstance(error, NetworkError | RetryAfter):
        # Polling hit a Telegram outage or a network blip; the updater retries by itself.
        logger.warning("Telegram is unreachable, polling retries: %s", error)
        return
    logger.error(
        "Error while handling update %s (user %s, chat %s)",
        getattr(update, "update_id", None),
        getattr(user, "id", None),
        getattr(chat, "id", None),
        exc_info=error,
    )
    query = update.callback_query if isinstance(update, Update) else None
    if query is not None and (chat is None or chat.type != chat.PRIVATE):
        # A press on a card (an inline message: no chat) or in a group: the presser hears
        # it as an alert, and nobody else, as with any other answer to a press there.
        try:
            await query.answer(texts.INTERNAL_ERROR, show_alert=True)
        except TelegramError:
            logger.warning("Could not tell user %s about the error", getattr(user, "id", None))
        return
    if chat is None:
        return
    try:
        await context.bot.send_message(chat.id, texts.INTERNAL_ERROR)
    except TelegramError:
        logger.warning("Could not tell chat %s about the error", chat.id, exc_info=True)
