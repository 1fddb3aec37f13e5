"""/feed and /feed_reset: the private calendar subscription link (services.feeds)."""

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui.dialog import db, registered_user, send
from calendarapp.services.feeds import feed_links, get_or_issue_feed, rotate_feed


def _links_text(template: str, feed) -> str:
    links = feed_links(feed)
    return template.format(https=links.https, webcal=links.webcal)


async def show_feed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await registered_user(update) is None:
        return
    feed = await db(get_or_issue_feed)(update.effective_user.id)
    await send(update, _links_text(texts.FEED_LINKS, feed))


async def reset_feed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await registered_user(update) is None:
        return
    feed = await db(rotate_feed)(update.effective_user.id)
    await send(update, _links_text(texts.FEED_RESET, feed))


def handlers():
    return [
        (Group.COMMANDS, CommandHandler("feed", show_feed)),
        (Group.COMMANDS, CommandHandler("feed_reset", reset_feed)),
    ]
