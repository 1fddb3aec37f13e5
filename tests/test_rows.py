"""selectors/rows.py: a row by primary key from a statement compiled once, the same as
the ORM's own lookup would give."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendarapp.models import BotDataEntry, TgUser
from calendarapp.selectors.rows import by_primary_key
from calendarapp.selectors.users import get_user

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {k: v for k, v in instance.__dict__.items() if k != "_state"}


def test_a_row_is_what_the_orm_reads_dates_and_json_included():
    ann = TgUser.objects.create(
        tg_id=5001, first_name="Ann", timezone="Asia/Tokyo", bot_started_at=dt.datetime.now(dt.UTC)
    )
    entry = BotDataEntry.objects.create(scope="user", key=5001, data={"name": "Party", "n": [1]})
    for model, pk in ((TgUser, ann.pk), (BotDataEntry, entry.pk)):
        read = by_primary_key(model, pk)
        orm = model.objects.get(pk=pk)
        assert _fields(read) == _fields(orm)
        assert read._state.adding is False and read._state.db == orm._state.db
    user = get_user(ann.pk)
    assert user.bot_started_at.tzinfo is not None  # an aware datetime, on SQLite too
    user.first_name = "Anna"
    user.save(update_fields=["first_name"])  # an instance the ORM can save as its own
    assert TgUser.objects.get(pk=ann.pk).first_name == "Anna"


def test_one_statement_a_call_and_none_for_a_missing_or_impossible_key():
    TgUser.objects.create(tg_id=5001, first_name="Ann")
    by_primary_key(TgUser, 5001)  # compiled here
    with CaptureQueriesContext(connection) as queries:
        assert by_primary_key(TgUser, 5001).first_name == "Ann"
        assert by_primary_key(TgUser, "5001").tg_id == 5001
        assert by_primary_key(TgUser, 5002) is None
    assert len(queries) == 3
    # A forged huge id: no such row, as the ORM says, not a database error.
    assert get_user(2**70) is None
    assert TgUser.objects.filter(pk=2**70).first() is None
