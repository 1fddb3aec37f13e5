"""Webhook mode as any number of identical processes behind a load balancer.

Each replica is the normal `CalendarApplication` without an Updater behind its own small
aiohttp server. Unlike python-telegram-bot's webhook server, which answers 200 as soon as
the update is queued, a replica answers only once the update was handled (its transaction
committed, its answers sent): a replica killed mid-update never confirmed it, Telegram (or
the balancer) delivers it again, and runtime/once.py makes a second delivery of a finished
update a no-op. Non-2xx answers are retried by Telegram, so a failure is "try again".

Coordination, all in PostgreSQL (nothing else shared):
- one person's updates one at a time: the per-person advisory lock of runtime/once.py,
  taken in the update's transaction; different people run in parallel;
- fresh state: the dialog state, draft and profile (the /language choice) are read for
  every update (`CalendarApplication.read_fresh_state`), as another replica may have handled
  the previous one;
- one registration: the replica that holds the session advisory lock `TAG_LEADER` (on a
  connection of its own, for its whole life) calls setWebhook and sets the command menu;
  a replica started while a leader lives does neither. If the leader dies, its lock goes
  with its connection and the next replica to start takes it (registering again is
  harmless: same URL, same secret);
- outbox and reminder jobs run on every replica; their claims are `SKIP LOCKED`.

On SQLite (one process by design) the replica is the leader and the state stays in memory.
"""

import asyncio
import hmac
import json
import logging
import signal
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web
from django.conf import settings
from django.db import connection, connections
from telegram import Update

from calendarapp.bot.runtime.identity import remember_identity
from calendarapp.bot.runtime.once import TAG_LEADER
from calendarapp.bot.transport.webhook import WebhookConfig

logger = logging.getLogger("calendarapp.bot")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
STOP_GRACE = 60  # seconds in-flight updates get to finish on SIGTERM


def shared_database() -> bool:
    """Several processes can share the database (and so must coordinate through it)."""
    return connection.vendor == "postgresql"


class Leadership:
    """The leader's session lock, on a connection that lives as long as the process, used
    from a thread of its own: Django ties a connection to the thread that opened it, and
    refuses one on the event loop's thread unless the bot's calls run inline there."""

    def __init__(self):
        self._connection = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="leader")

    async def take(self) -> bool:
        return await asyncio.get_running_loop().run_in_executor(self._thread, self.try_take)

    async def give_up(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self.release)
        self._thread.shutdown()

    def try_take(self) -> bool:
        if not shared_database():
            return True
        self._connection = connections.create_connection("default")
        with self._connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [TAG_LEADER])
            taken = cursor.fetchone()[0]
        if not taken:
            self._connection.close()
            self._connection = None
        return taken

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()  # the session lock goes with the session
            self._connection = None


class Replica:
    def __init__(self, application, webhook: WebhookConfig):
        self.application = application
        self.webhook = webhook
        self.secret = webhook.secret.encode()
        self.handled = 0

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            return web.Response(status=403, text="wrong secret token")
        try:
            data = json.loads(await request.read())
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, self.application.bot)
        except Exception as error:
            logger.warning("Refused a webhook body that is no update: %s", error)
            return web.Response(status=400, text="not a Telegram update")
        application = self.application
        try:
            await application.update_processor.process_update(
                update, application.process_update(update)
            )
        except Exception:
            # Nothing of it was kept (once.py): Telegram's retry brings it again.
            logger.exception("Update %s failed; Telegram will retry it", update.update_id)
            return web.Response(status=500, text="failed, retry")
        self.handled += 1
        return web.Response(text="ok")


async def run_replica(application, webhook: WebhookConfig) -> int:
    """Serve the webhook until SIGTERM/SIGINT; 0 after a clean stop."""
    from calendarapp.bot.application import on_start

    if shared_database():
        application.read_fresh_state()
    leadership = Leadership()
    replica = Replica(application, webhook)
    server = web.Application(client_max_size=2**20)
    server.router.add_post(f"/{webhook.url_path}", replica.handle)
    runner = web.AppRunner(server, access_log=None, shutdown_timeout=STOP_GRACE)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    await application.initialize()
    try:
        await application.start()
        await runner.setup()
        await web.TCPSite(runner, webhook.listen, webhook.port).start()
        leader = await leadership.take()
        if leader:
            await on_start(application)
            await application.bot.set_webhook(
                webhook.url,
                secret_token=webhook.secret,
                allowed_updates=Update.ALL_TYPES,
                max_connections=settings.TELEGRAM_WEBHOOK_MAX_CONNECTIONS,
            )
        else:
            await remember_identity(application)
        logger.info(
            "Webhook replica serving /%s on %s:%s (%s)",
            webhook.url_path,
            webhook.listen,
            webhook.port,
            "leader: registered the webhook" if leader else "follower",
        )
        await stopping.wait()
        logger.info("Stopping: finishing the updates in hand")
        await runner.cleanup()  # stops accepting, waits for the handlers in flight
        await application.stop()
    finally:
        await application.shutdown()
        await leadership.give_up()
    logger.info("Webhook replica stopped after %s update(s)", replica.handled)
    return 0
