"""The bot's database section across event loops: a bot run again in the same process (the
tests, `manage.py chat`, a restart in place) must not inherit a lock its old loop held."""

import asyncio

import pytest

from calendarapp.bot.runtime import orm

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_event_loop_does_not_inherit_the_old_loops_lock():
    async def stopped_while_holding_it():
        await orm._section_lock().acquire()  # the old bot stopped in the middle of an update

    asyncio.run(stopped_while_holding_it())

    async def next_bot():
        async with orm.exclusive():
            return orm.in_exclusive()

    assert asyncio.run(asyncio.wait_for(next_bot(), timeout=5)) is True
