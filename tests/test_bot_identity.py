"""The bot's own username: stored by the bot at start, read by the web side."""

import asyncio
import logging
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, OperationalError
from django.db.models import QuerySet

from calendarapp.bot.runtime import identity, orm
from calendarapp.bot.runtime.identity import remember_identity
from calendarapp.models import BotIdentity
from calendarapp.selectors.bot_identity import bot_username
from calendarapp.services.bot_identity import remember_bot_username
from tests.test_settings import run_check, settings_value


@pytest.fixture(autouse=True)
def _no_configured_username(settings):
    settings.TELEGRAM_BOT_USERNAME = ""


# --- the service and the selector -----------------------------------------------------------
def test_the_stored_username_is_one_row_replaced_on_each_start(db):
    remember_bot_username(username="@first_calendar_bot")
    remember_bot_username(username="second_calendar_bot")
    assert list(BotIdentity.objects.values_list("id", "username")) == [(1, "second_calendar_bot")]
    assert bot_username() == "second_calendar_bot"


def test_an_empty_username_is_refused(db):
    with pytest.raises(ValueError):
        remember_bot_username(username=" @ ")
    assert not BotIdentity.objects.exists()


def test_a_concurrent_first_insert_is_absorbed(db, monkeypatch):
    """Two bot processes start at once: both see no row, one insert loses, and updates."""
    BotIdentity.objects.create(username="other_process_bot")
    real_update = QuerySet.update
    calls = []

    def first_update_misses(queryset, **values):
        calls.append(values)
        return 0 if len(calls) == 1 else real_update(queryset, **values)

    monkeypatch.setattr(QuerySet, "update", first_update_misses)
    remember_bot_username(username="this_process_bot")
    assert len(calls) == 2
    assert list(BotIdentity.objects.values_list("username", flat=True)) == ["this_process_bot"]


def test_there_is_only_ever_one_identity_row(db):
    with pytest.raises(IntegrityError):
        BotIdentity.objects.create(id=2, username="second_row_bot")


def test_the_configured_username_wins_over_the_stored_one(db, settings):
    remember_bot_username(username="stored_calendar_bot")
    settings.TELEGRAM_BOT_USERNAME = "env_calendar_bot"
    assert bot_username() == "env_calendar_bot"


def test_no_username_anywhere_is_empty(db):
    assert bot_username() == ""


def test_the_setting_drops_a_leading_at_and_refuses_nonsense():
    assert settings_value("s.TELEGRAM_BOT_USERNAME", TELEGRAM_BOT_USERNAME="@my_cal_bot") == (
        "my_cal_bot"
    )
    result = run_check(TELEGRAM_BOT_USERNAME="https://t.me/my_cal_bot")
    assert result.returncode != 0
    assert "TELEGRAM_BOT_USERNAME must be a Telegram username" in result.stderr


# --- the bot's post_init hook --------------------------------------------------------------
def stub_application(username):
    return SimpleNamespace(bot=SimpleNamespace(username=username))


def test_the_bot_stores_its_username_at_start(transactional_db):
    try:
        asyncio.run(remember_identity(stub_application("hook_calendar_bot")))
    finally:
        asyncio.run(orm.close_connections())
    assert bot_username() == "hook_calendar_bot"


def test_a_database_failure_at_start_is_logged_and_the_bot_goes_on(monkeypatch, caplog):
    def database_away(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(identity, "remember_bot_username", database_away)
    with caplog.at_level(logging.WARNING, logger="calendarapp.bot.runtime.identity"):
        asyncio.run(remember_identity(stub_application("hook_calendar_bot")))
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "connection refused" in record.getMessage()
    assert record.exc_info is None  # an outage, not a bug: no traceback


def test_an_unexpected_failure_at_start_is_logged_too(caplog):
    class NotInitialized:
        @property
        def username(self):
            raise RuntimeError("get_me was not called")

    with caplog.at_level(logging.WARNING, logger="calendarapp.bot.runtime.identity"):
        asyncio.run(remember_identity(SimpleNamespace(bot=NotInitialized())))
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
