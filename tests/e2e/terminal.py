"""`manage.py chat` on a pseudo-terminal, and the screen a person would see.

`Screen` replays what the program wrote the way a terminal does for the few controls line
editing uses (carriage return, newline, backspace, clear to the end of the line, cursor left
and right), so a test reads lines as they look, not the raw stream.
"""

import codecs
import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

CSI = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z@])")
OTHER_ESCAPE = re.compile(r"\x1b[()][0-9A-Za-z]|\x1b[=>]")
COLUMNS = 300


class Screen:
    def __init__(self):
        self.lines = [""]
        self.row = self.col = 0

    def _put(self, char: str) -> None:
        line = self.lines[self.row].ljust(self.col)
        self.lines[self.row] = line[: self.col] + char + line[self.col + 1 :]
        self.col += 1

    def feed(self, text: str) -> None:
        at = 0
        while at < len(text):
            char = text[at]
            if char == "\x1b":
                match = CSI.match(text, at) or OTHER_ESCAPE.match(text, at)
                if match is None:
                    at += 1
                    continue
                if match.re is CSI:
                    self._control(match[1], match[2])
                at = match.end()
                continue
            if char == "\r":
                self.col = 0
            elif char == "\n":
                self.row += 1
                if self.row == len(self.lines):
                    self.lines.append("")
            elif char == "\b":
                self.col = max(0, self.col - 1)
            elif char.isprintable():
                self._put(char)
            at += 1

    def _control(self, arguments: str, command: str) -> None:
        count = int(arguments) if arguments.isdecimal() else 1
        if command == "K":
            self.lines[self.row] = self.lines[self.row][: self.col]
        elif command == "C":
            self.col += count
        elif command == "D":
            self.col = max(0, self.col - count)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def snapshot(self) -> "Screen":
        copy = Screen()
        copy.lines = [line.rstrip() for line in self.lines]
        while len(copy.lines) > 1 and not copy.lines[-1]:
            copy.lines.pop()
        return copy


class ConsoleOnTerminal:
    """Runs `manage.py chat ARGS` with a pseudo-terminal as its stdin, stdout and stderr."""

    def __init__(self, root: Path, args: list[str], env: dict[str, str], prompt: str = "вы: "):
        self.root, self.args, self.env, self.prompt = root, args, env, prompt
        self.screen = Screen()
        self._lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.returncode: int | None = None

    def __enter__(self) -> "ConsoleOnTerminal":
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 60, COLUMNS, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "chat", *self.args],
            cwd=self.root,
            env=self.env | {"TERM": "xterm", "COLUMNS": str(COLUMNS)},
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # the program closed the terminal
                return
            if not chunk:
                return
            with self._lock:
                self.screen.feed(decoder.decode(chunk))

    def look(self) -> Screen:
        with self._lock:
            return self.screen.snapshot()

    def wait_for(self, text: str, timeout: float = 30) -> Screen:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.look()
            if text in screen.text:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never showed; the screen:\n{self.look().text}")

    def prompts(self) -> int:
        return sum(line.startswith(self.prompt.rstrip()) for line in self.look().lines)

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def type_line(self, line: str, expect: str = "", timeout: float = 30) -> Screen:
        """Type a line and Enter; wait until the answer is in and the next prompt shows."""
        before = self.prompts()
        self.type(line + "\r")
        deadline = time.monotonic() + timeout
        while self.prompts() <= before or (expect and expect not in self.look().text):
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer to {line!r}; the screen:\n{self.look().text}")
            time.sleep(0.05)
        return self.look()

    def quit(self, timeout: float = 30) -> None:
        self.type(":quit\r")
        self.returncode = self.process.wait(timeout)

    def __exit__(self, *exc_info) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.returncode = self.process.returncode if self.returncode is None else self.returncode
        os.close(self.master)
        self._reader.join(5)
