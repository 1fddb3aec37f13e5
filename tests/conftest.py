import datetime as dt

import pytest
from django.utils import timezone

from calendarapp.services.users import TelegramProfile, register_user


@pytest.fixture
def make_user(db):
    """Register a Telegram user the way the bot does."""

    def make(tg_id: int, username: str = "", first_name: str = "Test", **extra):
        user, _ = register_user(
            TelegramProfile(tg_id=tg_id, username=username, first_name=first_name, **extra)
        )
        return user

    return make


@pytest.fixture
def alice(make_user):
    return make_user(1001, "alice", "Alice")


@pytest.fixture
def bob(make_user):
    return make_user(1002, "bob", "Bob")


@pytest.fixture
def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)
