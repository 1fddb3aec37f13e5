"""Several bot processes on one token: a front that polls, workers that answer.

One bot process spends a few milliseconds of CPU per update in one thread, so it cannot use
a second core. Telegram allows one `getUpdates` poller per token, so `runbot --workers N`
runs a *front* process that polls with a lean aiohttp loop (no python-telegram-bot objects:
`json.loads` and the sender's id) and hands each update to worker `user_id % N` over a pipe.
Every update of one person goes to the same worker, in order, so dialogs see their answers
in order as with one process. Each *worker* is the normal `CalendarApplication` without an
Updater: it turns the JSON into an `Update`, processes it and sends its answers itself.

Offsets: the front confirms an update to Telegram (the next `getUpdates` offset) only once
its worker has taken it into its queue, as python-telegram-bot's own Updater does. On
SIGTERM/SIGINT the front stops polling and closes the pipes; each worker finishes what it
took, saves dialog state and exits; then the front confirms what the workers took and
exits 0. A worker that dies takes the whole bot down with status 1 (the container restarts
it): the updates it had not taken are not confirmed and come again after the restart.

Only worker 0 runs the repeating outbox and reminder jobs and sets the command menu (the jobs
are safe to run twice, but need not); every worker still wakes the outbox at once after its
own handlers queued a notification. Each worker gets 1/N of TELEGRAM_OVERALL_MAX_RATE.
"""

import asyncio
import json
import logging
import os
import signal
import sys

import aiohttp
from django.conf import settings
from telegram import Update

from calendarapp.bot.runtime import heap
from calendarapp.bot.transport.http import env_proxy

logger = logging.getLogger("calendarapp.bot")

POLL_TIMEOUT = 10  # seconds a getUpdates call waits for updates (as run_polling's default)
LINE_LIMIT = 16 * 1024 * 1024  # one update per line; Telegram's updates are far smaller
STOP_GRACE = 60  # seconds the workers get to finish their updates on shutdown


def sender_id(update: dict) -> int:
    """The id that keeps one person's updates together: the user's, else the chat's."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        person = value.get("from") or value.get("user") or value.get("voter_chat")
        if isinstance(person, dict) and isinstance(person.get("id"), int):
            return person["id"]
        chat = value.get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return chat["id"]
    return 0


def route(update: dict, workers: int) -> int:
    return sender_id(update) % workers


def _worker_share(total_rate: int, workers: int) -> int:
    """Each worker's part of Telegram's overall message rate (0 = no limit stays 0)."""
    return max(1, total_rate // workers) if total_rate > 0 else 0


async def _pipe_reader(fd: int) -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=LINE_LIMIT)
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(fd, "rb", 0)
    )
    return reader


async def _pipe_writer(fd: int) -> asyncio.StreamWriter:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.connect_write_pipe(
        asyncio.streams.FlowControlMixin, os.fdopen(fd, "wb", 0)
    )
    return asyncio.StreamWriter(transport, protocol, None, loop)


class _Worker:
    """The front's handle on one worker process: its pipes and its exit."""

    def __init__(self, index: int):
        self.index = index
        self.process: asyncio.subprocess.Process | None = None
        self.updates: asyncio.StreamWriter | None = None
        self.acks: asyncio.StreamReader | None = None

    async def spawn(self, count: int) -> None:
        to_worker_r, to_worker_w = os.pipe()
        to_front_r, to_front_w = os.pipe()
        command = [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "runbot",
            "--worker",
            f"{self.index}/{count}",
            "--channel",
            f"{to_worker_r},{to_front_w}",
        ]
        try:
            self.process = await asyncio.create_subprocess_exec(
                *command, pass_fds=(to_worker_r, to_front_w)
            )
        finally:
            os.close(to_worker_r)
            os.close(to_front_w)
        self.updates = await _pipe_writer(to_worker_w)
        self.acks = await _pipe_reader(to_front_r)


class Front:
    """Polls getUpdates and routes each update to its worker; see the module docstring."""

    def __init__(self, token: str, base_url: str, workers: int, poll_timeout: int = POLL_TIMEOUT):
        self.url = f"{base_url}{token}/"  # as python-telegram-bot builds it
        self.count = workers
        self.poll_timeout = poll_timeout
        self.workers = [_Worker(index) for index in range(workers)]
        self.offset = 0  # the next update id to ask for = everything before it confirmed
        self.batch: list[int] = []  # ids of the updates handed over and not yet confirmed
        self.taken: set[int] = set()  # ids of `batch` the workers acknowledged
        self.waiting = 0
        self.all_taken: asyncio.Event | None = None
        self.stopping = False
        self.failed: str | None = None
        self.poller: asyncio.Task | None = None

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.stop, f"signal {signal.Signals(signum).name}")
        timeout = aiohttp.ClientTimeout(sock_connect=10, sock_read=self.poll_timeout + 10)
        # Proxies from the environment, looked up once: aiohttp's own `trust_env` reads the
        # environment and ~/.netrc on a thread for every request (a third of the front's CPU).
        self.proxy = env_proxy(self.url)
        async with aiohttp.ClientSession(timeout=timeout) as self.session:
            for worker in self.workers:
                await worker.spawn(self.count)
            readers = [asyncio.create_task(self._read_acks(w)) for w in self.workers]
            watchers = [asyncio.create_task(self._watch(w)) for w in self.workers]
            logger.info("Bot front polling for %s workers", self.count)
            self.poller = asyncio.create_task(self._poll())
            try:
                await self.poller
            except asyncio.CancelledError:
                if not self.stopping and not self.failed:
                    raise
            await self._stop_workers(watchers)
            await asyncio.gather(*readers, return_exceptions=True)
            await self._confirm()
        if self.failed:
            logger.error("Bot stopped: %s", self.failed)
            return 1
        logger.info("Bot stopped")
        return 0

    def stop(self, reason: str) -> None:
        if not self.stopping:
            logger.info("Bot stopping (%s)", reason)
        self.stopping = True
        if self.poller is not None:
            self.poller.cancel()

    async def _call(self, method: str, params: dict) -> object:
        async with self.session.post(self.url + method, json=params, proxy=self.proxy) as response:
            body = await response.json(loads=json.loads, content_type=None)
        if not body.get("ok"):
            raise _ApiError(body.get("error_code") or response.status, body.get("description"))
        return body["result"]

    async def _poll(self) -> None:
        delay = 0.0
        bootstrapped = False
        while True:
            try:
                if not bootstrapped:
                    # As run_polling: no webhook may be set while polling.
                    await self._call("deleteWebhook", {})
                    bootstrapped = True
                updates = await self._call(
                    "getUpdates",
                    {
                        "offset": self.offset,
                        "timeout": self.poll_timeout,
                        "allowed_updates": Update.ALL_TYPES,
                    },
                )
                delay = 0.0
            except _ApiError as error:
                if error.code in (401, 404):
                    self.failed = f"the Bot API refused the token ({error})"
                    return
                delay = min(max(delay * 2, 1.0), 30.0)
                logger.warning("getUpdates failed (%s); retry in %.0f s", error, delay)
                await asyncio.sleep(delay)
                continue
            except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                delay = min(max(delay * 2, 1.0), 30.0)
                logger.warning("getUpdates failed (%r); retry in %.0f s", error, delay)
                await asyncio.sleep(delay)
                continue
            if updates:
                await self._hand_over(updates)

    async def _hand_over(self, updates: list[dict]) -> None:
        """Give each update to its worker and wait until every one was taken."""
        self.batch = [update["update_id"] for update in updates]
        self.taken = set()
        self.waiting = len(updates)
        self.all_taken = asyncio.Event()
        for update in updates:
            worker = self.workers[route(update, self.count)]
            worker.updates.write(json.dumps(update).encode() + b"\n")
        for worker in self.workers:
            await worker.updates.drain()
        await self.all_taken.wait()
        self.offset = self.batch[-1] + 1
        self.batch = []

    async def _read_acks(self, worker: _Worker) -> None:
        while line := await worker.acks.readline():
            self.taken.add(int(line))
            self.waiting -= 1
            if self.waiting == 0 and self.all_taken is not None:
                self.all_taken.set()

    async def _watch(self, worker: _Worker) -> None:
        code = await worker.process.wait()
        if not self.stopping:
            self.failed = f"worker {worker.index} exited with status {code}"
            self.stop(self.failed)
        elif code != 0 and not self.failed:
            self.failed = f"worker {worker.index} exited with status {code} while stopping"

    async def _stop_workers(self, watchers: list[asyncio.Task]) -> None:
        """Close the pipes: each worker finishes what it took and exits."""
        for worker in self.workers:
            if worker.updates is not None and not worker.updates.is_closing():
                worker.updates.close()
        _done, pending = await asyncio.wait(watchers, timeout=STOP_GRACE)
        for worker in self.workers:
            if worker.process.returncode is None:
                logger.error("Worker %s did not stop in %s s; killed", worker.index, STOP_GRACE)
                worker.process.kill()
                self.failed = self.failed or f"worker {worker.index} did not stop"
        if pending:
            await asyncio.wait(pending)

    async def _confirm(self) -> None:
        """Tell Telegram which updates are done: those the workers took, up to the first
        one they did not (that one and the rest come again at the next start)."""
        offset = self.offset
        for update_id in self.batch:
            if update_id not in self.taken:
                break
            offset = update_id + 1
        if offset == 0:
            return
        try:
            await self._call("getUpdates", {"offset": offset, "timeout": 0, "limit": 1})
        except (_ApiError, aiohttp.ClientError, TimeoutError, ValueError) as error:
            logger.warning("Could not confirm the last updates (%r)", error)


class _ApiError(Exception):
    def __init__(self, code: int, description: str | None):
        super().__init__(f"{code}: {description}")
        self.code = code


async def run_worker(token: str, base_url: str, index: int, count: int, channel: str) -> int:
    """One worker: the normal Application fed from the front's pipe instead of an Updater."""
    # Read here, not at the top: the front process imports this module too and needs none
    # of the handlers.
    from calendarapp.bot.application import build_application, on_start

    # The front decides when to stop (it closes the pipe); Ctrl-C reaches the whole process
    # group, and a worker leaving on its own would look like a crash.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    read_fd, write_fd = (int(fd) for fd in channel.split(","))
    application = build_application(
        token,
        base_url,
        updater=False,
        scheduled_jobs=index == 0,
        overall_max_rate=_worker_share(settings.TELEGRAM_OVERALL_MAX_RATE, count),
    )
    heap.freeze_start_up()
    updates = await _pipe_reader(read_fd)
    acks = await _pipe_writer(write_fd)
    await application.initialize()
    try:
        if index == 0:
            await on_start(application)
        await application.start()
        while line := await updates.readline():
            data = json.loads(line)
            try:
                update = Update.de_json(data, application.bot)
            except Exception:
                logger.exception("Worker %s: unreadable update %s", index, data.get("update_id"))
            else:
                await application.update_queue.put(update)
            acks.write(b"%d\n" % data["update_id"])
            await acks.drain()
        await application.stop()
    finally:
        await application.shutdown()
        acks.close()
    return 0
