"""Lanes (bot/runtime/orm.py, BOT_DB_THREADS > 0): each update's database work on a
connection of its own, so one person's slow query holds up nobody else.

The guarantees of one transaction per update in lanes too: test_each_update_once.py runs
its cases both ways (`db_mode`).
"""

import time

import pytest
from django.db import connection

from calendarapp.bot import texts
from calendarapp.bot.ui import listing

pytestmark = pytest.mark.e2e

SLOW = 2.0  # seconds Ann's query takes


def test_one_persons_slow_query_does_not_hold_up_another_persons_answer(
    lanes, bot, registered_ann, bob, monkeypatch
):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has one writer: the lanes stay one on it (orm.py)")
    listed = listing.own_listing

    def slow_listing(**kwargs):
        time.sleep(SLOW)  # on Ann's lane, inside her update's transaction
        return listed(**kwargs)

    monkeypatch.setattr(listing, "own_listing", slow_listing)
    registered_ann.send("/display_events")
    time.sleep(0.3)  # her update is in its slow query now
    started = time.monotonic()
    assert bob.ask("/help") == texts.help_text()
    assert time.monotonic() - started < SLOW / 2
    assert registered_ann.wait_for_reply().text == texts.NO_EVENTS
