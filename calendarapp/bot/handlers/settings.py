"""/settings (default reminder lead time, by buttons) and /timezone (buttons, a name or a city)."""

from django.utils import timezone as django_timezone
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler

from calendarapp.exceptions import DomainError
from calendarapp.selectors.users import get_user
from calendarapp.services.reminders import set_default_reminder
from calendarapp.services.timezones import zone_of
from calendarapp.services.users import set_user_timezone

from .. import choice_keyboards, texts
from ..dialog import (
    COMMANDS_GROUP,
    END,
    TEXT,
    ask,
    command_tail,
    conversation,
    db,
    deliver,
    forget,
    registered_user,
    reject,
    remember,
    send,
    stops,
)
from ..profiles import remember_profile, sender_profile

TIMEZONE_GROUP = 20
WAIT_TIMEZONE = "WAIT_TIMEZONE"


def _local_time(zone_name: str) -> str:
    return f"{django_timezone.now().astimezone(zone_of(zone_name)):%H:%M}"


def _settings_text(user) -> str:
    return texts.SETTINGS.format(
        zone=user.timezone,
        now=_local_time(user.timezone),
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
    set_default_reminder(tg_id, minutes)
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
    await deliver(lambda: query.edit_message_text(text, reply_markup=markup))


# --- /timezone [<name or city>] ----------------------------------------------------------------
async def _save_timezone(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str):
    try:
        user = await db(set_user_timezone)(update.effective_user.id, text)
    except DomainError as error:
        return await reject(update, context, error)
    remember_profile(context, user)
    forget(context)
    await send(
        update, texts.TIMEZONE_SET.format(zone=user.timezone, now=_local_time(user.timezone))
    )
    return END


async def timezone_start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    user = await registered_user(update)
    if user is None:
        return END
    question = texts.ASK_TIMEZONE.format(zone=user.timezone, now=_local_time(user.timezone))
    markup = choice_keyboards.timezone_choice(django_timezone.now())
    typed = command_tail(update).strip()
    if typed:  # /timezone Europe/Berlin
        remember(context, question, markup)  # a bad name re-asks with the buttons
        return await _save_timezone(update, context, typed) or WAIT_TIMEZONE
    await ask(update, context, question, markup)
    return WAIT_TIMEZONE


@stops
async def timezone_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _save_timezone(update, context, update.message.text)


@stops
async def timezone_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    name = update.callback_query.data.removeprefix(choice_keyboards.CB_TIMEZONE)
    return await _save_timezone(update, context, name)


def handlers():
    zone = conversation(
        "timezone",
        [CommandHandler("timezone", timezone_start)],
        {
            WAIT_TIMEZONE: [
                MessageHandler(TEXT, timezone_typed),
                CallbackQueryHandler(timezone_pressed, pattern=f"^{choice_keyboards.CB_TIMEZONE}"),
            ],
        },
    )
    return [
        (TIMEZONE_GROUP, zone),
        (COMMANDS_GROUP, CommandHandler("settings", settings_command)),
        (
            COMMANDS_GROUP,
            CallbackQueryHandler(
                settings_pressed, pattern=f"^{choice_keyboards.CB_SETTINGS_REMIND}"
            ),
        ),
    ]
