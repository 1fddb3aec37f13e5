"""Signed export links: formats as the target applications read them, and token safety."""

import csv
import datetime as dt
import io
import json
import time

import icalendar
import pytest
from django.http import StreamingHttpResponse

from calendarapp.models import Appointment, Event
from calendarapp.services.export_tokens import issue_export_token

pytestmark = pytest.mark.django_db

TRICKY = 'Line one; "quoted"\nline two — ёлка 🎄 漢字'


def body(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


@pytest.fixture
def calendar(alice, bob, tomorrow):
    """Alice's events, one meeting she accepted (Bob's, in his zone) and one she did not."""
    bob.timezone = "Asia/Yekaterinburg"
    bob.save()
    Event.objects.create(
        owner=alice, name="Dentist", date=tomorrow, time=dt.time(9, 30), details=TRICKY
    )
    Event.objects.create(
        owner=alice,
        name="=HYPERLINK(1)",
        date=tomorrow + dt.timedelta(days=1),
        time=dt.time(18),
        is_public=True,
    )
    bobs = Event.objects.create(owner=bob, name="Bob's party", date=tomorrow, time=dt.time(12))
    Event.objects.create(owner=bob, name="Bob private", date=tomorrow, time=dt.time(8))
    Appointment.objects.create(
        event=bobs,
        organizer=bob,
        participant=alice,
        date=tomorrow,
        time=dt.time(12),
        status="confirmed",
    )
    later = Event.objects.create(owner=bob, name="Bob pending", date=tomorrow, time=dt.time(13))
    Appointment.objects.create(
        event=later, organizer=bob, participant=alice, date=tomorrow, time=dt.time(13)
    )
    return alice


def test_csv_is_excel_friendly(client, calendar, tomorrow):
    response = client.get("/export/csv/", {"token": issue_export_token(calendar.pk).token})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=cp1251"
    assert response["Content-Disposition"] == f'attachment; filename="calendar-{calendar.pk}.csv"'
    assert response["Cache-Control"] == "no-store"
    raw = body(response)
    assert raw.startswith(b"sep=;\r\ntype;id;name;date;time;timezone;details;public;")
    text = raw.decode("cp1251")
    assert raw.count(b"\r\n") == 5  # sep, header, three rows; the inner newline is quoted
    rows = list(csv.reader(io.StringIO(text.split("\r\n", 1)[1], newline=""), delimiter=";"))
    header, *rows = rows
    assert [(r[0], r[2], r[4], r[5]) for r in rows] == [
        ("event", "Dentist", "09:30", calendar.timezone),
        ("meeting", "Bob's party", "12:00", "Asia/Yekaterinburg"),
        ("event", "'=HYPERLINK(1)", "18:00", calendar.timezone),
    ]
    # `;`, quotes and the newline survive; emoji and CJK became "?" instead of a crash.
    assert rows[0][header.index("details")] == 'Line one; "quoted"\nline two — ёлка ? ??'
    assert "Bob private" not in text and "Bob pending" not in text


def test_json_is_utf8_and_complete(client, calendar, tomorrow):
    response = client.get("/export/json/", {"token": issue_export_token(calendar.pk).token})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].endswith(f'filename="calendar-{calendar.pk}.json"')
    data = json.loads(body(response).decode("utf-8"))
    assert data["tg_user_id"] == calendar.pk
    assert [(e["type"], e["name"], e["date"]) for e in data["events"]] == [
        ("event", "Dentist", tomorrow.isoformat()),
        ("meeting", "Bob's party", tomorrow.isoformat()),
        ("event", "=HYPERLINK(1)", (tomorrow + dt.timedelta(days=1)).isoformat()),
    ]
    assert data["events"][0]["details"] == TRICKY


def test_ics_has_time_zones_and_events(client, calendar, tomorrow):
    response = client.get(
        "/export/ics/",
        {"token": issue_export_token(calendar.pk).token},
        HTTP_ACCEPT="text/calendar",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = body(response)
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    parsed = icalendar.Calendar.from_ical(raw)
    assert {str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")} == {
        "Europe/Moscow",
        "Asia/Yekaterinburg",
    }
    events = parsed.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Dentist", "Bob's party", "=HYPERLINK(1)"]
    dentist = events[0].decoded("DTSTART")
    assert dentist.tzinfo is not None
    assert dentist.utcoffset() == dt.timedelta(hours=3)
    assert (dentist.date(), dentist.time()) == (tomorrow, dt.time(9, 30))
    party = events[1].decoded("DTSTART")
    assert party.utcoffset() == dt.timedelta(hours=5)
    assert str(events[0]["DESCRIPTION"]) == TRICKY
    assert len({str(e["UID"]) for e in events}) == 3
    assert b"TZID=Europe/Moscow:" in raw


@pytest.mark.parametrize("fmt", ["csv", "json", "ics"])
def test_an_event_on_the_last_day_of_the_calendar_exports(client, alice, fmt):
    """Stored before dates were limited (or made in the admin): every format still works."""
    Event.objects.create(owner=alice, name="The end", date=dt.date(9999, 12, 31), time=dt.time(23))
    response = client.get(f"/export/{fmt}/", {"token": issue_export_token(alice.pk).token})
    assert response.status_code == 200
    raw = body(response)
    assert b"9999" in raw
    if fmt == "ics":
        (event,) = icalendar.Calendar.from_ical(raw).walk("VEVENT")
        # Past every client's zone rules: in UTC, 23:00 Moscow time, for an hour.
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start == dt.datetime(9999, 12, 31, 20, tzinfo=dt.UTC)
        assert end - start == dt.timedelta(hours=1)


def test_empty_calendar_exports_cleanly(client, bob):
    token = issue_export_token(bob.pk).token
    assert json.loads(body(client.get("/export/json/", {"token": token})))["events"] == []
    assert body(client.get("/export/csv/", {"token": token})).count(b"\r\n") == 2
    assert icalendar.Calendar.from_ical(body(client.get("/export/ics/", {"token": token})))


@pytest.mark.parametrize("fmt", ["csv", "json", "ics"])
def test_a_token_only_ever_shows_its_own_user(client, calendar, bob, fmt):
    data = body(client.get(f"/export/{fmt}/", {"token": issue_export_token(bob.pk).token}))
    assert b"Bob private" in data and b"Bob's party" in data
    assert b"Dentist" not in data


@pytest.mark.parametrize("fmt", ["csv", "json", "ics"])
@pytest.mark.parametrize("token", [None, "", "garbage", "a" * 600])
def test_missing_or_malformed_token_is_400(client, fmt, token):
    params = {} if token is None else {"token": token}
    response = client.get(f"/export/{fmt}/", params)
    assert response.status_code == 400
    assert response.json()["code"] == "token_malformed"


def test_tampered_token_is_403(client, alice, bob):
    token = issue_export_token(alice.pk).token
    payload, stamp, signature = token.split(":")
    other_payload = issue_export_token(bob.pk).token.split(":")[0]
    # Each forgery differs from the token whatever its last characters are (a stamp that
    # ends in "0" made the old third forgery the token itself, once a minute).
    for forged in (
        f"{other_payload}:{stamp}:{signature}",
        f"{payload}:{stamp}:{signature[:-2]}{'yx' if signature.endswith('xy') else 'xy'}",
        f"{payload}:{stamp[:-1]}{'1' if stamp.endswith('0') else '0'}:{signature}",
    ):
        assert forged != token
        response = client.get("/export/csv/", {"token": forged})
        assert response.status_code == 403
        assert response.json()["code"] == "token_invalid"
        assert b"alice" not in response.content.lower()


def test_expired_token_is_403(client, alice, monkeypatch, settings):
    settings.EXPORT_TOKEN_MAX_AGE = 900
    token = issue_export_token(alice.pk).token
    assert client.get("/export/json/", {"token": token}).status_code == 200
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 901)
    response = client.get("/export/json/", {"token": token})
    assert response.status_code == 403
    assert response.json()["code"] == "token_expired"


def test_token_of_a_deleted_user_is_404(client, alice):
    token = issue_export_token(alice.pk).token
    alice.delete()
    response = client.get("/export/ics/", {"token": token})
    assert response.status_code == 404
    assert response.json()["code"] == "user_not_found"


def test_downloads_are_throttled(client, alice, settings):
    settings.CALENDAR_THROTTLE_RATES = {"export_token": None, "export": "2/minute"}
    token = issue_export_token(alice.pk).token
    assert client.get("/export/csv/", {"token": token}).status_code == 200
    assert client.get("/export/json/", {"token": "bad"}).status_code == 400
    response = client.get("/export/ics/", {"token": token})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"
