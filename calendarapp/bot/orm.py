"""Database work of the bot, off the event loop, several queries at a time.

`sync_to_async` (thread_sensitive=True, also behind Django's async ORM) funnels every query
of every user through one thread; under load that thread becomes the bottleneck. This pool
runs ORM calls on a few threads (one on SQLite), each keeping its own persistent
connection (CONN_MAX_AGE).
"""

import asyncio
import functools
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import translation

# SQLite serialises writers anyway, and threads writing to it in turn saw each other's rows
# late in tests (shared-cache memory database): one thread there, a few on PostgreSQL.
WORKERS = 1 if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") else 4
_executor = ThreadPoolExecutor(WORKERS, thread_name_prefix="bot-orm")


_local = threading.local()
CHECK_EVERY = 5.0  # seconds between connection health checks of one thread


def _call(language, function, args, kwargs):
    # Drop a connection the server closed or that outlived CONN_MAX_AGE; not on every call,
    # because with CONN_HEALTH_CHECKS each check costs a round trip to the database.
    now = time.monotonic()
    if now - getattr(_local, "checked", 0.0) > CHECK_EVERY:
        close_old_connections()
        _local.checked = now
    # Texts rendered here (list pages) speak the update's language. asgiref's Local keeps
    # the active language per context *and thread*, so it does not cross into the pool.
    with translation.override(language):
        return function(*args, **kwargs)


async def run(function, *args, **kwargs):
    loop = asyncio.get_running_loop()
    call = functools.partial(_call, translation.get_language(), function, args, kwargs)
    return await loop.run_in_executor(_executor, call)


def db(function):
    """`await db(service)(args...)`: the same shape as asgiref's sync_to_async."""

    @functools.wraps(function)
    async def wrapper(*args, **kwargs):
        return await run(function, *args, **kwargs)

    return wrapper


def on_each_thread(function, timeout: float = 10) -> None:
    """Run `function` once on every pool thread (a barrier makes each thread take one)."""
    barrier = threading.Barrier(WORKERS)

    def run_once():
        function()
        barrier.wait(timeout)

    wait([_executor.submit(run_once) for _ in range(WORKERS)], timeout)


def close_connections() -> None:
    """Close the pool threads' connections (tests, before the test database is dropped)."""
    on_each_thread(connections.close_all)
