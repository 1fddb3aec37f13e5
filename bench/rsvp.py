#!/usr/bin/env python
"""RSVP on one card: N people pressing «Иду» / «Может быть» / «Не иду» at R presses/s.

The real bot runs as its own process (`manage.py runbot`, as in production; `--in-process`
runs it in this one, as the end-to-end tests do) against the fake Bot API hosted here, on
PostgreSQL. One organiser posts one card by inline mode; then each
person presses once, the answers spread over the three buttons (`--capacity N`: the
event has N seats, so the «Иду» beyond them wait in line). Printed: the press's
answer time (press injected → the bot's answerCallbackQuery reached the fake), p50 and
p95; whether the card's final counts (seated and waiting) are exact; how many edits the
card got and the shortest gap between two of them (CARD_EDIT_INTERVAL is the promise).
`--timeline` also prints the answer times per quarter of a second and when the card was
edited: where a run fell behind, and for how long.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cal_bench \\
        .venv/bin/python bench/rsvp.py --people 5000 --rate 200

Creates `<name>_rsvp` next to the database in DATABASE_URL and drops it at the end.
Telegram's overall flood limit (30 requests/s in python-telegram-bot's limiter) is off, as
in bench/bot_throughput.py: it would measure the limiter, not the bot.
"""

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import time

from _common import ROOT, bench_database, django_on, drop_database, record
from profile_steps import start_profiler

from calendarapp.devtools.procfs import process_cpu, thread_cpu, tree_cpu

BENCH = "rsvp"
BASE_ID = 30_000_000
LABELS = ("✅ Иду", "🤔 Может быть", "❌ Не иду")


async def start_runbot(fake, workers: int = 1):
    """`manage.py runbot` polling this script's fake Bot API (as bench/bot_throughput.py);
    `workers` > 1: its polling front and that many workers, people routed by id."""
    env = os.environ | {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_OVERALL_MAX_RATE": "0",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "manage.py",
        "runbot",
        *(["--workers", str(workers)] if workers > 1 else []),
        cwd=ROOT,
        env=env,
    )
    probe = fake.user(BASE_ID - 1, "Probe")
    mark = fake.cursor(probe.id)
    fake.send_text(probe, "/help")
    await fake.wait_for_activity(probe.id, mark, timeout=60)
    return process


def database_counts(event_id: int) -> dict[str, int]:
    """The answers as the database holds them (the card may show them late, never wrong)."""
    from django.db.models import Count

    from calendarapp.models import Rsvp

    rows = Rsvp.objects.filter(event_id=event_id).values_list("answer").annotate(n=Count("id"))
    return dict(rows.order_by())


def card_row(event_id: int) -> dict:
    from calendarapp.models import EventCard

    return EventCard.objects.filter(event_id=event_id).values("dirty", "next_edit_at", "edits")[0]


def print_timeline(pressed: dict, answered: dict, started: float, edits: list) -> None:
    """Median/max answer time of the presses sent in each quarter of a second: a run whose
    p95 is off shows when the bot fell behind and how long it took to catch up."""
    quarters: dict[int, list[float]] = {}
    for uid, at in pressed.items():
        quarters.setdefault(int(4 * (at - started)), []).append((answered[uid] - at) * 1000)
    print(
        "answer ms by the quarter second sent (s: median/max): "
        + " ".join(
            f"{q / 4:g}:{statistics.median(v):.0f}/{max(v):.0f}"
            for q, v in sorted(quarters.items())
        )
    )
    print("card edited at s: " + " ".join(f"{at - started:.2f}" for at in edits))


async def run(
    people: int,
    rate: float,
    separate: bool,
    capacity: int | None = None,
    profile: str | None = None,
    workers: int = 1,
    timeline: bool = False,
) -> None:
    import datetime as dt

    from asgiref.sync import sync_to_async
    from django.conf import settings
    from django.utils import timezone

    from calendarapp.bot.runtime import orm
    from calendarapp.devtools.session import BotSession
    from calendarapp.models import Rsvp
    from calendarapp.services.events import create_event
    from calendarapp.services.rsvp import set_capacity
    from calendarapp.services.users import TelegramProfile, register_user

    def organiser_and_event():
        owner, _ = register_user(TelegramProfile(tg_id=BASE_ID, first_name="Org"))
        concert = create_event(
            owner_tg_id=owner.pk,
            name="Concert",
            date=timezone.localdate() + dt.timedelta(days=30),
            time=dt.time(19),
        )
        if capacity:  # every «Иду» then takes the event's row lock and counts seats
            set_capacity(organizer_tg_id=owner.pk, event_id=concert.pk, capacity=capacity)
        return owner, concert

    # Off this loop: with the bot's database calls in lanes (BOT_DB_THREADS > 0) Django
    # refuses ORM calls from a running event loop, as it should.
    owner, concert = await sync_to_async(organiser_and_event)()
    session = BotSession(rate_limiter=False)
    process = None
    if separate:  # the bot in a process of its own, as in production
        await session.fake.start()
        process = await start_runbot(session.fake, workers)
    else:
        await session.start()
    fake = session.fake
    try:
        organiser = fake.user(owner.pk, "Org")
        query = fake.inline_query(organiser, "")
        answer = await fake.wait_inline_answer(query, 30)
        card = fake.choose_inline_result(organiser, query, answer["results"][0]["id"])
        buttons = {b["text"]: b["callback_data"] for b in fake.inline_messages[card].buttons()}
        answered: dict[int, float] = {}
        fake.watchers.append(
            lambda activity: (
                answered.setdefault(activity.chat_id, activity.at)
                if activity.kind == "answer"
                else None
            )
        )
        pressed: dict[int, float] = {}
        spy = None
        if profile and process is not None:
            spy = await start_profiler(process.pid, profile, people / rate, gil=True)
        bot_pid = process.pid if process else os.getpid()
        # With workers, the front's CPU and theirs; the threads are the front's (or the bot's).
        bot_cpu = tree_cpu if workers > 1 else process_cpu
        cpu_before = bot_cpu(bot_pid)
        threads_before = thread_cpu(bot_pid)
        started = time.monotonic()
        for n in range(people):
            due = started + n / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            person = fake.user(BASE_ID + 1 + n, f"P{n}")
            pressed[person.id] = time.monotonic()
            fake.press_inline(person, card, buttons[LABELS[n % 3]])
        expected = [len(range(k, people, 3)) for k in range(3)]
        seated = min(expected[0], capacity or expected[0])
        waiting = expected[0] - seated
        wanted = [f"Идут: {seated}", f"Может быть: {expected[1]}", f"Не идут: {expected[2]}"]
        wanted += [f"В листе ожидания: {waiting}"] if waiting else []
        deadline = time.monotonic() + 60 + settings.CARD_EDIT_INTERVAL
        while not (
            len(answered) >= people and all(w in fake.inline_messages[card].text for w in wanted)
        ):
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"not settled: {len(answered)} answers; {fake.inline_messages[card].text!r}"
                    f"; database: {await sync_to_async(database_counts)(concert.pk)}"
                    f"; card: {await sync_to_async(card_row)(concert.pk)}"
                )
            await asyncio.sleep(0.05)
        seconds = time.monotonic() - started
        cpu = bot_cpu(bot_pid) - cpu_before
        threads = {
            name: used - threads_before.get(name, 0.0)
            for name, used in thread_cpu(bot_pid).items()
            if used - threads_before.get(name, 0.0) >= 0.05
        }
        if spy is not None:
            await spy.wait()
        stored = await sync_to_async(database_counts)(concert.pk)
        expected_rows = {
            Rsvp.Answer.GOING: seated,
            Rsvp.Answer.WAITING: waiting,
            Rsvp.Answer.MAYBE: expected[1],
            Rsvp.Answer.NOT_GOING: expected[2],
        }
        if stored != {answer: n for answer, n in expected_rows.items() if n}:
            raise SystemExit(f"counts wrong in the database: {stored}, expected {expected_rows}")
        latencies = sorted((answered[uid] - at) * 1000 for uid, at in pressed.items())
        edits = [at for edited, at in fake.inline_edits if edited == card]
        if timeline:
            print_timeline(pressed, answered, started, edits)
        p50 = statistics.median(latencies)
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        gaps = [b - a for a, b in itertools.pairwise(edits)]
        shortest = min(gaps) if gaps else float("nan")
        bot = "in process"
        if separate:
            bot = "runbot" + (f" --workers {workers}" if workers > 1 else "")
        print(f"people {people}, {rate:.0f} presses/s, bot {bot}, settled in {seconds:.1f} s")
        print(f"answer time: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms")
        print(
            f"bot CPU: {cpu * 1000 / people:.2f} ms per press ({cpu:.1f} s in all; by thread: "
            + ", ".join(f"{name} {used:.1f} s" for name, used in sorted(threads.items()))
            + ")"
        )
        print(
            f"counts exact on the card and in the database: yes (going {seated}, "
            f"waiting {waiting}, maybe {expected[1]}, "
            f"not going {expected[2]}; capacity {capacity or 'none'})"
        )
        print(
            f"card edits: {len(edits)} in {seconds:.1f} s, shortest gap {shortest:.2f} s "
            f"(CARD_EDIT_INTERVAL {settings.CARD_EDIT_INTERVAL} s); "
            f"refused by Telegram: {dict(fake.inline_refusals)}"
        )
        record(
            BENCH,
            f"{people:,} people at {rate:.0f}/s"
            + (f", {workers} workers" if workers > 1 else "")
            + ": press answer p95",
            round(p95, 1),
            "ms",
            "< 100",
        )
        record(BENCH, "card edits", len(edits), "", f"≤ 1 per {settings.CARD_EDIT_INTERVAL:g} s")
    finally:
        if process is not None:
            process.terminate()
            await fake.release_polls()
            await process.wait()
        await session.close()
        await orm.close_connections()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument(
        "--capacity", type=int, default=None, help="seats for «Иду» (default: no limit)"
    )
    parser.add_argument(
        "--profile", metavar="FILE", help="py-spy the runbot during the presses (raw stacks)"
    )
    parser.add_argument(
        "--in-process", action="store_true", help="run the bot in this process, not runbot"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="runbot --workers N (a polling front, N workers)"
    )
    parser.add_argument(
        "--timeline",
        action="store_true",
        help="the answer times per quarter of a second, and when the card was edited",
    )
    args = parser.parse_args()
    url = bench_database("rsvp")
    try:
        django_on(url)
        asyncio.run(
            run(
                args.people,
                args.rate,
                not args.in_process,
                args.capacity,
                args.profile,
                args.workers,
                args.timeline,
            )
        )
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(url)


if __name__ == "__main__":
    main()
