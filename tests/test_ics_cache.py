"""The ICS writer keeps each VEVENT's text in the shared cache: a download of an unchanged
calendar builds none again, and any change to what a VEVENT shows (even one made around
Model.save(), which leaves updated_at and SEQUENCE as they were) is a new text."""

import datetime as dt

import icalendar
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendarapp.cache import BulkDatabaseCache
from calendarapp.exports import writers
from calendarapp.models import Appointment, Event, TgUser
from calendarapp.services.feeds import get_or_issue_feed

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(monkeypatch):
    """The entries whose VEVENT the writer built (not read from the cache)."""
    names = []
    build = writers._vevent

    def counting(row, zone, leads):
        names.append(row["name"])
        return build(row, zone, leads)

    monkeypatch.setattr(writers, "_vevent", counting)
    return names


def download(client, owner) -> icalendar.Calendar:
    response = client.get(f"/feed/{get_or_issue_feed(owner.pk).token}.ics")
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(b"".join(response.streaming_content))


def by_summary(calendar) -> dict:
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_a_second_download_builds_nothing_and_has_its_own_stamp(client, alice, tomorrow, built):
    Event.objects.create(owner=alice, name="Dentist", date=tomorrow, time=dt.time(9, 30))
    Event.objects.create(
        owner=alice, name="Yoga", date=tomorrow, time=dt.time(18), rrule="FREQ=WEEKLY;COUNT=5"
    )
    first = download(client, alice)
    assert sorted(built) == ["Dentist", "Yoga"]
    built.clear()
    again = download(client, alice)
    assert built == []
    assert again.to_ical().replace(b"\r\n ", b"").count(b"DTSTAMP:") == 2
    for name, event in by_summary(again).items():
        kept = by_summary(first)[name]
        assert event["dtstamp"].dt >= kept["dtstamp"].dt
        assert event.to_ical().split(b"DTSTAMP")[0] == kept.to_ical().split(b"DTSTAMP")[0]
        assert [key for key in event if key != "DTSTAMP"] == [
            key for key in kept if key != "DTSTAMP"
        ]


def test_a_change_around_save_is_a_new_text(client, alice, bob, tomorrow, built):
    dentist = Event.objects.create(owner=alice, name="Dentist", date=tomorrow, time=dt.time(9))
    Event.objects.create(owner=alice, name="Gym", date=tomorrow, time=dt.time(19))
    party = Event.objects.create(owner=bob, name="Party", date=tomorrow, time=dt.time(12))
    Appointment.objects.create(
        event=party, organizer=bob, participant=alice, date=tomorrow, time=dt.time(12),
        status="confirmed",
    )  # fmt: skip
    download(client, alice)
    built.clear()
    # Neither touches updated_at nor SEQUENCE: a raw UPDATE, and the organiser's zone.
    Event.objects.filter(pk=dentist.pk).update(details="Bring the X-ray")
    TgUser.objects.filter(pk=bob.pk).update(timezone="Asia/Novosibirsk")
    # (the feed's version does not see them either, so no If-None-Match here)
    events = by_summary(download(client, alice))
    assert sorted(built) == ["Dentist", "Party"]
    assert str(events["Dentist"]["description"]) == "Bring the X-ray"
    assert events["Party"]["dtstart"].params["TZID"] == "Asia/Novosibirsk"
    assert "description" not in events["Gym"]


def test_the_database_cache_stores_many_texts_in_one_statement():
    cache = BulkDatabaseCache(settings.ICS_CACHE_TABLE, {"OPTIONS": {"MAX_ENTRIES": 30}})
    texts = {f"vevent:{n}": f"BEGIN:VEVENT {n}".encode() for n in range(20)}
    with CaptureQueriesContext(connection) as ctx:
        assert cache.set_many(texts, 60) == []
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 2, statements  # the count, and one upsert
    assert cache.get_many(list(texts)) == texts
    # Written again: replaced, not doubled; past MAX_ENTRIES a third goes, as in Django's.
    assert cache.set_many({"vevent:3": b"new"}, 60) == []
    assert cache.get("vevent:3") == b"new"
    more = [f"more:{batch}:{n}" for batch in range(5) for n in range(10)]
    for start in range(0, len(more), 10):
        cache.set_many(dict.fromkeys(more[start : start + 10], b"x"), 60)
    assert 10 <= len(cache.get_many([*texts, *more])) <= 30 + 10
