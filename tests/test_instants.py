"""The instant each event and meeting starts (`starts_at`): kept with every write, and what the
exports sort by and write as UTC, at daylight-saving edges too."""

import csv
import datetime as dt
import io
import json

import icalendar
import pytest

from calendarapp.exceptions import Conflict
from calendarapp.models import Event
from calendarapp.selectors.calendar_listing import calendar_listing
from calendarapp.services.appointments import create_appointment, respond_to_invitation
from calendarapp.services.events import create_event, update_event
from calendarapp.services.export_tokens import issue_export_token
from calendarapp.services.users import set_user_timezone

pytestmark = pytest.mark.django_db

UTC = dt.UTC
SPRING = dt.date(2027, 3, 28)  # Europe/Berlin: 02:00 -> 03:00
AUTUMN = dt.date(2027, 10, 31)  # Europe/Berlin: 03:00 -> 02:00


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def export(client, tg_id: int, fmt: str) -> bytes:
    response = client.get(f"/export/{fmt}/", {"token": issue_export_token(tg_id).token})
    assert response.status_code == 200
    return body(response)


def csv_rows(raw: bytes) -> list[dict]:
    text = raw.decode("cp1251").split("\r\n", 1)[1]
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


@pytest.fixture
def novosibirsk_and_moscow(alice, bob, tomorrow):
    """Alice in Novosibirsk with an 18:00 event; a 15:30 meeting of Bob's (Moscow) that
    she accepted, the same day: hers starts first (14:00 Moscow time)."""
    set_user_timezone(tg_id=alice.pk, text="Asia/Novosibirsk")
    create_event(owner_tg_id=alice.pk, name="Evening", date=tomorrow, time=dt.time(18))
    party = create_event(owner_tg_id=bob.pk, name="Party", date=tomorrow, time=dt.time(15, 30))
    meeting = create_appointment(organizer_tg_id=bob.pk, participant_tg_id=alice.pk,
                                 event_id=party.pk)  # fmt: skip
    respond_to_invitation(participant_tg_id=alice.pk, appointment_id=meeting.pk, accept=True)
    return alice


def test_exports_come_soonest_first_by_the_real_instant(client, novosibirsk_and_moscow, tomorrow):
    day = tomorrow.isoformat()
    expected = [("Evening", f"{day}T11:00:00Z"), ("Party", f"{day}T12:30:00Z")]
    rows = csv_rows(export(client, novosibirsk_and_moscow.pk, "csv"))
    assert [(r["name"], r["start_utc"]) for r in rows] == expected
    data = json.loads(export(client, novosibirsk_and_moscow.pk, "json"))
    assert [(e["name"], e["start_utc"]) for e in data["events"]] == expected
    events = icalendar.Calendar.from_ical(export(client, novosibirsk_and_moscow.pk, "ics"))
    assert [str(e["SUMMARY"]) for e in events.walk("VEVENT")] == ["Evening", "Party"]


def test_the_bots_calendar_lists_by_the_real_instant(novosibirsk_and_moscow):
    listing = calendar_listing(novosibirsk_and_moscow.pk)
    assert [row["title"] for row in listing] == ["Evening", "Party"]


def test_starts_at_follows_edits_moves_and_zone_changes(alice, bob, tomorrow):
    event = create_event(owner_tg_id=bob.pk, name="Party", date=tomorrow, time=dt.time(12))
    meeting = create_appointment(organizer_tg_id=bob.pk, participant_tg_id=alice.pk,
                                 event_id=event.pk)  # fmt: skip
    noon_moscow = dt.datetime.combine(tomorrow, dt.time(9), tzinfo=UTC)
    assert (event.starts_at, meeting.starts_at) == (noon_moscow, noon_moscow)

    update_event(owner_tg_id=bob.pk, event_id=event.pk, time=dt.time(13))
    event.refresh_from_db()
    meeting.refresh_from_db()
    assert event.starts_at == meeting.starts_at == noon_moscow + dt.timedelta(hours=1)

    set_user_timezone(tg_id=bob.pk, text="Europe/Berlin")  # 13:00 now means 12:00 UTC
    event.refresh_from_db()
    meeting.refresh_from_db()
    berlin = dt.datetime.combine(tomorrow, dt.time(12), tzinfo=UTC)
    assert event.starts_at == meeting.starts_at == berlin


@pytest.mark.parametrize(
    ("date", "expected_utc"),
    [
        # The skipped 02:30 means 03:30 summer time; the repeated one the first (summer) time.
        (SPRING, "2027-03-28T01:30:00Z"),
        (AUTUMN, "2027-10-31T00:30:00Z"),
    ],
)
def test_a_time_the_clocks_skip_or_repeat_has_one_meaning_in_every_export(
    client, alice, date, expected_utc
):
    set_user_timezone(tg_id=alice.pk, text="Europe/Berlin")
    create_event(owner_tg_id=alice.pk, name="Edge", date=date, time=dt.time(2, 30))
    assert csv_rows(export(client, alice.pk, "csv"))[0]["start_utc"] == expected_utc
    assert json.loads(export(client, alice.pk, "json"))["events"][0]["start_utc"] == expected_utc
    (event,) = icalendar.Calendar.from_ical(export(client, alice.pk, "ics")).walk("VEVENT")
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == dt.datetime.fromisoformat(expected_utc)
    assert end - start == dt.timedelta(hours=1)  # never 0 or 2 hours


def test_an_hour_ending_in_the_repeated_hour_ends_an_hour_later(client, alice):
    set_user_timezone(tg_id=alice.pk, text="Europe/Berlin")
    create_event(owner_tg_id=alice.pk, name="Late", date=AUTUMN, time=dt.time(1, 30))
    (event,) = icalendar.Calendar.from_ical(export(client, alice.pk, "ics")).walk("VEVENT")
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.astimezone(UTC) == dt.datetime(2027, 10, 30, 23, 30, tzinfo=UTC)
    assert end.astimezone(UTC) - start.astimezone(UTC) == dt.timedelta(hours=1)


def test_rows_written_around_save_still_export_at_their_instant(client, alice, tomorrow):
    """bulk_create (the benches, a data import) skips Model.save() and so the instant: the
    download still works and says it (where such a row sorts is the database's NULL order)."""
    Event.objects.bulk_create([Event(owner=alice, name="Bulk", date=tomorrow, time=dt.time(9))])
    create_event(owner_tg_id=alice.pk, name="Saved", date=tomorrow, time=dt.time(10))
    rows = csv_rows(export(client, alice.pk, "csv"))
    assert sorted((r["name"], r["start_utc"]) for r in rows) == [
        ("Bulk", f"{tomorrow.isoformat()}T06:00:00Z"),
        ("Saved", f"{tomorrow.isoformat()}T07:00:00Z"),
    ]
    events = icalendar.Calendar.from_ical(export(client, alice.pk, "ics")).walk("VEVENT")
    starts = {str(e["SUMMARY"]): e.decoded("DTSTART").astimezone(UTC) for e in events}
    assert starts["Bulk"] == dt.datetime.combine(tomorrow, dt.time(6), tzinfo=UTC)


def test_the_busy_check_compares_instants_not_wall_clocks(alice, bob, make_user, tomorrow):
    carol = make_user(1003, "carol", "Carol")
    set_user_timezone(tg_id=carol.pk, text="Europe/Berlin")

    def invite(organizer, time):
        event = create_event(owner_tg_id=organizer.pk, name="Talk", date=tomorrow, time=time)
        return create_appointment(
            organizer_tg_id=organizer.pk, participant_tg_id=alice.pk, event_id=event.pk
        )

    invite(bob, dt.time(12))  # 12:00 Moscow
    assert invite(carol, dt.time(12))  # 12:00 Berlin is 14:00 Moscow: free
    with pytest.raises(Conflict) as error:
        invite(carol, dt.time(10))  # 10:00 Berlin is 12:00 Moscow: taken
    assert error.value.code == "participant_busy"
