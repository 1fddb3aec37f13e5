"""uvloop for the bot's event loop when it is installed (Linux, macOS); asyncio's otherwise.

The bot process is CPU-bound under load and a good share of its time is the event loop
itself (callbacks, futures, socket readiness); uvloop runs that part in C.
"""

import asyncio
import logging

from django.conf import settings

logger = logging.getLogger("calendarapp.bot")


def new_loop() -> asyncio.AbstractEventLoop:
    """A new event loop: uvloop's if wanted and possible, asyncio's otherwise."""
    if settings.BOT_EVENT_LOOP == "uvloop":
        try:
            import uvloop  # optional: not built for every platform
        except ImportError:
            logger.info("uvloop is not installed; the bot runs on asyncio's event loop")
        else:
            return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def install() -> str:
    """Make the current thread's event loop a uvloop one if wanted and possible; its name."""
    loop = new_loop()
    asyncio.set_event_loop(loop)
    return "asyncio" if type(loop).__module__.startswith("asyncio") else "uvloop"
