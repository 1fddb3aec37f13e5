"""`python manage.py runbot`: the Telegram bot until Ctrl-C or SIGTERM.

Long polling by default; a webhook server when TELEGRAM_WEBHOOK_URL is set
(bot/transport/webhook.py), which runs as any number of replicas (bot/replicas.py).
`--workers N` (or BOT_WORKERS) with N > 1: one polling front and N worker processes
(bot/workers.py); webhook mode scales by replicas instead.
"""

import argparse
import asyncio
import contextlib
import logging
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from telegram import Update
from telegram.error import InvalidToken

from calendarapp.bot.application import build_application
from calendarapp.bot.runtime import eventloop, heap
from calendarapp.bot.runtime.token import bot_token
from calendarapp.bot.transport.webhook import WebhookConfigError, webhook_config

NO_CREDENTIALS_HELP = (
    "No bot token. Set TELEGRAM_BOT_TOKEN (get one from @BotFather), or put API_TOKEN = '...' "
    "into bot_secrets.py at the project root. To try the bot without a token: "
    "python manage.py chat"
)
REFUSED_CREDENTIALS_HELP = (
    "Telegram refused the bot token (Unauthorized). Check TELEGRAM_BOT_TOKEN (or API_TOKEN in "
    "bot_secrets.py): copy it again from @BotFather; /revoke there makes a new one."
)


def _without_refused_token(record: logging.LogRecord) -> bool:
    """python-telegram-bot logs a refused token with a traceback that prints the token;
    runbot says it in one line instead (and never shows the token)."""
    return not (record.exc_info and isinstance(record.exc_info[1], InvalidToken))


class Command(BaseCommand):
    help = "Run the Telegram bot (long polling, or a webhook with TELEGRAM_WEBHOOK_URL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="bot processes for long polling (default: BOT_WORKERS, 1); N > 1 runs a "
            "polling front and N workers, each user always on the same worker",
        )
        # Internal: how the front starts a worker (bot/workers.py).
        parser.add_argument("--worker", help=argparse.SUPPRESS)
        parser.add_argument("--channel", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        token = bot_token()
        if not token:
            raise CommandError(NO_CREDENTIALS_HELP, returncode=2)
        try:
            webhook = webhook_config()
        except WebhookConfigError as error:
            raise CommandError(str(error), returncode=2) from None
        workers = options["workers"] if options["workers"] is not None else settings.BOT_WORKERS
        if workers < 1:
            raise CommandError("--workers must be at least 1", returncode=2)
        logger = logging.getLogger("calendarapp.bot")
        loop = eventloop.install()
        if options["worker"]:
            self._worker(token, options["worker"], options["channel"])
            return
        logger.info(
            "Bot starting, Bot API at %s, event loop: %s", settings.TELEGRAM_API_BASE_URL, loop
        )
        if webhook is None and workers > 1:
            self._front(token, workers)
            return
        application = build_application(token, settings.TELEGRAM_API_BASE_URL)
        logging.getLogger("telegram.ext").addFilter(_without_refused_token)
        heap.freeze_start_up()
        try:
            self._run(application, webhook, workers, logger)
        except InvalidToken:
            # Refused at the first call (getMe); python-telegram-bot's own message would
            # print the token into the log.
            self._close_client(application)
            raise CommandError(REFUSED_CREDENTIALS_HELP, returncode=2) from None

    @staticmethod
    def _close_client(application) -> None:
        loop = asyncio.get_event_loop_policy().get_event_loop()
        for request in (application.bot.request, application.bot._request[0]):
            with contextlib.suppress(Exception):
                loop.run_until_complete(request.shutdown())

    def _run(self, application, webhook, workers, logger) -> None:
        # run_polling and run_replica handle SIGINT/SIGTERM and shut down cleanly on both.
        if webhook is None:
            application.run_polling(allowed_updates=Update.ALL_TYPES, close_loop=False)
            return
        if workers > 1:
            logger.warning(
                "Webhook mode scales by replicas behind a load balancer (README, Webhook "
                "mode); --workers/BOT_WORKERS ignored"
            )
        logger.info("Webhook mode: %s", webhook.url)
        from calendarapp.bot.replicas import run_replica

        loop = asyncio.get_event_loop_policy().get_event_loop()
        code = loop.run_until_complete(run_replica(application, webhook))
        if code:
            sys.exit(code)

    def _front(self, token: str, workers: int) -> None:
        from calendarapp.bot.workers import Front

        front = Front(token, settings.TELEGRAM_API_BASE_URL, workers)
        code = asyncio.get_event_loop_policy().get_event_loop().run_until_complete(front.run())
        if code:
            sys.exit(code)

    def _worker(self, token: str, worker: str, channel: str) -> None:
        from calendarapp.bot.workers import run_worker

        index, count = (int(part) for part in worker.split("/"))
        code = (
            asyncio.get_event_loop_policy()
            .get_event_loop()
            .run_until_complete(
                run_worker(token, settings.TELEGRAM_API_BASE_URL, index, count, channel)
            )
        )
        if code:
            sys.exit(code)
