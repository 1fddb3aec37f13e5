"""What one simple update costs the database, bookkeeping included: every statement the
bot sends for it (the update's own claim in runtime/once.py, the profile, the handler's
queries, the dialog-state write). A change that adds a round trip to every update shows
here as a failing count, not only as a slower bench."""

import pytest
from django.db import connection

from calendarapp.bot.runtime import orm

pytestmark = pytest.mark.e2e

# Today's counts: the ceiling, not a target. On PostgreSQL (polling: one process per
# person) the update's id goes in with its last write, so an update whose handlers send
# nothing is that one statement (and then no BEGIN/COMMIT either); SQLite's transaction
# adds its savepoint statements.
BUDGET = {
    "postgresql": {
        "/start": 4,
        "/display_events": 2,
        "/create_event": 1,
        "dialog step (the name)": 1,
        "/cancel": 1,
        "dialog step (the date)": 1,
        "dialog step (the time)": 1,
        # The owner read again, the event, its reminder, two counters, and the state with
        # the id and the COMMIT: no savepoint, nothing read back that was just written.
        "the last step (creates the event)": 6,
    },
    "sqlite": {
        "/start": 5,
        "/display_events": 3,
        "/create_event": 6,
        "dialog step (the name)": 6,
        "/cancel": 6,
        "dialog step (the date)": 6,
        "dialog step (the time)": 6,
        "the last step (creates the event)": 11,
    },
}


def test_statements_per_simple_update_stay_within_todays_counts(bot, registered_ann, next_year):
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    registered_ann.ask("/help")  # the profile is read once, then remembered (profiles.py)
    bot.run(orm.on_each_connection(lambda: connection.execute_wrappers.append(count)))
    spent = {}
    try:
        for label, text in (
            ("/start", "/start"),
            ("/display_events", "/display_events"),
            ("/create_event", "/create_event"),
            ("dialog step (the name)", "Party"),
            ("/cancel", "/cancel"),
            ("/create_event", "/create_event"),
            ("dialog step (the name)", "Party"),
            ("dialog step (the date)", next_year.isoformat()),
            ("dialog step (the time)", "18:30"),
            ("the last step (creates the event)", "-"),
        ):
            statements.clear()
            assert registered_ann.ask(text)
            spent[label] = max(spent.get(label, 0), len(statements))
    finally:
        bot.run(orm.on_each_connection(lambda: connection.execute_wrappers.remove(count)))
    budget = BUDGET[connection.vendor]
    over = {label: n for label, n in spent.items() if n > budget[label]}
    assert not over, f"more statements than today's {budget}: {spent}"
