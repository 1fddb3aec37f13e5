"""Every exported text field with control characters in it, as Telegram, the API or a person
could send them: each export format still parses, with every event, and says what was stored."""

import csv
import datetime as dt
import io
import json
import re

import icalendar
import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendarapp.exports import tables, writers
from calendarapp.exports.tables import CSV_COLUMNS, CSV_ENCODING
from calendarapp.models import Appointment, Event, TgUser
from calendarapp.selectors.calendar import calendar_entries, calendar_time_zones
from calendarapp.services.appointments import create_appointment, respond_to_invitation
from calendarapp.services.events import create_event
from calendarapp.services.users import TelegramProfile, register_user

pytestmark = pytest.mark.django_db

OWNER, ORGANIZER = 995001, 995002
# What breaks files: line ends of every kind, C0 and C1 controls, DEL, bidi overrides, lone
# surrogates, and ICS syntax that raw text could inject.
NASTY = [*"\r\n\x00\x01\x08\t\x0b\x0c\x1b\x1f\x7f\x85\x9b\u2028\u2029\u202e\u2066", "\ud800"]
NASTY += ["\r\nEND:VEVENT\r\n", "\rEND:VCALENDAR\r", ";", ",", "\\", '"', "=", "\U0001f384", "ё"]
texts = st.lists(st.one_of(st.sampled_from(NASTY), st.characters()), max_size=12).map("".join)
# Controls a written file may never hold (RFC 5545 allows HTAB; lines end in CRLF).
_RAW_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def body(owner, fmt: str) -> bytes:
    """The download's bytes, from the writers the export views stream (the views' own
    checks are tests/test_exports.py's; here, no rate limit counts the examples)."""
    entries = calendar_entries(owner=owner)
    if fmt == "ics":
        return b"".join(writers.ics_chunks(owner, entries, calendar_time_zones(owner)))
    return b"".join(getattr(tables, f"{fmt}_chunks")(owner, entries))


def as_text(cell: str) -> str:
    """A cell starting like a formula gets a leading apostrophe (CSV injection)."""
    return "'" + cell if cell.startswith(("=", "+", "-", "@", "\t", "\r")) else cell


def in_cp1251(text: str) -> str:
    return text.encode(CSV_ENCODING, "replace").decode(CSV_ENCODING)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    username=texts,
    first_name=texts,
    last_name=texts,
    name=texts,
    details=texts,
    meeting_name=texts,
    comment=texts,
)
def test_control_characters_in_any_exported_field(
    username, first_name, last_name, name, details, meeting_name, comment
):
    TgUser.objects.filter(pk__in=[OWNER, ORGANIZER]).delete()
    owner, _ = register_user(TelegramProfile(
        tg_id=OWNER, username=username, first_name=first_name, last_name=last_name
    ))  # fmt: skip
    register_user(TelegramProfile(tg_id=ORGANIZER, first_name="Org"))
    day = dt.date.today() + dt.timedelta(days=2)
    # A name is never empty (the service refuses that): "n" keeps one.
    create_event(owner_tg_id=OWNER, name="n" + name, date=day, time=dt.time(9), details=details)
    party = create_event(owner_tg_id=ORGANIZER, name="m" + meeting_name, date=day,
                         time=dt.time(10))  # fmt: skip
    invited = create_appointment(organizer_tg_id=ORGANIZER, participant_tg_id=OWNER,
                                 event_id=party.pk, details=comment)  # fmt: skip
    respond_to_invitation(participant_tg_id=OWNER, appointment_id=invited.pk, accept=True)

    owner.refresh_from_db()
    event = Event.objects.get(owner_id=OWNER)
    meeting = Appointment.objects.get(pk=invited.pk)
    stored = [(event.name, event.details), (party.name, meeting.details)]
    for text in [owner.display_name, *(value for pair in stored for value in pair)]:
        assert not _RAW_CONTROL.search(text.replace("\n", "")), repr(text)

    raw = body(owner, "ics")
    assert not _RAW_CONTROL.search(raw.decode().replace("\r\n", "")), raw
    calendar_name = f"Calendar Bot: {owner.display_name}"
    calendar = icalendar.Calendar.from_ical(raw)
    # (icalendar keeps an X- property as written, unescaped; vobject reads it below.)
    read = [(str(e["SUMMARY"]), str(e.get("DESCRIPTION", ""))) for e in calendar.walk("VEVENT")]
    assert read == stored
    parsed = vobject.readOne(raw.decode())
    assert parsed.x_wr_calname.value == calendar_name
    read = [
        (e.summary.value, e.description.value if hasattr(e, "description") else "")
        for e in parsed.contents["vevent"]
    ]
    assert read == stored

    data = json.loads(body(owner, "json"))
    assert [(e["name"], e["details"]) for e in data["events"]] == stored

    text = body(owner, "csv").decode(CSV_ENCODING)
    assert text.startswith("sep=;\r\n")
    header, *rows = csv.reader(io.StringIO(text.split("\r\n", 1)[1], newline=""), delimiter=";")
    assert header == CSV_COLUMNS
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(c["name"], c["details"]) for c in cells] == [
        (in_cp1251(as_text(n)), in_cp1251(as_text(d))) for n, d in stored
    ]
