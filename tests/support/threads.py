"""Several threads running one function at the same time (races on the database)."""

import threading
from collections.abc import Callable, Iterable

from django.db import connection, connections


def run_in_threads(
    target: Callable[..., object],
    *,
    count: int | None = None,
    arguments: Iterable[tuple] | None = None,
) -> None:
    """Run `target` in a thread for each tuple of `arguments` (or in `count` threads without
    arguments), all let go at once, and wait for them. Each thread connects before the
    start line (so connecting does not spread them out) and closes its connections at the
    end; the first exception a thread raised is raised here."""
    arguments = [()] * count if arguments is None else list(arguments)
    start = threading.Barrier(len(arguments))
    errors: list[BaseException] = []

    def run(*args) -> None:
        try:
            connection.ensure_connection()
            start.wait()
            target(*args)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
