"""Several threads running one function at the same time (races on the database)."""

import threading
from collections.abc import Callable


def run_in_threads(target: Callable[[], object], count: int) -> None:
    """Start `count` threads running `target`, then wait for all of them."""
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
