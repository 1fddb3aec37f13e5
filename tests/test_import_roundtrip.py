"""Our own ICS export imported again: into another person's calendar it gives the same
events (series, EXDATEs, details), which then show in /display_events' listing and in that
person's export; into the owner's own calendar it changes nothing, however often."""

import datetime as dt
import pathlib

import icalendar
from django.utils import timezone

from calendarapp.exports.writers import ics_chunks
from calendarapp.models import Event
from calendarapp.selectors.calendar import calendar_entries, calendar_time_zones
from calendarapp.selectors.occurrences import own_listing
from calendarapp.services import imports
from calendarapp.services.events import create_event, skip_occurrence
from calendarapp.services.series import edit_occurrences

DATA = pathlib.Path(__file__).parent / "data" / "ics"


def export(owner) -> bytes:
    owner.refresh_from_db()
    return b"".join(ics_chunks(owner, calendar_entries(owner=owner), calendar_time_zones(owner)))


def shape(owner):
    rows = Event.objects.filter(owner=owner).order_by("date", "time", "name")
    return [(e.name, e.date, e.time, e.details, e.rrule, e.exdates) for e in rows]


def test_export_then_import_gives_the_same_events_and_twice_keeps_the_count(alice, bob):
    soon = timezone.localdate() + dt.timedelta(days=3)
    create_event(owner_tg_id=alice.pk, name="Dentist", date=soon, time=dt.time(9, 30),
                 details="Bring the card,\nand; the form")  # fmt: skip
    weekly = create_event(
        owner_tg_id=alice.pk, name="Yoga", date=soon, time=dt.time(18), rrule="FREQ=WEEKLY;COUNT=6"
    )
    skip_occurrence(owner_tg_id=alice.pk, event_id=weekly.pk, date=soon + dt.timedelta(days=7))
    create_event(
        owner_tg_id=alice.pk,
        name="Rent",
        date=soon + dt.timedelta(days=1),
        time=dt.time(12),
        rrule="FREQ=MONTHLY;UNTIL=20991231T235959",
    )
    data = export(alice)

    result = imports.import_ics(owner_tg_id=bob.pk, data=data)
    assert (result.new, result.skipped) == (3, {})
    assert shape(bob) == shape(alice)
    listed = own_listing(owner_tg_id=bob.pk, today=timezone.localdate())
    names = [row.name for row in listed[0:20]]
    assert names.count("Yoga") == 5 and "Dentist" in names and "Rent" in names
    assert b"SUMMARY:Yoga" in export(bob) and b"EXDATE" in export(bob)

    again = imports.import_ics(owner_tg_id=bob.pk, data=data)
    assert (again.new, again.existing, again.unchanged) == (0, 3, 3)
    # The owner's own export finds the owner's own events (event-<id>@calendar-bot).
    own = imports.import_ics(owner_tg_id=alice.pk, data=data)
    assert (own.new, own.existing, own.unchanged) == (0, 3, 3)
    assert Event.objects.filter(owner=alice).count() == 3
    assert Event.objects.filter(owner=bob).count() == 3


def vevents(data: bytes) -> list:
    return icalendar.Calendar.from_ical(data).walk("VEVENT")


def instant(prop) -> dt.datetime | dt.date:
    value = prop.dt
    return value.astimezone(dt.UTC) if isinstance(value, dt.datetime) else value


def identities(data: bytes) -> set:
    """(UID, the occurrence a VEVENT stands in for as an instant, or None)."""
    return {
        (str(e["uid"]), instant(e["recurrence-id"]) if "recurrence-id" in e else None)
        for e in vevents(data)
    }


def test_imported_events_go_out_with_their_own_uids_and_come_back_as_the_same(alice):
    google = (DATA / "google.ics").read_bytes()
    imports.import_ics(owner_tg_id=alice.pk, data=google)
    ours = export(alice)
    assert identities(ours) == identities(google)
    assert b"@calendar-bot" not in ours
    # The moved occurrence: the series' UID, RECURRENCE-ID at the instant the file names.
    (moved,) = [e for e in vevents(ours) if "recurrence-id" in e]
    assert instant(moved["recurrence-id"]) == dt.datetime(2027, 1, 25, 9, tzinfo=dt.UTC)
    assert str(moved["summary"]) == "Team sync (moved)"

    shape_before = shape(alice)
    for data in (ours, google):
        again = imports.import_ics(owner_tg_id=alice.pk, data=data)
        assert (again.new, again.existing, again.unchanged) == (0, 5, 5)
        assert shape(alice) == shape_before
    assert Event.objects.filter(owner=alice).count() == 5


def test_a_series_with_an_edited_occurrence_comes_back_unchanged(alice, bob):
    soon = timezone.localdate() + dt.timedelta(days=3)
    weekly = create_event(
        owner_tg_id=alice.pk, name="Yoga", date=soon, time=dt.time(18), rrule="FREQ=WEEKLY;COUNT=6"
    )
    week = soon + dt.timedelta(days=7)
    edit_occurrences(owner_tg_id=alice.pk, event_id=weekly.pk, day=week, scope="one",
                     time=dt.time(20))  # fmt: skip
    data = export(alice)

    own = imports.import_ics(owner_tg_id=alice.pk, data=data)
    assert (own.new, own.existing, own.unchanged) == (0, 2, 2)
    weekly.refresh_from_db()
    assert weekly.exdates == [] and Event.objects.filter(owner=alice).count() == 2

    # Into another calendar: the series and its override, linked as ours are.
    imports.import_ics(owner_tg_id=bob.pk, data=data)
    series = Event.objects.get(owner=bob, recurrence_of=None)
    override = Event.objects.get(owner=bob, recurrence_of=series)
    assert (override.recurrence_id, override.time, series.exdates) == (week, dt.time(20), [])
    assert identities(export(bob)) == identities(data)
    again = imports.import_ics(owner_tg_id=bob.pk, data=export(bob))
    assert (again.new, again.unchanged) == (0, 2)
