"""`python manage.py runbot`: the Telegram bot, long polling, until Ctrl-C or SIGTERM."""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from telegram import Update

from calendarapp.bot.application import build_application
from calendarapp.bot.token import bot_token

NO_CREDENTIALS_HELP = (
    "No bot token. Set TELEGRAM_BOT_TOKEN (get one from @BotFather), or put API_TOKEN = '...' "
    "into bot_secrets.py at the project root. To try the bot without a token: "
    "python manage.py chat"
)


class Command(BaseCommand):
    help = "Run the Telegram bot (long polling)."

    def handle(self, *args, **options):
        token = bot_token()
        if not token:
            raise CommandError(NO_CREDENTIALS_HELP, returncode=2)
        logging.getLogger("calendarapp.bot").info(
            "Bot starting, Bot API at %s", settings.TELEGRAM_API_BASE_URL
        )
        application = build_application(token, settings.TELEGRAM_API_BASE_URL)
        # run_polling installs SIGINT/SIGTERM handlers and shuts down cleanly on both.
        application.run_polling(allowed_updates=Update.ALL_TYPES, close_loop=False)
