"""`python manage.py runbot`: the Telegram bot until Ctrl-C or SIGTERM.

Long polling by default; a webhook server when TELEGRAM_WEBHOOK_URL is set (bot/webhook.py).
"""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from telegram import Update

from calendarapp.bot import eventloop
from calendarapp.bot.application import build_application
from calendarapp.bot.token import bot_token
from calendarapp.bot.webhook import WebhookConfigError, webhook_config

NO_CREDENTIALS_HELP = (
    "No bot token. Set TELEGRAM_BOT_TOKEN (get one from @BotFather), or put API_TOKEN = '...' "
    "into bot_secrets.py at the project root. To try the bot without a token: "
    "python manage.py chat"
)


class Command(BaseCommand):
    help = "Run the Telegram bot (long polling, or a webhook with TELEGRAM_WEBHOOK_URL)."

    def handle(self, *args, **options):
        token = bot_token()
        if not token:
            raise CommandError(NO_CREDENTIALS_HELP, returncode=2)
        try:
            webhook = webhook_config()
        except WebhookConfigError as error:
            raise CommandError(str(error), returncode=2) from None
        logger = logging.getLogger("calendarapp.bot")
        loop = eventloop.install()
        logger.info(
            "Bot starting, Bot API at %s, event loop: %s", settings.TELEGRAM_API_BASE_URL, loop
        )
        application = build_application(token, settings.TELEGRAM_API_BASE_URL)
        # run_polling/run_webhook install SIGINT/SIGTERM handlers and shut down cleanly on both.
        if webhook is None:
            application.run_polling(allowed_updates=Update.ALL_TYPES, close_loop=False)
            return
        logger.info(
            "Webhook mode: %s, serving /%s on %s:%s",
            webhook.url,
            webhook.url_path,
            webhook.listen,
            webhook.port,
        )
        application.run_webhook(
            listen=webhook.listen,
            port=webhook.port,
            url_path=webhook.url_path,
            webhook_url=webhook.url,
            secret_token=webhook.secret,
            allowed_updates=Update.ALL_TYPES,
            close_loop=False,
        )
