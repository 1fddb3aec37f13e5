"""/language: Русский or English. The choice is stored on the user and wins over the
language of their Telegram client (which decides until they choose)."""

from django.utils import translation
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.runtime.profiles import remember_profile
from calendarapp.bot.ui import keyboards
from calendarapp.bot.ui.dialog import command_args, db, registered_user, send
from calendarapp.exceptions import DomainError
from calendarapp.i18n import LANGUAGE_NAMES
from calendarapp.services.users import set_user_language

# What people may type after /language, besides the codes themselves.
LANGUAGE_WORDS = {
    "русский": "ru",
    "russian": "ru",
    "рус": "ru",
    "english": "en",
    "английский": "en",
    "eng": "en",
}


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> None:
    try:
        user = await db(set_user_language)(tg_id=update.effective_user.id, language=code)
    except DomainError as error:
        await send(update, texts.error_text(error), keyboards.languages())
        return
    remember_profile(context, user)  # the next update must not wait for the cached entry to expire
    # The confirmation already speaks the new language (the rest of this update does not).
    with translation.override(user.language):
        text = texts.LANGUAGE_SET.format(language=LANGUAGE_NAMES[user.language])
    await send(update, text)


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await registered_user(update) is None:
        return
    args = command_args(context)
    if args:
        word = args[0].strip().lower()[:32]
        await choose(update, context, LANGUAGE_WORDS.get(word, word))
        return
    current = LANGUAGE_NAMES.get(translation.get_language(), translation.get_language())
    await send(update, texts.LANGUAGE_ASK.format(language=current), keyboards.languages())


async def language_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    code = update.callback_query.data.removeprefix(keyboards.CB_LANGUAGE_PREFIX)
    await choose(update, context, code)


def handlers():
    return [
        (Group.COMMANDS, CommandHandler("language", language_command)),
        (
            Group.COMMANDS,
            CallbackQueryHandler(language_pressed, pattern=f"^{keyboards.CB_LANGUAGE_PREFIX}"),
        ),
    ]
