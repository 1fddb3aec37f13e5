"""Several threads running one function at the same time (races on the database)."""

import threading
from collections.abc import Callable, Iterable


def run_in_threads(
    target: Callable[..., object],
    *,
    count: int | None = None,
    arguments: Iterable[tuple] | None = None,
) -> None:
    """Start a thread running `target` for each tuple of `arguments` (or `count` threads
    without arguments), then wait for all of them."""
    if arguments is None:
        arguments = [()] * count
    threads = [threading.Thread(target=target, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
