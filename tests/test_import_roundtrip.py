"""Our own ICS export imported again: into another person's calendar it gives the same
events (series, EXDATEs, details), which then show in /display_events' listing and in that
person's export; into the owner's own calendar it changes nothing, however often."""

import datetime as dt

from django.utils import timezone

from calendarapp.exports.writers import ics_chunks
from calendarapp.models import Event
from calendarapp.selectors.calendar import calendar_entries, calendar_time_zones
from calendarapp.selectors.occurrences import own_listing
from calendarapp.services import imports
from calendarapp.services.events import create_event, skip_occurrence


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
