"""The bench's per-step profile (bench/profile_steps.py): py-spy's stacks land in the step a
reader of `bot_throughput.py --profile` expects, so its table says where the time goes."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import profile_steps

PROCESS = 'process 8571:"/work/.venv/bin/python manage.py runbot --workers 1"'
LOOP = (
    "Application.__process_update_wrapper (telegram/ext/_application.py:1244)",
    "CalendarApplication.process_update (calendarapp/bot/application.py:99)",
    "display_events (calendarapp/bot/features/events.py:210)",
)


def stack(*frames: str) -> str:
    return ";".join((PROCESS, *LOOP, *frames))


def test_a_round_trip_under_the_orm_is_sql_and_the_query_compiler_is_orm():
    sql = stack(
        "QuerySet.count (django/db/models/query.py:600)",
        "CursorWrapper.execute (django/db/backends/utils.py:79)",
        "Cursor.execute (psycopg/cursor.py:97)",
        "wait (psycopg/waiting.py:55)",
    )
    orm = stack(
        "QuerySet.count (django/db/models/query.py:600)",
        "SQLCompiler.as_sql (django/db/models/sql/compiler.py:740)",
    )
    assert profile_steps.step_of(sql) == "SQL: psycopg (driver, round trips)"
    assert profile_steps.step_of(orm) == "ORM: building queries, models (Django)"


def test_the_long_poll_is_parsing_and_an_answer_is_sending_through_the_same_client():
    poll = ";".join(
        (
            PROCESS,
            "Updater._network_loop_retry (telegram/ext/_updater.py:700)",
            "ExtBot.get_updates (telegram/ext/_extbot.py:650)",
            "ClientResponse.read (aiohttp/client_reqrep.py:1200)",
        )
    )
    answer = stack(
        "Message.reply_text (telegram/_message.py:1800)",
        "ExtBot._post (telegram/_bot.py:700)",
        "StreamWriter.write (aiohttp/http_writer.py:200)",
    )
    assert profile_steps.step_of(poll) == "update parsing (getUpdates, de_json)"
    assert profile_steps.step_of(answer) == "sending: request encoding, HTTP (PTB, aiohttp)"


def test_own_code_translation_and_a_torn_stack_each_have_their_step():
    own = stack("render_listing (calendarapp/bot/ui/texts.py:40)")
    translated = stack("gettext (django/utils/translation/__init__.py:95)")
    torn = f"{PROCESS};#4880 · 08.01.2028 10:30 · Bench event"
    assert profile_steps.step_of(own).startswith("handlers: the bot's own Python")
    assert profile_steps.step_of(translated) == "translation (gettext, lazy texts)"
    assert profile_steps.step_of(torn) == profile_steps.TORN


def test_a_raw_file_gives_milliseconds_per_update(tmp_path):
    raw = tmp_path / "ours.raw"
    raw.write_text(
        stack("wait (psycopg/waiting.py:55)")
        + " 300\n"
        + stack("SQLCompiler.as_sql (django/db/models/sql/compiler.py:740)")
        + " 100\n"
        + stack("wait (psycopg/waiting.py:55)")
        + " 100\n",
        encoding="utf-8",
    )
    counts = profile_steps.samples_per_step(str(raw))
    # 400 samples at 200 Hz = 2 s of SQL over 1,000 updates: 2 ms an update.
    ms = profile_steps.ms_per_update(counts, updates=1000, rate=200)
    assert ms["SQL: psycopg (driver, round trips)"] == 2.0
    assert ms["ORM: building queries, models (Django)"] == 0.5
    assert sum(ms.values()) == 2.5
