"""Control characters in what people, Telegram, the API and the admin send: cleaned where the
text enters, so that no profile or event can break a calendar file or a message."""

import datetime as dt

import icalendar
import pytest
import vobject
from django.urls import reverse

from calendarapp.models import Appointment, Event, TgUser
from calendarapp.services.events import create_event
from calendarapp.services.export_tokens import issue_export_token
from calendarapp.services.feeds import get_or_issue_feed
from calendarapp.services.users import TelegramProfile, register_user
from calendarapp.text import clean_text

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def ics_of(client, tg_id: int) -> list[bytes]:
    """The person's ICS export and feed, both asserted to answer 200."""
    export = client.get("/export/ics/", {"token": issue_export_token(tg_id).token})
    feed = client.get(f"/feed/{get_or_issue_feed(tg_id).token}.ics")
    assert (export.status_code, feed.status_code) == (200, 200)
    return [body(export), body(feed)]


def test_a_username_with_a_newline_no_longer_breaks_the_export_and_feed(api, client, tomorrow):
    response = api.post("/api/users/", {"tg_id": 990003, "username": "a\nb"}, format="json")
    assert response.status_code == 201
    assert response.json()["username"] == "a b"
    Event.objects.create(owner_id=990003, name="Talk", date=tomorrow, time=dt.time(10))
    for raw in ics_of(client, 990003):
        calendar = icalendar.Calendar.from_ical(raw)
        assert str(calendar["X-WR-CALNAME"]) == "Calendar Bot: @a b"
        assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Talk"]


def test_a_bare_cr_in_a_first_name_does_not_end_the_calendar_early(client, tomorrow):
    register_user(TelegramProfile(tg_id=990004, first_name="Eve\rEND:VCALENDAR\r"))
    assert TgUser.objects.get(pk=990004).first_name == "Eve END:VCALENDAR"
    for day in range(3):
        create_event(
            owner_tg_id=990004,
            name=f"Event\r{day}",
            date=tomorrow + dt.timedelta(days=day),
            time=dt.time(10),
            details="one\rtwo\r\nthree\x00\x1b",
        )
    for raw in ics_of(client, 990004):
        assert b"\r" not in raw.replace(b"\r\n", b"")
        parsed = vobject.readOne(raw.decode())
        events = parsed.contents["vevent"]
        assert [e.summary.value for e in events] == ["Event 0", "Event 1", "Event 2"]
        assert {e.description.value for e in events} == {"one\ntwo\nthree"}


def test_the_admin_stores_profiles_and_comments_without_control_characters(
    admin_client, alice, bob, tomorrow
):
    url = reverse("admin:calendarapp_tguser_change", args=[alice.pk])
    form = {
        "tg_id": alice.pk,
        "username": "ali\x07ce",
        "first_name": "Al\r\nice\u202e",
        "last_name": "",
        "language_code": "ru",
        "language": "",
        "timezone": "Europe/Moscow",
        "is_active": "on",
        "default_reminder_minutes": "30",
    }
    assert admin_client.post(url, form).status_code == 302
    alice.refresh_from_db()
    assert (alice.username, alice.first_name) == ("alice", "Al ice")

    event = Event.objects.create(owner=bob, name="Party", date=tomorrow, time=dt.time(12))
    meeting = Appointment.objects.create(
        event=event, organizer=bob, participant=alice, date=tomorrow, time=dt.time(12)
    )
    url = reverse("admin:calendarapp_appointment_change", args=[meeting.pk])
    form = {
        "event": event.pk,
        "organizer": bob.pk,
        "participant": alice.pk,
        "date": tomorrow.isoformat(),
        "time": "12:00",
        "details": "bring\r\ncake\x08\x1b",
        "status": "pending",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting.refresh_from_db()
    assert meeting.details == "bring\ncake"


@pytest.mark.parametrize(
    ("value", "multiline", "expected"),
    [
        ("a\r\nb\rc\nd", True, "a\nb\nc\nd"),
        ("a\r\nb\rc\nd", False, "a b c d"),
        ("tab\there", True, "tab\there"),
        ("tab\there", False, "tab here"),
        ("nul\x00 del\x7f c1\x9b esc\x1b", False, "nul del c1 esc"),
        ("bidi \u202egnp.exe\u2066", False, "bidi gnp.exe"),
        ("lone \ud800 surrogate", False, "lone  surrogate"),
        ("line\u2028sep\x85nel", True, "line\nsep\nnel"),
        ("ёлка 🎄 漢字", False, "ёлка 🎄 漢字"),
    ],
)
def test_clean_text(value, multiline, expected):
    assert clean_text(value, multiline=multiline) == expected
