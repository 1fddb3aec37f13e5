"""Where the bot's database work runs: on the event loop's own thread, or in lanes.

Django's ORM is synchronous. `sync_to_async` (also behind Django's async ORM) hands every
call to one thread; the bot has its own choice, `BOT_DB_THREADS`:

- 0, the default: *inline*. Each call runs right where it is awaited, on the event loop's
  thread, over that thread's one persistent connection (CONN_MAX_AGE). The loop does
  nothing else while a query runs, and with one connection per process one update's
  transaction is open at a time; but a hop to another thread costs GIL hand-overs both
  ways, and with a nearby database that costs more than the overlap gains (inline against
  4 lanes in one run of bench/bot_throughput.py: docs/benchmarks.md). The bot scales with
  processes (`runbot --workers N`).
- N > 0: N *lanes*, each a thread of its own with its own connection, for a database far
  enough away (milliseconds a round trip) that other people should be served during each
  wait. An update takes a free lane for its whole handling (`exclusive`, used by once.py)
  and every call it makes runs there, so its statements, its dialog state and its id still
  commit in one transaction, while up to N people's updates are in the database at once.
  A call outside any update (the outbox, reminders, start-up reads) borrows a free lane
  for that one call. One lane on SQLite, which serialises writers anyway.

Django refuses ORM calls on a thread with a running event loop unless
DJANGO_ALLOW_ASYNC_UNSAFE is set, to catch code that blocks the loop *by mistake*; inline,
blocking for one short query is the design, so this module sets it for the bot's process.
On such a thread Django also keeps its connections per asyncio *context* (asgiref's Local),
so each update's task could open a connection of its own; inline calls therefore all run in
one context kept per thread, as if on a thread of their own: one connection per process.
Either way, texts rendered inside a call (list pages) speak the update's language.

One update's transaction inline (`exclusive`): every task shares the one connection, so
while an update has its transaction open, calls from other tasks (other people's updates,
the outbox) wait for it to end rather than join it. They wait on the event loop, not in
the database.
"""

import asyncio
import contextlib
import contextvars
import functools
import os
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connection, connections
from django.utils import translation

if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    THREADS = min(settings.BOT_DB_THREADS, 1)
else:
    THREADS = settings.BOT_DB_THREADS
INLINE = THREADS == 0
# The database's vendor, for code on the event loop outside a call: there, each update's
# task is an asyncio context of its own, and touching `django.db.connection` would build a
# DatabaseWrapper for it (about 1.5% of a press's CPU in a profile).
VENDOR = connections["default"].vendor

if INLINE:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

_local = threading.local()
CHECK_EVERY = 5.0  # seconds between connection health checks of one thread


def _check_connection() -> None:
    # Drop a connection the server closed or that outlived CONN_MAX_AGE; not on every call,
    # because with CONN_HEALTH_CHECKS each check costs a round trip to the database. Never
    # inside an update's transaction: Django would close the connection (its autocommit
    # is off there), and the transaction with it.
    now = time.monotonic()
    if now - getattr(_local, "checked", 0.0) > CHECK_EVERY and not connection.in_atomic_block:
        close_old_connections()
        _local.checked = now


def _call(language, function, args, kwargs, check=True):
    if check:
        _check_connection()
    # The active language lives in the caller's context; the call runs in another one (a
    # lane's thread, or the inline context), so it is handed over, unless that one speaks
    # it already (most calls: switching costs more than a short query's Python).
    if translation.get_language() == language:
        return function(*args, **kwargs)
    with translation.override(language):
        return function(*args, **kwargs)


# --- inline ---------------------------------------------------------------------------------
def _inline_context() -> contextvars.Context:
    """This thread's context for inline calls (and so its one set of connections)."""
    context = getattr(_local, "context", None)
    if context is None:
        context = _local.context = contextvars.Context()
    return context


# The update whose transaction holds the connection (see `exclusive`), and the lock that
# others queue on; `_holder` marks the holder's own context (its tasks included).
_section: dict = {"owner": None, "lock": None, "loop": None}
_holder: contextvars.ContextVar[object | None] = contextvars.ContextVar("db_holder", default=None)


def _section_lock() -> asyncio.Lock:
    """One lock per event loop: a process that runs the bot again on a new loop (a restart
    in place, `manage.py chat`, the tests) must not inherit a lock the old loop held when
    it stopped."""
    loop = asyncio.get_running_loop()
    if _section["loop"] is not loop:
        _section.update(lock=asyncio.Lock(), loop=loop, owner=None)
    return _section["lock"]


@contextlib.asynccontextmanager
async def _inline_exclusive():
    async with _section_lock():
        owner = object()
        _section["owner"] = owner
        token = _holder.set(owner)
        try:
            _inline_context().run(_check_connection)
            yield
        finally:
            _holder.reset(token)
            _section["owner"] = None


async def _run_inline(call):
    owner = _section["owner"]
    if owner is not None:
        if _holder.get() is owner:
            return _inline_context().run(call, check=False)
        # Someone else's transaction is open: wait until it ends. Nothing can take the
        # connection between the release and the call below (no await in between).
        async with _section_lock():
            pass
    return _inline_context().run(call)


# --- lanes ----------------------------------------------------------------------------------
class Lane:
    """One thread, so a lane's connection (Django's, per thread) is the lane's, and the
    calls of the update holding it run in the order it made them.

    A queue and `call_soon_threadsafe` rather than a one-thread ThreadPoolExecutor: the
    executor's futures (a concurrent one wrapped in an asyncio one, callbacks on both
    sides) cost about 1.8x the CPU of this hand-over per hop (bench/hop.py prints both),
    and an update makes several hops."""

    def __init__(self, name: str):
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while (item := self._calls.get()) is not None:
            call, future, loop = item
            try:
                outcome = (call(), None)
            except BaseException as error:  # handed to the awaiting task, whatever it is
                outcome = (None, error)
            # A closed loop (RuntimeError): nobody awaits the result any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, future, *outcome)

    def submit(self, call) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._calls.put((call, future, loop))
        return future

    def close(self) -> None:
        """Let the thread end once the calls already handed over have run."""
        self._calls.put(None)
        self._thread.join()


def _settle(future: asyncio.Future, result, error) -> None:
    if future.cancelled():  # the task went; the call ran anyway, in its turn
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


_lanes = [Lane(f"bot-orm-{number}") for number in range(THREADS)]
_lane: contextvars.ContextVar[Lane | None] = contextvars.ContextVar("db_lane", default=None)
_free: dict = {"queue": None, "loop": None}


def _free_lanes() -> asyncio.LifoQueue:
    """The lanes no update holds, per event loop (as `_section_lock`); last in, first out,
    so a quiet bot keeps using the same warm connection."""
    loop = asyncio.get_running_loop()
    if _free["loop"] is not loop:
        queue = asyncio.LifoQueue()
        for lane in _lanes:
            queue.put_nowait(lane)
        _free.update(queue=queue, loop=loop)
    return _free["queue"]


@contextlib.asynccontextmanager
async def _lane_exclusive():
    if _lane.get() is not None:  # already holding one: calls keep running there
        yield
        return
    free = _free_lanes()
    lane = await free.get()
    token = _lane.set(lane)
    try:
        yield
    finally:
        _lane.reset(token)
        free.put_nowait(lane)


async def _run_in_lane(call):
    lane = _lane.get()
    if lane is not None:
        return await lane.submit(call)
    free = _free_lanes()
    lane = await free.get()
    try:
        return await lane.submit(call)
    finally:
        free.put_nowait(lane)


# --- both -----------------------------------------------------------------------------------
def in_exclusive() -> bool:
    """This context holds the database for an update (`exclusive`)."""
    if INLINE:
        return _section["owner"] is not None and _holder.get() is _section["owner"]
    return _lane.get() is not None


def exclusive():
    """`async with exclusive():` one update's database work, its transaction included: the
    calls made in this context run on one connection that no other context uses until the
    block ends (inline: the process's; otherwise a lane's)."""
    return _inline_exclusive() if INLINE else _lane_exclusive()


async def run(function, *args, **kwargs):
    call = functools.partial(_call, translation.get_language(), function, args, kwargs)
    if INLINE:
        return await _run_inline(call)
    return await _run_in_lane(call)


def db(function):
    """`await db(service)(args...)`: the same shape as asgiref's sync_to_async."""

    @functools.wraps(function)
    async def wrapper(*args, **kwargs):
        return await run(function, *args, **kwargs)

    return wrapper


async def on_each_connection(function, timeout: float = 10) -> None:
    """Run `function` once on every thread the bot's queries run on (to close their
    connections, or to watch their queries); await it on the bot's event loop."""
    if INLINE:
        _inline_context().run(function)
        return
    await asyncio.wait_for(asyncio.gather(*(lane.submit(function) for lane in _lanes)), timeout)


# Single-thread executors of features that write off the loop (bot/features/cards.py):
# their threads' connections are the bot's too.
_own_threads: list[ThreadPoolExecutor] = []


def register_thread(executor: ThreadPoolExecutor) -> ThreadPoolExecutor:
    _own_threads.append(executor)
    return executor


async def close_connections() -> None:
    """Close the bot's connections (tests, before the test database is dropped)."""
    await on_each_connection(connections.close_all)
    loop = asyncio.get_running_loop()
    for executor in _own_threads:
        await loop.run_in_executor(executor, connections.close_all)
