"""The bot's dialog-state writes (hand-written upserts in calendarapp/bot/persistence.py)."""

import pytest

from calendarapp.bot.persistence import _upsert
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
