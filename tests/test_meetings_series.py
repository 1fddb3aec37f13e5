"""Meetings on a repeating event: invited to one occurrence (not a cancelled day; an
overridden day is its override's) or to the whole series, and the busy check reading the
series' occurrences; through the services and POST /api/appointments/, and the guest's
calendar and ICS."""

import datetime as dt
import zoneinfo

import icalendar
import pytest
import recurring_ical_events
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendarapp.exceptions import Conflict, ValidationFailed
from calendarapp.exports.writers import ics_chunks
from calendarapp.selectors.calendar import (
    calendar_entries,
    calendar_time_zones,
    calendar_version,
)
from calendarapp.selectors.occurrences import calendar_with_occurrences
from calendarapp.services.appointments import create_appointment, respond_to_invitation
from calendarapp.services.events import create_event, set_event_rule
from calendarapp.services.series import delete_occurrences, edit_occurrences
from tests.support.programs import require_program
from tests.test_export_interop import khal_with

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 1, 4)
TEN = dt.time(10)


def week(n: int) -> dt.date:
    return MONDAY + dt.timedelta(weeks=n)


def weekly(owner, name="Standup"):
    event = create_event(owner_tg_id=owner.pk, name=name, date=MONDAY, time=TEN)
    return set_event_rule(owner_tg_id=owner.pk, event_id=event.pk, rule="FREQ=WEEKLY;BYDAY=MO")


@pytest.fixture
def carol(make_user):
    return make_user(1003, "carol", "Carol")


def invite(organizer, guest, event, **extra):
    return create_appointment(
        organizer_tg_id=organizer.pk, participant_tg_id=guest.pk, event_id=event.pk, **extra
    )


def test_an_occurrence_is_accepted_and_another_day_refused(alice, bob):
    standup = weekly(alice)
    meeting = invite(alice, bob, standup, date=week(2))
    assert (meeting.event_id, meeting.date, meeting.time) == (standup.pk, week(2), TEN)
    assert not meeting.whole_series
    with pytest.raises(ValidationFailed) as refused:
        invite(alice, bob, weekly(alice, "Other"), date=week(2) + dt.timedelta(days=1))
    assert refused.value.code == "not_an_occurrence"


def test_a_cancelled_day_is_refused(alice, bob):
    standup = weekly(alice)
    delete_occurrences(owner_tg_id=alice.pk, event_id=standup.pk, day=week(1), scope="one")
    with pytest.raises(ValidationFailed) as refused:
        invite(alice, bob, standup, date=week(1))
    assert refused.value.code == "not_an_occurrence"


def test_an_overridden_day_is_a_meeting_on_the_override_at_its_time(alice, bob):
    standup = weekly(alice)
    override = edit_occurrences(owner_tg_id=alice.pk, event_id=standup.pk, day=week(1),
                                scope="one", time=dt.time(15))  # fmt: skip
    meeting = invite(alice, bob, standup, date=week(1))
    assert (meeting.event_id, meeting.date, meeting.time) == (override.pk, week(1), dt.time(15))


def test_a_whole_series_meeting_makes_the_guest_busy_at_each_occurrence(alice, bob, carol):
    invite(alice, bob, weekly(alice), whole_series=True)
    lunch = create_event(owner_tg_id=carol.pk, name="Lunch", date=week(5), time=TEN)
    with pytest.raises(Conflict) as busy:
        invite(carol, bob, lunch)
    assert busy.value.code == "participant_busy"
    assert invite(carol, bob, lunch, time=dt.time(11)).time == dt.time(11)  # not at 10:00


def test_the_busy_check_reads_a_persons_series_meetings_in_a_fixed_number_of_queries(
    alice, bob, carol
):
    # Carol's invitation of Bob costs as many queries whether Bob is a guest of one of
    # Alice's weekly series or of six: not a query per series.
    def series(n):
        event = create_event(owner_tg_id=alice.pk, name=f"S{n}", date=MONDAY, time=dt.time(n))
        rule = "FREQ=WEEKLY;BYDAY=MO"
        invite(alice, bob, set_event_rule(owner_tg_id=alice.pk, event_id=event.pk, rule=rule),
               whole_series=True)  # fmt: skip

    def queries_of_an_invitation(name, weeks):
        lunch = create_event(owner_tg_id=carol.pk, name=name, date=week(weeks), time=dt.time(12))
        with CaptureQueriesContext(connection) as queries:
            invite(carol, bob, lunch)
        return len(queries)

    series(0)
    with_one = queries_of_an_invitation("Lunch", 5)
    for n in range(1, 6):
        series(n)
    assert queries_of_an_invitation("Dinner", 6) == with_one


def test_a_whole_series_meeting_leaves_a_cancelled_day_free(alice, bob, carol):
    standup = weekly(alice)
    invite(alice, bob, standup, whole_series=True)
    delete_occurrences(owner_tg_id=alice.pk, event_id=standup.pk, day=week(5), scope="one")
    lunch = create_event(owner_tg_id=carol.pk, name="Lunch", date=week(5), time=TEN)
    assert invite(carol, bob, lunch).date == week(5)


def test_a_whole_series_invitation_collides_with_a_meeting_on_an_occurrence(alice, bob, carol):
    lunch = create_event(owner_tg_id=carol.pk, name="Lunch", date=week(30), time=TEN)
    invite(carol, bob, lunch)
    standup = weekly(alice)
    with pytest.raises(Conflict) as busy:
        invite(alice, bob, standup, whole_series=True)
    assert busy.value.code == "participant_busy"
    # One occurrence on another day is free.
    assert invite(alice, bob, standup, date=week(2)).date == week(2)


def test_two_whole_series_collide_on_a_shared_occurrence(alice, bob, carol):
    invite(alice, bob, weekly(alice), whole_series=True)
    daily = create_event(owner_tg_id=carol.pk, name="Gym", date=week(1) + dt.timedelta(days=2),
                         time=TEN)  # fmt: skip
    daily = set_event_rule(owner_tg_id=carol.pk, event_id=daily.pk, rule="FREQ=DAILY")
    with pytest.raises(Conflict) as busy:
        invite(carol, bob, daily, whole_series=True)
    assert busy.value.code == "participant_busy"


def test_whole_series_refusals(alice, bob):
    one_off = create_event(owner_tg_id=alice.pk, name="Party", date=MONDAY, time=TEN)
    with pytest.raises(ValidationFailed) as refused:
        invite(alice, bob, one_off, whole_series=True)
    assert refused.value.code == "not_a_series"
    with pytest.raises(ValidationFailed) as refused:
        invite(alice, bob, weekly(alice), whole_series=True, date=week(1))
    assert refused.value.code == "whole_series_with_date"


def body(organizer, guest, event, **extra):
    return {"organizer_tg_id": organizer.pk, "participant_tg_id": guest.pk,
            "event_id": event.pk, **extra}  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "code", "field"),
    [
        ({"date": "2027-01-05"}, "not_an_occurrence", "date"),  # a Tuesday
        ({"whole_series": "yes"}, "invalid", "whole_series"),
        ({"whole_series": 1}, "invalid", "whole_series"),
        ({"whole_series": True, "date": "2027-01-11"}, "whole_series_with_date", "whole_series"),
    ],
)
def test_api_refuses_with_a_reason(api, alice, bob, extra, code, field):
    response = api.post("/api/appointments/", body(alice, bob, weekly(alice), **extra),
                        format="json")  # fmt: skip
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert response.json().get("field", field) == field
    assert field in response.content.decode()


def test_api_refuses_a_whole_series_of_a_one_off_event(api, alice, bob):
    party = create_event(owner_tg_id=alice.pk, name="Party", date=MONDAY, time=TEN)
    response = api.post("/api/appointments/", body(alice, bob, party, whole_series=True),
                        format="json")  # fmt: skip
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("not_a_series", "whole_series")


def test_api_invites_to_an_occurrence_and_to_the_series(api, alice, bob, carol):
    standup = weekly(alice)
    response = api.post("/api/appointments/", body(alice, bob, standup, date="2027-01-18"),
                        format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    assert (response.json()["date"], response.json()["whole_series"]) == ("2027-01-18", False)
    response = api.post("/api/appointments/", body(alice, carol, standup, whole_series=True),
                        format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    assert (response.json()["date"], response.json()["whole_series"]) == ("2027-01-04", True)


def test_api_schema_names_whole_series(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    fields = schema["components"]["schemas"]["Appointment"]["properties"]
    assert fields["whole_series"]["type"] == "boolean"


def test_a_whole_series_meeting_is_in_the_guests_calendar_as_its_occurrences(alice, bob):
    standup = weekly(alice)
    delete_occurrences(owner_tg_id=alice.pk, event_id=standup.pk, day=week(1), scope="one")
    meeting = invite(alice, bob, standup, whole_series=True)
    respond_to_invitation(participant_tg_id=bob.pk, appointment_id=meeting.pk, accept=True)
    listing = calendar_with_occurrences(owner_tg_id=bob.pk, today=MONDAY)
    rows = [(row["kind"], row["ref"], row["day"], row.get("repeats")) for row in listing[0:4]]
    assert rows == [(1, meeting.pk, week(n), True) for n in (0, 2, 3, 4)]
    ics = b"".join(ics_chunks(bob, calendar_entries(owner=bob), calendar_time_zones(bob)))
    assert b"RRULE:FREQ=WEEKLY;BYDAY=MO" in ics and b"EXDATE" in ics


def test_a_whole_series_meeting_carries_the_series_changed_days_to_the_guest(alice, bob, tmp_path):
    standup = weekly(alice)
    meeting = invite(alice, bob, standup, whole_series=True)
    respond_to_invitation(participant_tg_id=bob.pk, appointment_id=meeting.pk, accept=True)
    before = calendar_version(bob)
    edit_occurrences(
        owner_tg_id=alice.pk, event_id=standup.pk, day=week(2), scope="one", time=dt.time(12)
    )
    # The guest's feed is polled with its version (ETag): a changed day is a new one.
    assert calendar_version(bob) != before
    edit_occurrences(
        owner_tg_id=alice.pk, event_id=standup.pk, day=week(3), scope="one", name="Retro"
    )
    listing = calendar_with_occurrences(owner_tg_id=bob.pk, today=MONDAY)
    assert [(row["day"], row["at"], row["title"]) for row in listing[0:4]] == [
        (week(0), TEN, "Standup"),
        (week(1), TEN, "Standup"),
        (week(2), dt.time(12), "Standup"),
        (week(3), TEN, "Retro"),
    ]
    ics = b"".join(ics_chunks(bob, calendar_entries(owner=bob), calendar_time_zones(bob)))
    calendar = icalendar.Calendar.from_ical(ics)
    seen = recurring_ical_events.of(calendar).between(MONDAY, week(4))
    moscow = zoneinfo.ZoneInfo(alice.timezone)
    assert sorted((str(e["SUMMARY"]), e["DTSTART"].dt.astimezone(moscow)) for e in seen) == [
        ("Retro", dt.datetime.combine(week(3), TEN, moscow)),
        ("Standup", dt.datetime.combine(week(0), TEN, moscow)),
        ("Standup", dt.datetime.combine(week(1), TEN, moscow)),
        ("Standup", dt.datetime.combine(week(2), dt.time(12), moscow)),
    ]
    # The changed days belong to the meeting's own VEVENT (its UID), not to the organiser's.
    assert {str(e["UID"]) for e in seen} == {f"meeting-{meeting.pk}@calendar-bot"}
    # khal (UTC listing: Moscow is UTC+3) shows the same four days.
    listing = khal_with(require_program("khal", package="khal"), tmp_path, ics)
    assert listing("{title}|{start-long}", "2027-01-04", "2027-01-26") == [
        "Standup|2027-01-04 07:00",
        "Standup|2027-01-11 07:00",
        "Standup|2027-01-18 09:00",
        "Retro|2027-01-25 07:00",
    ]
