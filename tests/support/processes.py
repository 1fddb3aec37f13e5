"""Child processes of the tests: `manage.py` commands, the bot, gunicorn.

`Child` reads a process's output (stdout and stderr together) line by line as it comes, so a
test can wait for a line ("Listening at", a warning) instead of sleeping, and can show the
whole output when something fails. Its waits have async twins for tests whose fake Bot API
runs in the same event loop: blocking that loop would stall the fake, and with it the bot.
"""

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

from .waiting import START, STOP

ROOT = Path(__file__).resolve().parents[2]  # the project: manage.py, bot.py


def child_env(*drop_prefixes: str, drop: Iterable[str] = (), **extra: str) -> dict[str, str]:
    """The test process's environment without the variables in `drop` or starting with one
    of `drop_prefixes`, plus `extra`."""
    # Never inherited: the bot's inline ORM sets it in this process (runtime/orm.py), and a
    # child in database lanes, as in production, must run without it.
    drop = set(drop) | {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop_prefixes) and k not in drop}
    return env | extra


def settings_free_env(**extra: str) -> dict[str, str]:
    """An environment that leaves every Django and database setting to its default (SQLite in
    the project), but for `extra`."""
    return child_env("DJANGO_", "DB_", drop={"DATABASE_URL"}, **extra)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on (for a server to bind, or to fail to reach)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _check(result: subprocess.CompletedProcess, what: str) -> subprocess.CompletedProcess:
    assert result.returncode == 0, (
        f"{what} exited with {result.returncode}:\n{result.stdout}{result.stderr}"
    )
    return result


def manage(
    env: dict[str, str], *args: str, timeout: float = START, check: bool = True, input=None
) -> subprocess.CompletedProcess:
    """`manage.py <args>` run to its end; with `check`, a failure shows its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return _check(result, f"manage.py {' '.join(args)}") if check else result


def python(env: dict[str, str], code: str, *, timeout: float = START) -> str:
    """Run `code` in a fresh interpreter with Django set up; its stdout."""
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "webapp.settings"} | env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return _check(result, "python -c").stdout


class Child:
    """A process started from `argv` in the project directory, its output read as it comes."""

    def __init__(self, argv: list[str], env: dict[str, str]):
        self.argv = argv
        self.lines: list[str] = []
        self._ended = False
        self._changed = threading.Condition()
        self.process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env | {"PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def __repr__(self) -> str:
        return f"<{' '.join(self.argv[1:3])} pid {self.pid}>"

    def __enter__(self) -> "Child":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _read(self) -> None:
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def output(self) -> str:
        with self._changed:
            return "".join(self.lines)

    def count(self, text: str) -> int:
        """How many output lines contain `text`."""
        with self._changed:
            return sum(text in line for line in self.lines)

    def poll(self) -> int | None:
        return self.process.poll()

    def wait_for(self, pattern: str, count: int = 1, timeout: float = START) -> list[re.Match]:
        """The first `count` output lines matching `pattern`, waiting for them to appear (or
        for the process to end without them)."""

        def found():
            return [m for line in self.lines if (m := re.search(pattern, line))]

        with self._changed:
            self._changed.wait_for(lambda: len(found()) >= count or self._ended, timeout=timeout)
            matches = found()
            output = "".join(self.lines)
        assert len(matches) >= count, (
            f"{self}: {len(matches)} of {count} lines matching {pattern!r} in:\n{output}"
        )
        return matches[:count]

    async def wait_for_async(self, pattern: str, count: int = 1, timeout: float = START):
        return await asyncio.to_thread(self.wait_for, pattern, count, timeout)

    def wait(self, timeout: float = STOP) -> int:
        """The exit status, once the process has ended and all its output is read."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self} still runs after {timeout:g} s:\n{self.output}") from None
        self._reader.join(5)  # a grandchild may still hold the output open
        return code

    async def wait_async(self, timeout: float = STOP) -> int:
        return await asyncio.to_thread(self.wait, timeout)

    def send_signal(self, signum: int) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signum)

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would; returns once the process is gone."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(30)
        self._reader.join(5)

    def stop(self, timeout: float = STOP) -> int:
        """SIGTERM and wait; SIGKILL if it does not stop in time. The exit status."""
        self.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.kill()
        return self.process.returncode
