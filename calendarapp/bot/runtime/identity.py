"""The bot tells the web side its username (for the front page's t.me link).

Application.initialize() has already called getMe when post_init hooks run, so
`application.bot.username` is known without another request.
"""

import logging

from django.db import DatabaseError

from calendarapp.bot.runtime.orm import db
from calendarapp.services.bot_identity import remember_bot_username

logger = logging.getLogger(__name__)


async def remember_identity(application) -> None:
    """Store the bot's username. Best effort: the bot works without it, so a failure is
    logged and the bot starts anyway (the front page then says the bot is not configured,
    or uses TELEGRAM_BOT_USERNAME)."""
    try:
        username = application.bot.username
        await db(remember_bot_username)(username=username)
    except DatabaseError as error:
        # A database that is away at start is an outage, not a bug: no traceback.
        logger.warning("Could not store the bot's username: %s", error)
    except Exception:
        logger.exception("Could not store the bot's username")
