"""Where the bot's database work runs: on the event loop's own thread, or on a thread pool.

Django's ORM is synchronous. `sync_to_async` (also behind Django's async ORM) hands every
call to one thread; the bot has its own choice, `BOT_DB_THREADS`:

- 0, the default: *inline*. Each call runs right where it is awaited, on the event loop's
  thread, over that thread's one persistent connection (CONN_MAX_AGE). A handler's database
  work is a few short indexed queries, each well under a millisecond on a nearby database;
  a hop to another thread cost far more than that under load: at 300 updates/s the hop's
  queueing and GIL hand-overs averaged 4.8 ms before and 2 ms after each call, over 20 ms of
  a 38 ms median answer (bench/bot_throughput.py with per-call timestamps), plus ~10% of the
  bot's CPU. The loop does nothing else while a query runs; the bot scales with processes
  (`runbot --workers N`), each of them one thread.
- N > 0: a pool of N threads, each with its own connection: for a database far enough away
  (tens of milliseconds a round trip) that other users should be served during each wait.
  One thread on SQLite, which serialises writers anyway.

Django refuses ORM calls on a thread with a running event loop unless
DJANGO_ALLOW_ASYNC_UNSAFE is set, to catch code that blocks the loop *by mistake*; inline,
blocking for one short query is the design, so this module sets it for the bot's process.
On such a thread Django also keeps its connections per asyncio *context* (asgiref's Local),
so each update's task could open a connection of its own; inline calls therefore all run in
one context kept per thread, as if on a thread of their own: one connection per process.
Either way, texts rendered inside a call (list pages) speak the update's language.

One update's transaction (`exclusive`, used by once.py): inline, every task shares the one
connection, so while an update has its transaction open, calls from other tasks (other
people's updates, the outbox) wait for it to end rather than join it. They wait on the
event loop, not in the database, so other updates' Python work goes on meanwhile.
"""

import asyncio
import contextlib
import contextvars
import functools
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import translation

if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    THREADS = min(settings.BOT_DB_THREADS, 1)
else:
    THREADS = settings.BOT_DB_THREADS
INLINE = THREADS == 0

if INLINE:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    _executor = None
else:
    _executor = ThreadPoolExecutor(THREADS, thread_name_prefix="bot-orm")

_local = threading.local()
CHECK_EVERY = 5.0  # seconds between connection health checks of one thread


def _check_connection() -> None:
    # Drop a connection the server closed or that outlived CONN_MAX_AGE; not on every call,
    # because with CONN_HEALTH_CHECKS each check costs a round trip to the database.
    now = time.monotonic()
    if now - getattr(_local, "checked", 0.0) > CHECK_EVERY:
        close_old_connections()
        _local.checked = now


def _call(language, function, args, kwargs, check=True):
    if check:  # never inside an update's transaction: Django would close it (see exclusive)
        _check_connection()
    # The active language lives in the caller's context; the call runs in another one (a
    # pool thread's, or the inline context), so it is handed over.
    with translation.override(language):
        return function(*args, **kwargs)


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


def in_exclusive() -> bool:
    return _section["owner"] is not None and _holder.get() is _section["owner"]


@contextlib.asynccontextmanager
async def exclusive():
    """Hold the process's connection for one update (inline only): calls made in this
    context run as usual; calls from elsewhere wait until the block ends."""
    if not INLINE:
        raise RuntimeError("exclusive() needs inline database calls (BOT_DB_THREADS=0)")
    async with _section_lock():
        owner = object()
        _section["owner"] = owner
        token = _holder.set(owner)
        try:
            _check_connection_now()
            yield
        finally:
            _holder.reset(token)
            _section["owner"] = None


def _check_connection_now() -> None:
    _inline_context().run(_check_connection)


async def run(function, *args, **kwargs):
    language = translation.get_language()
    if INLINE:
        owner = _section["owner"]
        if owner is not None:
            if _holder.get() is owner:
                return _inline_context().run(_call, language, function, args, kwargs, False)
            # Someone else's transaction is open: wait until it ends. Nothing can take the
            # connection between the release and the call below (no await in between).
            async with _section_lock():
                pass
        return _inline_context().run(_call, language, function, args, kwargs)
    loop = asyncio.get_running_loop()
    call = functools.partial(_call, language, function, args, kwargs)
    return await loop.run_in_executor(_executor, call)


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
    barrier = threading.Barrier(THREADS)

    def run_once():
        function()
        barrier.wait(timeout)

    await asyncio.to_thread(wait, [_executor.submit(run_once) for _ in range(THREADS)], timeout)


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
