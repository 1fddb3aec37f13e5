"""Waiting for a condition instead of sleeping for a guess of how long it takes.

On a busy machine everything takes longer, not differently: a test waits for what it needs
(a row, an answer, a log line) with a deadline far above the usual time, so a slow run
passes and only a broken one fails (when the deadline is over). The deadlines cost nothing
when things work: a wait ends as soon as its condition holds.
"""

import asyncio
import inspect
import time
from collections.abc import Callable

DEADLINE = 60.0  # seconds: an answer, a row, a log line (normally there in a second)
START = 180.0  # a child process starting: Django, migrations, collectstatic, a first answer
STOP = 60.0  # a child process stopping cleanly after SIGTERM


def _failure(message: str | Callable[[], str], timeout: float) -> str:
    return f"{message() if callable(message) else message} (waited {timeout:g} s)"


def wait_until(
    predicate: Callable[[], object],
    timeout: float = DEADLINE,
    *,
    interval: float = 0.02,
    message: str | Callable[[], str] = "condition not reached in time",
):
    """Call `predicate` until it returns something true, and return that. `message` (or what
    it returns, when the wait fails) says what did not happen."""
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(_failure(message, timeout))
        time.sleep(interval)
    return result


async def until(
    predicate: Callable[[], object],
    timeout: float = DEADLINE,
    *,
    interval: float = 0.05,
    message: str | Callable[[], str] = "condition not reached in time",
):
    """`wait_until` in a coroutine, sleeping without blocking the event loop. `predicate` may
    return an awaitable (a database query wrapped in `asyncio.to_thread` or `sync_to_async`)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(_failure(message, timeout))
        await asyncio.sleep(interval)
