"""Each update once (bot/runtime/once.py): the real bot, polling the fake Bot API.

Telegram sends an update again when it never saw its delivery confirmed; the handlers'
writes, the dialog state and the update's id commit together, so the second delivery
changes nothing and says nothing, and an update that failed half-way left nothing behind.
"""

import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone

from calendarapp.bot import texts
from calendarapp.bot.runtime.persistence import DjangoPersistence
from calendarapp.models import Event, ProcessedUpdate
from calendarapp.services.processed_updates import prune_processed_updates

pytestmark = pytest.mark.e2e


def _created(user) -> list[str]:
    return [a.text for a in user.runner.fake.activity[user.id] if "Событие создано" in a.text]


def _up_to_details(ann, next_year) -> None:
    assert ann.ask("/create_event") == texts.ASK_NAME
    assert ann.ask("Party") == texts.ASK_DATE
    assert ann.ask(next_year.isoformat()).endswith(texts.ASK_TIME)
    assert ann.ask("18:30") == texts.ASK_DETAILS


def test_the_same_update_delivered_twice_creates_one_event_and_one_reply(
    db_mode, bot, registered_ann, next_year
):
    ann = registered_ann
    _up_to_details(ann, next_year)
    last = ann.send("-")
    assert "Событие создано" in ann.wait_for_reply().text

    bot.call(bot.fake.redeliver, last)
    # The next command's answer comes after the redelivery was dealt with (one person's
    # updates run in order), and is the only answer: the redelivery said nothing.
    assert ann.ask("/help") == texts.help_text()
    assert ann.nothing_more(0.3)
    assert Event.objects.filter(owner_id=ann.id, name="Party").count() == 1
    assert len(_created(ann)) == 1
    assert ProcessedUpdate.objects.filter(update_id=last).exists()


def test_a_database_drop_before_the_dialog_state_is_saved_leaves_no_event(
    db_mode, bot, registered_ann, bob, next_year, monkeypatch
):
    """The known case: the event was inserted, then the dialog-state write failed. The
    event went with it (one transaction), so answering again creates exactly one. What
    the failed update queued is not written by the next person's update either."""
    ann = registered_ann
    _up_to_details(ann, next_year)
    original = DjangoPersistence.write_pending
    failures = []

    async def drop_once(self, **kwargs):
        if not failures and self._pending:
            failures.append(1)
            raise OperationalError("server closed the connection unexpectedly")
        return await original(self, **kwargs)

    monkeypatch.setattr(DjangoPersistence, "write_pending", drop_once)
    ann.send("-")
    assert ann.wait_for_reply().text == texts.INTERNAL_ERROR
    assert not Event.objects.filter(owner_id=ann.id).exists()
    assert bob.ask("/help") == texts.help_text()

    # The dialog is still at its last question (in the database and so in the bot).
    assert "Событие создано" in ann.ask("-")
    assert Event.objects.filter(owner_id=ann.id, name="Party").count() == 1


def test_old_update_ids_are_pruned(db, settings):
    settings.BOT_PROCESSED_UPDATES_DAYS = 2
    now = timezone.now()
    ProcessedUpdate.objects.create(update_id=1, processed_at=now - dt.timedelta(days=3))
    ProcessedUpdate.objects.create(update_id=2, processed_at=now - dt.timedelta(hours=1))
    assert prune_processed_updates(now=now) == 1
    assert list(ProcessedUpdate.objects.values_list("update_id", flat=True)) == [2]


def test_a_redelivered_dialog_answer_is_dropped_and_the_dialog_goes_on_where_it_was(
    db_mode, bot, registered_ann, next_year
):
    """In polling mode the id goes in with the update's last write (once.py): the handlers
    run again on a redelivery, and all they did, said and changed in memory is undone."""
    ann = registered_ann
    start = ann.send("/create_event")
    assert ann.wait_for_reply().text == texts.ASK_NAME
    assert ann.ask("Party") == texts.ASK_DATE

    bot.call(bot.fake.redeliver, start)  # run again, it would start the dialog over
    assert ann.ask(next_year.isoformat()).endswith(texts.ASK_TIME)
    assert ann.nothing_more(0.3)
    assert ann.ask("18:30") == texts.ASK_DETAILS
    assert "Событие создано" in ann.ask("-")
    assert Event.objects.get(owner_id=ann.id).name == "Party"


def test_a_redelivered_command_that_reads_says_nothing(bot, registered_ann):
    ann = registered_ann
    listing = ann.send("/display_events")
    first = ann.wait_for_reply().text
    bot.call(bot.fake.redeliver, listing)
    assert ann.ask("/help") == texts.help_text()
    assert ann.nothing_more(0.3)
    assert first


def test_a_profile_read_that_fails_is_told_and_leaves_the_update_to_run_again(bot, monkeypatch):
    """The sender's profile is read before the update's transaction (polling): when that
    read fails, the person hears it, nothing of the update is kept (not even its id, so a
    redelivery would run it), and their next message works."""
    from calendarapp.bot.runtime import profiles

    newcomer = bot.user(5090, "Nia", "nia")
    read = profiles.get_user
    failures = []

    def gone_once(tg_id):
        if not failures:
            failures.append(tg_id)
            raise OperationalError("server closed the connection unexpectedly")
        return read(tg_id)

    monkeypatch.setattr(profiles, "get_user", gone_once)
    first = newcomer.send("/help")
    assert newcomer.wait_for_reply().text == texts.INTERNAL_ERROR
    assert failures == [newcomer.id]
    assert not ProcessedUpdate.objects.filter(update_id=first).exists()
    assert newcomer.ask("/help") == texts.help_text()
