"""The terminal of `manage.py chat`: lines are read at a prompt while the bot keeps writing.

Reading blocks, so `input()` runs on a daemon thread (a person who leaves with Ctrl-C is not
kept waiting for it); the event loop meanwhile prints whatever arrives. A line printed while
the prompt is shown goes above it: on a terminal the prompt line is cleared, the text
written, and the prompt drawn again with what was typed so far (readline's buffer), so
reminders and invitations show at once without mangling the half-typed line. Without a
terminal (a pipe, a test) the text starts on a new line and the typed lines are echoed, so
the output reads as a transcript.
"""

import asyncio
import contextlib
import logging
import sys
import threading

try:  # absent on Windows; input() then works without line editing
    import readline
except ImportError:  # pragma: no cover - not on the machines this runs on
    readline = None

try:
    import termios
except ImportError:  # pragma: no cover
    termios = None

CLEAR_LINE = "\r\x1b[K"


class Terminal:
    def __init__(self, stdin=None, stdout=None):
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.tty = self.stdin.isatty() and self.stdout.isatty()
        self.echo = not self.stdin.isatty()
        self._lock = threading.RLock()
        self._prompt = ""  # the prompt on screen now; "" while no line is being read
        self._pending_prompt = ""  # the prompt of the line being read, once it is drawn
        self._saved = None
        if self.tty and termios is not None:
            with contextlib.suppress(termios.error):
                self._saved = termios.tcgetattr(self.stdin.fileno())
        # With readline the prompt counts as shown once readline has drawn it (its hook);
        # without it, from when input() is called.
        self._hooked = self.tty and hasattr(readline, "set_pre_input_hook")
        if self._hooked:
            readline.set_pre_input_hook(self._prompt_drawn)

    def _prompt_drawn(self) -> None:
        with self._lock:
            self._prompt = self._pending_prompt

    def _typed(self) -> str:
        if self._hooked:
            return readline.get_line_buffer()
        return ""

    def say(self, text: str) -> None:
        """Print `text` (one or more lines) above the prompt, from any thread."""
        with self._lock:
            out = self.stdout
            if self._prompt:
                out.write(CLEAR_LINE if self.tty else "\n")
            out.write(text.rstrip("\n") + "\n")
            if self._prompt:
                out.write(self._prompt + self._typed())
            out.flush()

    async def read(self, prompt: str) -> str | None:
        """The next line typed at `prompt`; None at the end of input (Ctrl-D)."""
        loop = asyncio.get_running_loop()
        answer = loop.create_future()

        def deliver(line: str | None) -> None:
            if not answer.done():
                answer.set_result(line)

        def read_line() -> None:
            with self._lock:
                self._pending_prompt = prompt
                if not self._hooked:
                    self._prompt = prompt
            try:
                line = input(prompt)
            except (EOFError, UnicodeDecodeError, OSError):
                line = None
            with self._lock:
                self._prompt = self._pending_prompt = ""
                if self.echo:
                    self.stdout.write((line if line is not None else "") + "\n")
                    self.stdout.flush()
            loop.call_soon_threadsafe(deliver, line)

        threading.Thread(target=read_line, name="chat-input", daemon=True).start()
        return await answer

    def restore(self) -> None:
        """Leave the terminal as it was (readline may be cut off mid-line by Ctrl-C)."""
        with self._lock:
            if self._prompt and self.tty:
                self.stdout.write("\n")
            self._prompt = ""
            self.stdout.flush()
        if self._saved is not None:
            with contextlib.suppress(termios.error):
                termios.tcsetattr(self.stdin.fileno(), termios.TCSADRAIN, self._saved)


class TerminalLogHandler(logging.Handler):
    """Log records printed above the prompt (`--verbose`)."""

    def __init__(self, terminal: Terminal):
        super().__init__()
        self.terminal = terminal

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.terminal.say(self.format(record))
        except Exception:  # logging must never break the console
            self.handleError(record)


def route_logging(terminal: Terminal, *, path: str, verbose: bool) -> None:
    """Logs go to the file at `path`, never onto the prompt; with `verbose` also above it."""
    root = logging.getLogger()
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    handlers = [logging.FileHandler(path, encoding="utf-8")]
    if verbose:
        handlers.append(TerminalLogHandler(terminal))
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    logging.captureWarnings(True)
