"""/settings: the default reminder lead time of new events, by buttons."""

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.features.preferences.timezone import local_time
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.runtime.profiles import remember_profile, sender_profile
from calendarapp.bot.ui import choice_keyboards
from calendarapp.bot.ui.dialog import (
    db,
    deliver,
    registered_user,
    send,
    unless_unchanged,
)
from calendarapp.exceptions import DomainError
from calendarapp.selectors.users import get_user
from calendarapp.services.reminders import set_default_reminder
from calendarapp.timezones import offset_name


def _settings_text(user) -> str:
    return texts.SETTINGS.format(
        zone=offset_name(user.timezone),
        now=local_time(user.timezone),
        phrase=choice_keyboards.reminder_phrase(user.default_reminder_minutes),
    )


# --- /settings -------------------------------------------------------------------------------
async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = await registered_user(update)
    if user is None:
        return
    markup = choice_keyboards.settings_reminders(user.default_reminder_minutes)
    await send(update, _settings_text(user), markup)


def _save_default(tg_id: int, minutes):
    set_default_reminder(tg_id=tg_id, minutes=minutes)
    return get_user(tg_id)


async def settings_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    minutes = choice_keyboards.parse_lead(query.data, choice_keyboards.CB_SETTINGS_REMIND)
    if minutes is choice_keyboards.INVALID:
        minutes = -1  # forged: the service refuses it in its own words
    if await sender_profile(update) is None:
        await query.answer(texts.NEED_REGISTER, show_alert=True)
        return
    try:
        user = await db(_save_default)(update.effective_user.id, minutes)
    except DomainError as error:
        await query.answer(texts.error_text(error), show_alert=True)
        return
    remember_profile(context, user)
    phrase = choice_keyboards.reminder_phrase(user.default_reminder_minutes)
    await query.answer(texts.SETTINGS_SAVED.format(phrase=phrase))
    markup = choice_keyboards.settings_reminders(user.default_reminder_minutes)
    text = _settings_text(user)
    # Pressing the lead time already chosen changes nothing: Telegram says "not modified".
    await deliver(unless_unchanged(lambda: query.edit_message_text(text, reply_markup=markup)))


def handlers():
    return [
        (Group.COMMANDS, CommandHandler("settings", settings_command)),
        (
            Group.COMMANDS,
            CallbackQueryHandler(
                settings_pressed, pattern=f"^{choice_keyboards.CB_SETTINGS_REMIND}"
            ),
        ),
    ]
