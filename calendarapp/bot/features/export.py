"""/export and /calendar: signed, short-lived download links as URL buttons."""

from django.conf import settings
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import keyboards, listing
from calendarapp.bot.ui.dialog import registered_user
from calendarapp.services.export_tokens import issue_export_token


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await registered_user(update) is None:
        return
    token = issue_export_token(update.effective_user.id)
    minutes = settings.EXPORT_TOKEN_MAX_AGE // 60
    await update.effective_chat.send_message(
        texts.EXPORT_LINKS.format(minutes=minutes),
        reply_markup=keyboards.export_links(token.url("csv"), token.url("json")),
    )


async def calendar(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await registered_user(update) is None:
        return
    await listing.send_page(update, listing.CALENDAR)


def handlers():
    return [
        (Group.COMMANDS, CommandHandler("export", export)),
        (Group.COMMANDS, CommandHandler("calendar", calendar)),
    ]
