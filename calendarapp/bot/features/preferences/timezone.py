"""/timezone [<name or city>]: the zone my dates and times are in (buttons, a name or a city)."""

from django.utils import timezone as django_timezone
from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.runtime.profiles import remember_profile
from calendarapp.bot.ui import choice_keyboards, dialog
from calendarapp.exceptions import DomainError
from calendarapp.services.users import set_user_timezone
from calendarapp.timezones import offset_name, zone_of

WAIT_TIMEZONE = "WAIT_TIMEZONE"


def local_time(zone_name: str) -> str:
    return f"{django_timezone.now().astimezone(zone_of(zone_name)):%H:%M}"


# --- /timezone [<name or city>] ----------------------------------------------------------------
async def _save_timezone(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str):
    try:
        user = await dialog.db(set_user_timezone)(tg_id=update.effective_user.id, text=text)
    except DomainError as error:
        return await dialog.reject(update, context, error)
    remember_profile(context, user)
    dialog.forget(context)
    zone, now = offset_name(user.timezone), local_time(user.timezone)
    await dialog.send(update, texts.TIMEZONE_SET.format(zone=zone, now=now))
    return dialog.END


async def timezone_start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    user = await dialog.registered_user(update)
    if user is None:
        return dialog.END
    zone, now = offset_name(user.timezone), local_time(user.timezone)
    question = texts.ASK_TIMEZONE.format(zone=zone, now=now)
    markup = choice_keyboards.timezone_choice(django_timezone.now())
    typed = dialog.command_tail(update).strip()
    if typed:  # /timezone Europe/Berlin
        dialog.remember(context, question, markup)  # a bad name re-asks with the buttons
        return await _save_timezone(update, context, typed) or WAIT_TIMEZONE
    await dialog.ask(update, context, question, markup)
    return WAIT_TIMEZONE


@dialog.stops
async def timezone_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _save_timezone(update, context, update.message.text)


@dialog.stops
async def timezone_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    name = update.callback_query.data.removeprefix(choice_keyboards.CB_TIMEZONE)
    return await _save_timezone(update, context, name)


def handlers():
    zone = dialog.command_dialog(
        "timezone",
        timezone_start,
        {
            WAIT_TIMEZONE: [
                MessageHandler(dialog.TEXT, timezone_typed),
                CallbackQueryHandler(timezone_pressed, pattern=f"^{choice_keyboards.CB_TIMEZONE}"),
            ],
        },
    )
    return [(Group.TIMEZONE, zone)]
