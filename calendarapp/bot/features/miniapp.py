"""/app and the chat's menu button: the calendar as a Mini App (calendarapp/miniapp)."""

import logging

from django.conf import settings
from telegram import InlineKeyboardMarkup, MenuButtonWebApp, Update, WebAppInfo
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui.dialog import registered_user, send
from calendarapp.bot.ui.miniapp import app_url, open_app_button

logger = logging.getLogger(__name__)


async def open_app(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await registered_user(update) is None:
        return
    button = open_app_button()
    if button is None:
        await send(update, texts.APP_NEEDS_HTTPS.format(url=settings.SITE_BASE_URL))
        return
    await send(update, texts.APP_OPEN, reply_markup=InlineKeyboardMarkup([[button]]))


async def set_app_menu_button(application: Application) -> None:
    """The menu button of every private chat opens the app, where Telegram can open it.

    Best effort, as the command menu: a refusal is logged and the bot runs on."""
    url = app_url()
    if url is None:
        logger.info("No Mini App menu button: SITE_BASE_URL is not https.")
        return
    try:
        await application.bot.set_chat_menu_button(
            menu_button=MenuButtonWebApp(str(texts.MENU_APP), WebAppInfo(url))
        )
    except TelegramError as error:
        logger.warning("Could not set the Mini App menu button: %s", error)


def handlers():
    return [(Group.COMMANDS, CommandHandler("app", open_app))]
