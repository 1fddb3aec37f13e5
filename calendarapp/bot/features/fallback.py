"""What is left when no dialog and no command took the update: /cancel with nothing to
cancel, unknown commands, stray text or media, stale buttons, list pages."""

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import listing
from calendarapp.bot.ui.dialog import CANCEL_FILTER, deliver, unless_unchanged


async def nothing_to_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query is not None:
        query = update.callback_query
        await deliver(lambda: query.answer(texts.NOTHING_TO_CANCEL))
        await deliver(unless_unchanged(lambda: query.edit_message_reply_markup(None)))
        return
    # A reply keyboard left over (an older version, a lost message) goes with it.
    await deliver(
        lambda: update.effective_chat.send_message(
            texts.NOTHING_TO_CANCEL, reply_markup=ReplyKeyboardRemove()
        )
    )


def command_name(text: str) -> str:
    return text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower() if text else ""


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    # A command that started a dialog in another group (or ended one) lands here too.
    if command_name(update.effective_message.text) in context.application.bot_data.get(
        "known_commands", ()
    ):
        return
    await deliver(lambda: update.effective_chat.send_message(texts.UNKNOWN_COMMAND))


async def not_understood(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await deliver(lambda: update.effective_chat.send_message(texts.NOT_UNDERSTOOD))


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await deliver(lambda: update.callback_query.answer(texts.BUTTON_EXPIRED))


def handlers():
    return [
        (Group.COMMANDS, listing.page_handler()),
        (Group.COMMANDS, CommandHandler("cancel", nothing_to_cancel)),
        (Group.COMMANDS, MessageHandler(CANCEL_FILTER, nothing_to_cancel)),
        (Group.COMMANDS, CallbackQueryHandler(nothing_to_cancel, pattern="^cancel$")),
        (Group.COMMANDS, MessageHandler(filters.COMMAND, unknown_command)),
        (Group.COMMANDS, MessageHandler(filters.ALL, not_understood)),
        (Group.COMMANDS, CallbackQueryHandler(stale_button)),
    ]
