"""A throw-away SQLite database, migrated, for child processes (the bot, `manage.py chat`).

Migrating takes seconds, more on a busy machine: the first database a test run asks for is
migrated by `manage.py migrate`, every later one is a copy of it (SQLite's backup API).
"""

import atexit
import contextlib
import functools
import shutil
import sqlite3
import tempfile
from pathlib import Path

from .processes import child_env, manage


def sqlite_env(path: Path, base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    """`base` (default: the test process's environment without TELEGRAM_*) on the SQLite file
    at `path`: no DATABASE_URL or DB_HOST to send the child to PostgreSQL."""
    base = child_env("TELEGRAM_") if base is None else base
    return base | {"SQLITE_PATH": str(path), "DATABASE_URL": "", "DB_HOST": ""} | extra


@functools.cache
def _migrated_template() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="tests-migrated-sqlite-"))
    atexit.register(shutil.rmtree, directory, True)
    path = directory / "template.sqlite3"
    manage(sqlite_env(path), "migrate", "--noinput", "-v0")
    return path


def migrated_sqlite(path: Path) -> Path:
    """A new SQLite database at `path` with every migration applied; returns `path`."""
    source = sqlite3.connect(_migrated_template())
    target = sqlite3.connect(path)
    with contextlib.closing(source), contextlib.closing(target):
        source.backup(target)
    return path
