"""The bot's dialog-state writes (hand-written upserts in bot/runtime/persistence.py)."""

import asyncio

import pytest
from django.db import DatabaseError

from calendarapp.bot.runtime import orm
from calendarapp.bot.runtime.persistence import DjangoPersistence, _upsert
from calendarapp.models import BotDataEntry, ConversationState

pytestmark = pytest.mark.django_db


def test_upsert_inserts_then_replaces_one_row_with_json_as_the_orm_reads_it():
    draft = {"draft": {"name": "Концерт «Весна»", "date": "2030-01-15"}, "markup": None}
    _upsert(BotDataEntry, ("scope", "key"), scope=BotDataEntry.Scope.USER, key=5001, data=draft)
    _upsert(ConversationState, ("conversation", "key"), conversation="c", key="[5001]", state="A")
    first = ConversationState.objects.get(conversation="c", key="[5001]")

    _upsert(ConversationState, ("conversation", "key"), conversation="c", key="[5001]", state="B")
    _upsert(BotDataEntry, ("scope", "key"), scope=BotDataEntry.Scope.USER, key=5001, data={})

    state = ConversationState.objects.get(conversation="c", key="[5001]")
    assert (state.pk, state.state) == (first.pk, "B")
    assert state.updated_at >= first.updated_at
    assert ConversationState.objects.count() == 1
    assert BotDataEntry.objects.get(scope="user", key=5001).data == {}


def test_upsert_keeps_unicode_and_nesting():
    draft = {"draft": {"name": "Концерт «Весна»", "tags": [1, "два"]}, "markup": None}
    _upsert(BotDataEntry, ("scope", "key"), scope=BotDataEntry.Scope.USER, key=7, data=draft)
    assert BotDataEntry.objects.get(scope="user", key=7).data == draft


def test_a_dialog_steps_state_and_draft_are_written_together_or_not_at_all(transactional_db):
    """write_pending sends a step's writes as one statement (PostgreSQL) or one transaction
    (SQLite): a failure leaves neither the new state nor the draft, never one without the
    other; and a later run writes them again."""
    persistence = DjangoPersistence()

    async def step(user_id):
        await persistence.update_conversation("create_event", (5001, 5001), "WAIT_DATE")
        await persistence.update_user_data(user_id, {"draft": {"name": "Party"}})
        await persistence.write_pending()

    with pytest.raises((DatabaseError, OverflowError)):  # PostgreSQL, SQLite
        asyncio.run(step(2**70))  # no such BIGINT: the draft's write fails
    assert not ConversationState.objects.exists()
    assert not BotDataEntry.objects.exists()

    asyncio.run(step(5001))
    assert ConversationState.objects.get().state == "WAIT_DATE"
    assert BotDataEntry.objects.get().data == {"draft": {"name": "Party"}}
    asyncio.run(orm.close_connections())
