#!/usr/bin/env python
"""Where a bot's time goes, per step: py-spy's raw stacks sorted into the steps of an update.

    .venv/bin/python bench/profile_steps.py STACKS.raw --updates 2400 [--rate 200]

`bot_throughput.py --profile DIR` records the stacks (py-spy `record --format raw`, idle
samples left out, so the event loop blocked in an inline round trip counts, a thread asleep
does not) and prints these tables itself; this script reads a file recorded by hand.

Each sample goes to the step named by its innermost frame that names one: a sample inside
psycopg called by the ORM called by a handler is a round trip ("SQL"); one in Django's query
compiler called by a handler is "ORM". Milliseconds per update = samples / rate x 1000 /
updates handled while sampled.
"""

import argparse
import asyncio
import re
import sys
from collections import Counter
from pathlib import Path

SPY = Path(sys.executable).with_name("py-spy")

# A sample inside a whole call named here (by its function) is that call's step, wherever
# it is inside it: the long poll's request and the parsing of what it brought are one step.
WHOLE: tuple[tuple[str, re.Pattern], ...] = (
    ("update parsing (getUpdates, de_json)", re.compile(r"(^|\.)(get_updates|de_json)$")),
)
# Otherwise the first match wins, tried on each frame from the innermost outwards. A rule is
# the step's name and the files it holds (paths as py-spy prints them: relative to
# site-packages or the working directory, or absolute).
RULES: tuple[tuple[str, re.Pattern], ...] = tuple(
    (name, re.compile(rf"(^|/)({files})"))
    for name, files in (
        ("SQL: psycopg (driver, round trips)", r"psycopg[^/]*/"),
        ("persistence (dialog state writes)", r"calendarapp/bot/runtime/persistence\.py"),
        ("coordination (once.py)", r"calendarapp/bot/runtime/once\.py"),
        ("translation (gettext, lazy texts)",
         r"django/utils/translation/|gettext\.py|calendarapp/bot/runtime/i18n\.py"),
        ("keyboards (building markup)", r"calendarapp/bot/ui/keyboards\.py|telegram/_inline/"),
        ("ORM: building queries, models (Django)", r"django/db/"),
        ("Django, other (settings, signals, utils, asgiref)", r"django/|asgiref/"),
        ("sending: request encoding, HTTP (PTB, aiohttp)",
         r"aiohttp/|yarl/|multidict/|telegram/request/|telegram/_bot\.py|json/"
         r"|calendarapp/bot/transport/"),
        ("python-telegram-bot dispatch (Application, handlers, conversations)", r"telegram/"),
        ("scheduled jobs (apscheduler)", r"apscheduler/"),
        ("handlers: the bot's own Python (features, selectors, services)",
         r"calendarapp/|bare_bot\.py|echo_bot\.py"),
        ("event loop, asyncio", r"asyncio/|uvloop/"),
    )
)  # fmt: skip
OTHER = "other"
# py-spy's --nonblocking reads a stack while the bot runs on: now and then the frames it
# gets are torn (a function named by some string of the bot's, no file): counted apart.
TORN = "torn stacks (read by py-spy while they changed)"
STEPS = (*(name for name, _ in WHOLE + RULES), OTHER, TORN)
FRAME = re.compile(r"^(?P<function>.*) \((?P<path>[^()]*):\d+\)$")


def step_of(stack: str) -> str:
    """The step of one sample: `stack` is py-spy's "function (path:line)" frames, outermost
    first, separated by semicolons (the first may name the process)."""
    parts = stack.split(";")
    if parts[0].startswith("process "):  # --subprocesses: the process, not a frame
        parts = parts[1:]
    frames = [m.groups() for m in map(FRAME.match, parts) if m]
    if len(frames) < len(parts):
        return TORN
    for name, pattern in WHOLE:
        if any(pattern.search(function) for function, _ in frames):
            return name
    for _, path in reversed(frames):
        for name, pattern in RULES:
            if pattern.search(path):
                return name
    return OTHER


async def start_profiler(
    pid: int, path: str, seconds: float, *, rate: int = 200, gil: bool = False
) -> asyncio.subprocess.Process:
    """py-spy on process `pid` and its children for `seconds`: raw stacks at `path`, idle
    samples left out (a loop blocked in an inline round trip counts, a thread asleep does
    not); `gil`: only the thread holding the GIL, where the CPU goes rather than the waits."""
    return await asyncio.create_subprocess_exec(
        str(SPY), "record", "-p", str(pid), "-d", str(max(1, int(seconds))), "-r", str(rate),
        "-f", "raw", "-o", path, "--nonblocking", "--subprocesses", *(["--gil"] if gil else []),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


def samples_per_step(path: str) -> Counter:
    """Samples of each step in a raw py-spy file (`stack count` per line)."""
    counts: Counter = Counter()
    with open(path, encoding="utf-8", errors="replace") as raw:
        for line in raw:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if stack and count.isdigit():
                counts[step_of(stack)] += int(count)
    return counts


def ms_per_update(counts: Counter, *, updates: int, rate: int) -> dict[str, float]:
    return {step: counts.get(step, 0) / rate * 1000 / max(updates, 1) for step in STEPS}


def print_table(columns: dict[str, dict[str, float]], ratios: tuple[str, str] | None = None):
    """One row per step, one column per side (ms per update); the last column `a/b`."""
    names = list(columns)
    header = f"{'step':<66}" + "".join(f"{n:>10}" for n in names)
    if ratios:
        header += f"{ratios[0] + '/' + ratios[1]:>12}"
    print(header)
    order = sorted(STEPS, key=lambda s: -columns[names[0]].get(s, 0.0))
    for step in [*order, "all"]:
        values = [
            sum(col.values()) if step == "all" else col.get(step, 0.0) for col in columns.values()
        ]
        row = f"{step[:65]:<66}" + "".join(f"{v:>10.3f}" for v in values)
        if ratios:
            a, b = (
                sum(columns[n].values()) if step == "all" else columns[n].get(step, 0.0)
                for n in ratios
            )
            row += f"{a / b:>11.2f}x" if b else f"{'':>12}"
        print(row)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stacks", help="py-spy record --format raw output")
    parser.add_argument("--updates", type=int, required=True, help="updates handled meanwhile")
    parser.add_argument("--rate", type=int, default=200, help="py-spy's samples per second")
    args = parser.parse_args()
    counts = samples_per_step(args.stacks)
    print_table({"ms/update": ms_per_update(counts, updates=args.updates, rate=args.rate)})
