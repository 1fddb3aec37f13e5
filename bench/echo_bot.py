#!/usr/bin/env python
"""The ceiling for bench/bot_throughput.py: a bare python-telegram-bot echo bot.

Each text message is answered with its own text; no database, no persistence, no
translations, no keyboards. It runs on the same HTTP client (bot/transport/http.py) and the
same event loop (bot/runtime/eventloop.py, uvloop where installed) as `manage.py runbot`,
long-polls with python-telegram-bot's defaults as runbot does, and handles up to 64 updates
at once like the bot, so the difference between the two is the bot's own work.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT/bot \
        .venv/bin/python bench/echo_bot.py
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")

import django

django.setup()  # the settings only (event loop, HTTP client): no database is touched

from django.conf import settings  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, MessageHandler, filters  # noqa: E402

from calendarapp.bot.runtime import eventloop  # noqa: E402
from calendarapp.bot.transport.http import bot_requests  # noqa: E402


async def echo(update: Update, context) -> None:
    await update.message.reply_text(update.message.text)


def main() -> None:
    eventloop.install()
    request, get_updates_request = bot_requests()
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(settings.TELEGRAM_API_BASE_URL)
        .request(request)
        .get_updates_request(get_updates_request)
        .concurrent_updates(64)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES, close_loop=False)


if __name__ == "__main__":
    main()
