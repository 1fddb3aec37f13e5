"""uvloop for the bot's event loop when it is installed (Linux, macOS); asyncio's otherwise.

The bot process is CPU-bound under load and a good share of its time is the event loop
itself (callbacks, futures, socket readiness); uvloop runs that part in C.
"""

import asyncio
import logging

from django.conf import settings

logger = logging.getLogger("calendarapp.bot")


def install() -> str:
    """Make the current thread's event loop a uvloop one if wanted and possible; its name."""
    if settings.BOT_EVENT_LOOP != "uvloop":
        return "asyncio"
    try:
        import uvloop  # optional: not built for every platform
    except ImportError:
        logger.info("uvloop is not installed; the bot runs on asyncio's event loop")
        return "asyncio"
    asyncio.set_event_loop(uvloop.new_event_loop())
    return "uvloop"
