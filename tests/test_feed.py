"""The private calendar feed (/feed/<token>.ics): what a calendar app subscribing to it sees."""

import datetime as dt

import icalendar
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from calendarapp.exceptions import NotRegistered
from calendarapp.models import Appointment, CalendarFeed, Event
from calendarapp.services.events import delete_event, update_event_details
from calendarapp.services.feeds import feed_links, get_or_issue_feed, rotate_feed

pytestmark = pytest.mark.django_db


def path_of(feed) -> str:
    return f"/feed/{feed.token}.ics"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def calendar(alice, bob, tomorrow):
    """Alice's event, a meeting she accepted, one she did not; Bob's private event."""
    dentist = Event.objects.create(owner=alice, name="Dentist", date=tomorrow, time=dt.time(9, 30))
    Event.objects.create(owner=alice, name="Gym", date=tomorrow, time=dt.time(19))
    party = Event.objects.create(owner=bob, name="Bob's party", date=tomorrow, time=dt.time(12))
    Event.objects.create(owner=bob, name="Bob private", date=tomorrow, time=dt.time(8))
    Appointment.objects.create(
        event=party, organizer=bob, participant=alice, date=tomorrow, time=dt.time(12),
        status="confirmed",
    )  # fmt: skip
    pending = Event.objects.create(owner=bob, name="Bob pending", date=tomorrow, time=dt.time(13))
    Appointment.objects.create(
        event=pending, organizer=bob, participant=alice, date=tomorrow, time=dt.time(13)
    )
    return dentist


def summaries(response) -> list[str]:
    parsed = icalendar.Calendar.from_ical(body(response))
    return sorted(str(event["summary"]) for event in parsed.walk("VEVENT"))


def test_feed_has_own_events_and_confirmed_meetings_only(client, alice, calendar):
    response = client.get(path_of(get_or_issue_feed(alice.pk)))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-cache"
    assert response["ETag"].startswith('W/"') and response["Last-Modified"]
    assert summaries(response) == ["Bob's party", "Dentist", "Gym"]


def test_repeat_poll_gets_304_without_reading_events(client, alice, calendar):
    path = path_of(get_or_issue_feed(alice.pk))
    first = client.get(path)
    body(first)
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    # The feed lookup and three aggregates (own events, meetings, events answered «Иду»);
    # no event rows, no writes (but the throttle's counter, when the cache is the
    # database's table).
    queries = [
        q["sql"]
        for q in ctx.captured_queries
        if settings.CACHE_TABLE not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]
    assert len(queries) == 4, queries
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "private, no-cache"
    by_date = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_date.status_code == 304
    assert client.head(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize("change", ["edit", "delete", "meeting_cancelled", "time_zone"])
def test_any_change_gives_a_new_version(client, alice, calendar, change):
    path = path_of(get_or_issue_feed(alice.pk))
    first = client.get(path)
    body(first)
    if change == "edit":
        update_event_details(owner_tg_id=alice.pk, event_id=calendar.pk, details="Bring the X-ray")
    elif change == "delete":
        delete_event(owner_tg_id=alice.pk, event_id=calendar.pk)
    elif change == "meeting_cancelled":
        meeting = Appointment.objects.get(status="confirmed")
        meeting.status = "cancelled"
        meeting.save()
    else:
        alice.timezone = "Asia/Tokyo"
        alice.save()
    # Both kinds of conditional request see the change, even within the same second.
    for headers in (
        {"HTTP_IF_NONE_MATCH": first["ETag"]},
        {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]},
    ):
        response = client.get(path, **headers)
        assert response.status_code == 200, headers
        assert response["ETag"] != first["ETag"]
        body(response)
    expected = {
        "edit": ["Bob's party", "Dentist", "Gym"],
        "delete": ["Bob's party", "Gym"],
        "meeting_cancelled": ["Dentist", "Gym"],
        "time_zone": ["Bob's party", "Dentist", "Gym"],
    }[change]
    assert summaries(client.get(path)) == expected


def test_rotation_kills_the_old_url_at_once(client, alice, calendar):
    old = get_or_issue_feed(alice.pk)
    assert get_or_issue_feed(alice.pk).token == old.token  # asking again: the same link
    old_path = path_of(old)
    assert client.get(old_path).status_code == 200
    new = rotate_feed(alice.pk)
    assert new.token != old.token
    gone = client.get(old_path)
    assert gone.status_code == 404 and b"Dentist" not in gone.content
    assert summaries(client.get(path_of(new))) == ["Bob's party", "Dentist", "Gym"]
    assert get_or_issue_feed(alice.pk).token == new.token


@pytest.mark.parametrize(
    "path",
    [
        "/feed/x.ics",
        "/feed/" + "A" * 43 + ".ics",
        "/feed/" + "A" * 43 + "%00.ics",
        "/feed/" + "A" * 500 + ".ics",
        "/feed/%2e%2e%2fadmin.ics",
        "/feed/.ics",
    ],
)
def test_unknown_or_forged_tokens_get_404_with_no_data(client, alice, calendar, path):
    get_or_issue_feed(alice.pk)
    response = client.get(path)
    assert response.status_code == 404
    assert b"Dentist" not in response.content and b"VCALENDAR" not in response.content


def test_a_token_serves_only_its_owner(client, alice, bob, calendar):
    assert summaries(client.get(path_of(get_or_issue_feed(bob.pk)))) == [
        "Bob pending",
        "Bob private",
        "Bob's party",
    ]
    # Case matters: a token differing in one letter's case is another (unknown) token.
    token = get_or_issue_feed(alice.pk).token
    flipped = token.swapcase()
    if flipped != token:
        assert client.get(f"/feed/{flipped}.ics").status_code == 404


def test_only_get_and_head(client, alice, calendar):
    path = path_of(get_or_issue_feed(alice.pk))
    assert client.post(path).status_code == 405
    head = client.head(path)
    assert head.status_code == 200 and head["ETag"]


def test_feed_is_throttled_per_feed(client, alice, bob, calendar, settings):
    settings.CALENDAR_THROTTLE_RATES = {"feed": "2/minute"}
    path = path_of(get_or_issue_feed(alice.pk))
    assert [client.get(path).status_code for _ in range(2)] == [200, 200]
    throttled = client.get(path)
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    # Another user's feed (the same client address: Google's servers) is unaffected.
    assert client.get(path_of(get_or_issue_feed(bob.pk))).status_code == 200


def test_links_and_registration(alice, db, settings):
    settings.SITE_BASE_URL = "https://cal.example.org"
    feed = get_or_issue_feed(alice.pk)
    links = feed_links(feed)
    assert links.https == f"https://cal.example.org/feed/{feed.token}.ics"
    assert links.webcal == f"webcal://cal.example.org/feed/{feed.token}.ics"
    assert len(feed.token) >= 43
    with pytest.raises(NotRegistered):
        get_or_issue_feed(999)
    assert CalendarFeed.objects.count() == 1


def test_last_modified_is_an_http_date(client, alice, calendar):
    feed = get_or_issue_feed(alice.pk)
    response = client.get(path_of(feed))
    feed.refresh_from_db()
    assert response["Last-Modified"] == http_date(feed.changed_at.timestamp())
