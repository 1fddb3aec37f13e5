"""People writing to the replicas: scripted dialogs, sent at a fixed rate through the fake
Bot API, their answers checked against the script (tests/e2e/test_replicas.py and
bench/replicas.py; the replicas themselves are devtools.replica_fleet's)."""

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from django.utils import translation

from calendarapp.bot import texts

REMINDER_MARK = "🔔"


@dataclass
class Step:
    text: str  # what the person sends
    expect: Callable[[str], bool]  # does the bot's answer fit?


def event_dialog(name: str, starts: dt.datetime, *, register: bool) -> list[Step]:
    """/register (once), then the whole /create_event dialog for an event at `starts`."""

    def ru(text) -> str:
        with translation.override("ru"):
            return str(text)

    steps = [Step("/register", lambda a: "зарегистрированы" in a)] if register else []
    return [
        *steps,
        Step("/create_event", lambda a: a == ru(texts.ASK_NAME)),
        Step(name, lambda a: a == ru(texts.ASK_DATE)),
        Step(starts.date().isoformat(), lambda a: a.endswith(ru(texts.ASK_TIME))),
        Step(starts.strftime("%H:%M"), lambda a: a == ru(texts.ASK_DETAILS)),
        Step("-", lambda a: "Событие создано" in a and name in a),
    ]


@dataclass
class Load:
    """People following their scripts, the fake Bot API sending for them at `rate` updates
    per second overall, one step of everyone after another (open loop: a person's next
    message does not wait for the answer; the fake keeps one person's updates in order)."""

    fake: object
    scripts: dict[int, list[Step]]  # Telegram id -> steps
    rate: float
    sent_at: dict[int, list[float]] = field(default_factory=dict)
    answered_at: dict[int, list[float]] = field(default_factory=dict)
    answers: dict[int, list[str]] = field(default_factory=dict)
    reminders: dict[int, list[str]] = field(default_factory=dict)

    def __post_init__(self):
        for tg_id in self.scripts:
            self.fake.user(tg_id, f"User{tg_id}", f"user{tg_id}")
            self.sent_at[tg_id], self.answered_at[tg_id] = [], []
            self.answers[tg_id], self.reminders[tg_id] = [], []
        self.fake.watchers.append(self._seen)

    def _seen(self, activity) -> None:
        if activity.chat_id not in self.scripts or activity.kind != "send":
            return
        if activity.text.startswith(REMINDER_MARK):
            self.reminders[activity.chat_id].append(str(activity.text))
            return
        self.answers[activity.chat_id].append(str(activity.text))
        self.answered_at[activity.chat_id].append(activity.at)

    @property
    def total(self) -> int:
        return sum(len(steps) for steps in self.scripts.values())

    def sent(self) -> int:
        return sum(len(times) for times in self.sent_at.values())

    async def send_all(self, after_each: Callable[[int], Awaitable[None]] | None = None) -> None:
        loop = asyncio.get_running_loop()
        start, count = loop.time(), 0
        longest = max(len(steps) for steps in self.scripts.values())
        for index in range(longest):
            for tg_id, steps in self.scripts.items():
                if index >= len(steps):
                    continue
                delay = start + count / self.rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                self.sent_at[tg_id].append(time.monotonic())
                self.fake.send_text(self.fake.users[tg_id], steps[index].text)
                count += 1
                if after_each is not None:
                    await after_each(count)

    def done(self, reminders_each: int = 0, *, answers: bool = True) -> bool:
        return all(
            (not answers or len(self.answers[tg_id]) >= len(steps))
            and len(self.reminders[tg_id]) >= reminders_each
            for tg_id, steps in self.scripts.items()
        )

    async def wait_done(
        self, timeout: float, reminders_each: int = 0, *, answers: bool = True
    ) -> None:
        deadline = time.monotonic() + timeout
        while not self.done(reminders_each, answers=answers):
            if time.monotonic() > deadline:
                missing = {
                    tg_id: (len(self.answers[tg_id]), len(steps), len(self.reminders[tg_id]))
                    for tg_id, steps in self.scripts.items()
                    if len(self.answers[tg_id]) < len(steps)
                    or len(self.reminders[tg_id]) < reminders_each
                }
                raise TimeoutError(f"(answers, steps, reminders) still missing: {missing}")
            await asyncio.sleep(0.05)

    async def wait_settled(self, timeout: float, quiet: float = 2.0) -> None:
        """Until every answer came, or every update was delivered (2xx) and nothing more
        arrived for `quiet` seconds (an answer lost in a crash never comes)."""
        deadline = time.monotonic() + timeout
        seen, last_change = -1, time.monotonic()
        while not self.done():
            now = time.monotonic()
            count = sum(len(a) for a in self.answers.values())
            if count != seen:
                seen, last_change = count, now
            delivered = set(self.fake.delivered) >= set(self.fake.sent_updates)
            if delivered and now - last_change > quiet:
                return
            if now > deadline:
                raise TimeoutError("updates still undelivered or answers still coming")
            await asyncio.sleep(0.05)

    def out_of_script(self) -> dict[int, list[tuple[str, str]]]:
        """Per person, the answers that do not fit the script: with every answer there,
        the n-th must fit the n-th step (a reply twice or out of order does not); with some
        missing (lost in a crash, see `missing`), each must fit a later step than the one
        before it; more answers than steps are always wrong."""
        wrong = {}
        for tg_id, steps in self.scripts.items():
            answers = self.answers[tg_id]
            if len(answers) >= len(steps):
                bad = [
                    (st.text, a) for st, a in zip(steps, answers, strict=False) if not st.expect(a)
                ]
                bad += [("(nothing)", a) for a in answers[len(steps) :]]
            else:
                position, bad = 0, []
                for answer in answers:
                    while position < len(steps) and not steps[position].expect(answer):
                        position += 1
                    if position == len(steps):
                        bad.append(("(no step left)", answer))
                    else:
                        position += 1
            if bad:
                wrong[tg_id] = bad
        return wrong

    def missing(self) -> int:
        """Steps without an answer."""
        return sum(
            max(0, len(steps) - len(self.answers[tg_id])) for tg_id, steps in self.scripts.items()
        )

    def latencies(self) -> list[float]:
        """Seconds from each message sent to its answer (the n-th answer is the n-th step's)."""
        return [
            answered - sent
            for tg_id in self.scripts
            for sent, answered in zip(self.sent_at[tg_id], self.answered_at[tg_id], strict=False)
        ]
