import datetime as dt

import pytest
from django.utils import timezone

from calendarapp.bot.runtime import orm
from calendarapp.services.events import create_event

from .harness import BotRunner


@pytest.fixture
def lanes(monkeypatch):
    """The bot's database calls in two lanes (orm.py, as with BOT_DB_THREADS=2), not inline.
    Ask for it before `bot`, so the bot closes its connections before the lanes go."""
    lanes = [orm.Lane(f"test-lane-{number}") for number in range(2)]
    monkeypatch.setattr(orm, "INLINE", False)
    monkeypatch.setattr(orm, "THREADS", len(lanes))
    monkeypatch.setattr(orm, "_lanes", lanes)
    monkeypatch.setattr(orm, "_free", {"queue": None, "loop": None})
    yield lanes
    for lane in lanes:
        lane.close()


@pytest.fixture(params=["inline", "lanes"])
def db_mode(request) -> str:
    """Both ways the bot can run its database calls (orm.py); ask for it before `bot`."""
    if request.param == "lanes":
        request.getfixturevalue("lanes")
    return request.param


@pytest.fixture
def bot_settings() -> dict[str, object]:
    """Settings the bot starts with in a test module (override it: faster jobs)."""
    return {}


@pytest.fixture
def bot(transactional_db, settings, bot_settings):
    """The real bot polling a fresh fake Bot API; the bot's threads share the test database."""
    for name, value in bot_settings.items():
        setattr(settings, name, value)
    runner = BotRunner()
    yield runner
    runner.close()


@pytest.fixture
def ann(bot):
    return bot.user(5001, "Ann", "ann")


@pytest.fixture
def registered_ann(ann):
    ann.ask("/register")
    return ann


@pytest.fixture
def bob(bot):
    """A second registered user (guests of meetings)."""
    user = bot.user(5002, "Bob", "bob")
    user.ask("/register")
    return user


@pytest.fixture
def carol(bot):
    user = bot.user(5003, "Carol", "carol")
    user.ask("/register")
    return user


@pytest.fixture
def next_year() -> dt.date:
    return timezone.localdate().replace(month=1, day=15) + dt.timedelta(days=366)


@pytest.fixture
def ann_event(registered_ann, next_year):
    """Ann's event on `next_year` (unless given a date): `ann_event("Party", dt.time(19))`."""

    def make(name: str, time: dt.time, **fields):
        fields.setdefault("date", next_year)
        return create_event(owner_tg_id=registered_ann.id, name=name, time=time, **fields)

    return make
