""".ics import (services.imports, services.ics_read): Google, Apple and Outlook exports read
into the calendar, a second import updating by UID, and hostile files refused or skipped
with a reason and at a bounded cost."""

import datetime as dt
import pathlib
import time

import icalendar
import pytest
import recurring_ical_events
from django.utils import timezone

from calendarapp.exceptions import ValidationFailed
from calendarapp.exports.writers import ics_chunks
from calendarapp.models import Event, OutboxMessage, Reminder
from calendarapp.selectors.calendar import calendar_entries, calendar_time_zones
from calendarapp.services import imports
from calendarapp.services.ics_read import MAX_EVENTS, MAX_ICS_BYTES
from calendarapp.services.reminders import claim_all_due_reminders, toggle_event_reminder
from calendarapp.services.users import set_user_timezone

DATA = pathlib.Path(__file__).parent / "data" / "ics"


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def calendar(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{body}END:VCALENDAR\r\n".encode()
    )


def event(uid: str, start: str = "20270110T100000Z", *extra: str) -> str:
    return "\r\n".join([f"UID:{uid}", f"DTSTART:{start}", f"SUMMARY:{uid}", *extra])


def test_google_export_with_series_exdate_override_and_all_day(alice):
    preview = imports.preview_ics(owner_tg_id=alice.pk, data=fixture("google.ics"))
    assert (preview.events, preview.series, preview.new) == (3, 2, 5)
    assert (preview.first_date, preview.last_date) == (dt.date(2027, 1, 4), dt.date(2027, 4, 5))
    assert preview.notes["all_day"] == 1 and preview.notes["override"] == 1
    assert Event.objects.count() == 0  # a preview writes nothing

    imports.import_ics(owner_tg_id=alice.pk, data=fixture("google.ics"))
    sync = Event.objects.get(owner=alice, name="Team sync")
    # 10:00 in Berlin (winter) is 12:00 in Moscow; UNTIL on the owner's clock.
    assert (sync.date, sync.time) == (dt.date(2027, 1, 4), dt.time(12, 0))
    assert sync.rrule == "FREQ=WEEKLY;UNTIL=20270329T105959;BYDAY=MO"
    # The EXDATE; the override stands in for its day as the series' own override.
    assert sync.exdates == ["2027-01-18"]
    moved = Event.objects.get(owner=alice, name="Team sync (moved)")
    assert (moved.date, moved.time, moved.rrule) == (dt.date(2027, 1, 26), dt.time(16, 0), "")
    assert (moved.recurrence_of, moved.recurrence_id) == (sync, dt.date(2027, 1, 25))
    dinner = Event.objects.get(owner=alice, name="Valentine's day dinner")
    assert (dinner.date, dinner.time) == (dt.date(2027, 2, 14), dt.time(0, 0))
    dentist = Event.objects.get(owner=alice, name="Dentist")
    assert dentist.details.startswith("Dr. Müller, 2nd floor. A long description that Google")
    assert dentist.time == dt.time(19, 0)
    assert Event.objects.get(name="Morning run").rrule == "FREQ=DAILY;COUNT=5"
    alice.refresh_from_db()
    assert alice.events_created == 5


def test_apple_export_in_its_own_zone_skips_cancelled_and_todos(alice):
    set_user_timezone(tg_id=alice.pk, text="America/New_York")
    preview = imports.preview_ics(owner_tg_id=alice.pk, data=fixture("apple.ics"))
    assert (preview.events, preview.series) == (0, 2)
    assert preview.skipped == {"cancelled": 1, "not_event": 1}
    assert preview.skipped_examples["cancelled"] == ["Flight to Lisbon"]
    imports.import_ics(owner_tg_id=alice.pk, data=fixture("apple.ics"))
    club = Event.objects.get(name="Book club")
    assert (club.date, club.time, club.rrule) == (
        dt.date(2027, 1, 12),
        dt.time(19, 0),
        "FREQ=MONTHLY;COUNT=10;BYDAY=+2TU",
    )
    assert Event.objects.get(name="Mum's birthday 🎂").rrule == "FREQ=YEARLY"


def test_a_weekday_series_that_moves_to_another_day_in_the_owners_zone_is_skipped(alice):
    # 19:00 on Tuesdays in New York is 03:00 on Wednesdays in Moscow: BYDAY=2TU would lie.
    preview = imports.preview_ics(owner_tg_id=alice.pk, data=fixture("apple.ics"))
    assert preview.skipped["rrule_other_zone"] == 1
    assert preview.skipped_examples["rrule_other_zone"] == ["Book club"]


def test_outlook_export_with_windows_zone_names(alice):
    imports.import_ics(owner_tg_id=alice.pk, data=fixture("outlook.ics"))
    meeting = Event.objects.get(owner=alice, name="Планёрка")
    assert (meeting.date, meeting.time) == (dt.date(2027, 1, 13), dt.time(9, 0))
    assert meeting.rrule == "FREQ=WEEKLY;INTERVAL=2;COUNT=8;BYDAY=WE"
    assert meeting.exdates == ["2027-02-10"]
    moved = Event.objects.get(name="Планёрка (перенесена)")
    assert (moved.time, moved.recurrence_of, moved.recurrence_id) == (
        dt.time(11, 0),
        meeting,
        dt.date(2027, 1, 27),
    )
    assert Event.objects.get(name="Отпуск").date == dt.date(2027, 1, 8)


def test_a_second_import_updates_by_uid_instead_of_duplicating(alice):
    first = imports.import_ics(owner_tg_id=alice.pk, data=fixture("google.ics"))
    assert (first.new, first.existing) == (5, 0)
    again = imports.preview_ics(owner_tg_id=alice.pk, data=fixture("google.ics"))
    assert (again.new, again.existing, again.unchanged) == (0, 5, 5)
    imports.import_ics(owner_tg_id=alice.pk, data=fixture("google.ics"))
    assert Event.objects.filter(owner=alice).count() == 5
    changed = fixture("google.ics").replace(b"SUMMARY:Dentist", b"SUMMARY:Dentist (Dr. M)")
    result = imports.import_ics(owner_tg_id=alice.pk, data=changed)
    assert (result.new, result.existing, result.unchanged) == (0, 5, 4)
    assert Event.objects.filter(owner=alice).count() == 5
    assert Event.objects.filter(name="Dentist (Dr. M)").exists()


def test_imported_events_are_reminded_with_the_default_lead_time(alice):
    imports.import_ics(owner_tg_id=alice.pk, data=fixture("google.ics"))
    sync = Event.objects.get(name="Team sync")
    reminder = Reminder.objects.get(event=sync)
    assert reminder.minutes == alice.default_reminder_minutes
    assert reminder.next_at == sync.starts_at - dt.timedelta(minutes=reminder.minutes)
    # Every occurrence of an imported series is reminded, its cancelled day left out.
    claim_all_due_reminders(now=reminder.next_at)
    claim_all_due_reminders(now=reminder.next_at + dt.timedelta(weeks=1))
    claim_all_due_reminders(now=reminder.next_at + dt.timedelta(weeks=2))
    days = [m.payload["on"] for m in OutboxMessage.objects.filter(payload__event_id=sync.pk)]
    assert days == ["2027-01-04", "2027-01-11"]  # the 18th is an EXDATE


def test_a_second_import_keeps_the_reminders_and_moves_them_with_their_event(alice, monkeypatch):
    imports.import_ics(owner_tg_id=alice.pk, data=fixture("google.ics"))
    sync = Event.objects.get(name="Team sync")
    toggle_event_reminder(owner_tg_id=alice.pk, event_id=sync.pk, minutes=1440)
    first = {r.minutes: r.next_at for r in Reminder.objects.filter(event=sync)}
    # Two hours after the first day-before reminder was sent.
    now = first[1440] + dt.timedelta(hours=2)
    claim_all_due_reminders(now=now)
    monkeypatch.setattr(timezone, "now", lambda: now)
    sent = {r.minutes: r.next_at for r in Reminder.objects.filter(event=sync)}
    assert sent[1440] == first[1440] + dt.timedelta(weeks=1)
    # The same file again: nothing changes, nothing is sent again.
    imports.import_ics(owner_tg_id=alice.pk, data=fixture("google.ics"))
    assert {r.minutes: r.next_at for r in Reminder.objects.filter(event=sync)} == sent
    # The series an hour later: both lead times kept, due an hour later (the first
    # day-before reminder's new time is over too, so it is not sent again).
    later = fixture("google.ics").replace(
        b"DTSTART;TZID=Europe/Berlin:20270104T100000", b"DTSTART;TZID=Europe/Berlin:20270104T110000"
    )
    imports.import_ics(owner_tg_id=alice.pk, data=later)
    moved = {r.minutes: r.next_at for r in Reminder.objects.filter(event=sync)}
    assert moved == {minutes: due + dt.timedelta(hours=1) for minutes, due in sent.items()}


def test_an_imported_past_event_is_not_reminded(alice):
    imports.import_ics(owner_tg_id=alice.pk, data=calendar(event("old", "20200110T100000Z")))
    assert Reminder.objects.get(event__ics_uid="old").next_at is None


def test_the_same_file_for_two_people_makes_events_for_each(alice, bob):
    imports.import_ics(owner_tg_id=alice.pk, data=fixture("outlook.ics"))
    imports.import_ics(owner_tg_id=bob.pk, data=fixture("outlook.ics"))
    assert Event.objects.filter(owner=alice).count() == Event.objects.filter(owner=bob).count()
    assert Event.objects.filter(owner=bob).count() == 3


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("FREQ=DAILY;COUNT=1000000000", "rrule_count"),
        ("FREQ=SECONDLY", "rrule_too_frequent"),
        ("FREQ=MINUTELY;COUNT=5", "rrule_too_frequent"),
        ("FREQ=HOURLY", "rrule_too_frequent"),
        ("FREQ=WEEKLY;INTERVAL=0", "rrule_interval"),
        ("FREQ=DAILY;INTERVAL=1000", "rrule_interval"),
        ("FREQ=FORTNIGHTLY", "malformed"),
        ("FREQ=DAILY;BYSECOND=1,2,3;BYMINUTE=0", "rrule_too_frequent"),
        ("FREQ=WEEKLY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12", "rrule_too_frequent"),
    ],
)
def test_a_series_that_would_expand_without_end_is_skipped_by_name(alice, rule, code):
    data = calendar(event("ok"), event("forever", "20270110T100000Z", f"RRULE:{rule}"))
    started = time.perf_counter()
    preview = imports.preview_ics(owner_tg_id=alice.pk, data=data)
    assert time.perf_counter() - started < 5  # nothing was expanded
    assert preview.skipped == {code: 1}
    assert preview.skipped_examples[code] == ["forever"]
    imports.import_ics(owner_tg_id=alice.pk, data=data)
    assert list(Event.objects.values_list("name", flat=True)) == ["ok"]


def test_dates_out_of_range_and_malformed_events_are_skipped(alice):
    data = calendar(
        event("ok"),
        event("ancient", "18500101T100000Z"),
        event("far", "99990101T100000Z"),
        event("garbage", "20270110T100000Z", "this is not a content line"),
        event("no start", "notadate"),
        "UID:nostart\r\nSUMMARY:nothing",
    )
    preview = imports.preview_ics(owner_tg_id=alice.pk, data=data)
    assert preview.events == 1
    assert preview.skipped == {"date_out_of_range": 2, "malformed": 2, "no_start": 1}


def test_huge_texts_and_control_characters_are_cleaned_and_shortened(alice):
    huge = "x" * 100_000
    data = calendar(
        event("a", "20270110T100000Z", f"DESCRIPTION:{huge}").replace(
            "SUMMARY:a", "SUMMARY:Bad\\nname\x00\x1b[31m\u202e" + "y" * 500
        )
    )
    preview = imports.import_ics(owner_tg_id=alice.pk, data=data)
    assert preview.notes["shortened"] == 2
    stored = Event.objects.get()
    assert len(stored.name) == 200 and stored.name.endswith("…")
    assert stored.name.startswith("Bad name[31m")  # no NUL, ESC, bidi override, newline
    assert len(stored.details) == 1000


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"hello, this is a text file", "ics_not_calendar"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "ics_not_calendar"),
        (b"BEGIN:VCALENDAR\r\n" + b"x" * (MAX_ICS_BYTES + 1), "ics_too_large"),
        (calendar(*[event(f"e{n}") for n in range(MAX_EVENTS + 1)]), "ics_too_many_events"),
        (b"BEGIN:VCALENDAR\r\n" + b"BEGIN:X\r\n" * 30_000, "ics_too_many_events"),
        (b"BEGIN:VCALENDAR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "ics_malformed"),
    ],
)
def test_hostile_files_are_refused_whole_with_a_stable_code(alice, data, code):
    started = time.perf_counter()
    with pytest.raises(ValidationFailed) as refused:
        imports.preview_ics(owner_tg_id=alice.pk, data=data)
    assert refused.value.code == code
    assert time.perf_counter() - started < 5


def test_the_kept_preview_imports_once_and_a_newer_one_wins(alice):
    _preview, old_token = imports.offer_import(
        owner_tg_id=alice.pk, data=fixture("outlook.ics"), source="outlook.ics"
    )
    _preview, token = imports.offer_import(
        owner_tg_id=alice.pk, data=fixture("google.ics"), source="google.ics"
    )
    with pytest.raises(ValidationFailed) as stale:
        imports.confirm_import(owner_tg_id=alice.pk, token=old_token)
    assert stale.value.code == "import_draft_gone"
    result, source = imports.confirm_import(owner_tg_id=alice.pk, token=token)
    assert (result.new, source) == (5, "google.ics")
    with pytest.raises(ValidationFailed):
        imports.confirm_import(owner_tg_id=alice.pk, token=token)
    assert Event.objects.count() == 5


# 2027-01-04 is a Monday; 10:00 UTC is 13:00 in Moscow (Alice's zone).
RDATES = event(
    "rdates@example.com",
    "20270104T100000Z",
    "RRULE:FREQ=WEEKLY;COUNT=4",
    "EXDATE:20270125T100000Z",
    "RDATE:20270106T150000Z,20270111T100000Z,20270118T120000Z,20270125T100000Z",
    "RDATE;VALUE=DATE:20270107,20270108",
    "DESCRIPTION:Room 4",
)
RDATE_OVERRIDE = event(
    "rdates@example.com", "20270108T070000Z", "RECURRENCE-ID;VALUE=DATE:20270108"
)


def test_rdates_become_occurrences_of_their_own_and_go_back_out(alice):
    data = calendar(RDATES, RDATE_OVERRIDE)
    preview = imports.preview_ics(owner_tg_id=alice.pk, data=data)
    # The Wednesday and the Thursday; Friday has the file's own override; a Monday the
    # series has anyway, and the cancelled one, add nothing; another time on a Monday
    # would hide that Monday's occurrence: said, not dropped.
    assert (preview.notes["rdate"], preview.notes["override"]) == (2, 1)
    assert preview.skipped == {"rdate_same_day": 1}
    assert preview.skipped_examples == {"rdate_same_day": ["rdates@example.com"]}
    assert (preview.series, preview.events, preview.new) == (1, 3, 4)

    imports.import_ics(owner_tg_id=alice.pk, data=data)
    series = Event.objects.get(owner=alice, rrule__gt="")
    extra = {
        e.recurrence_id: (e.date, e.time, e.name, e.details)
        for e in Event.objects.filter(recurrence_of=series)
    }
    assert extra == {
        dt.date(2027, 1, 6): (dt.date(2027, 1, 6), dt.time(18), series.name, "Room 4"),
        dt.date(2027, 1, 7): (dt.date(2027, 1, 7), dt.time(13), series.name, "Room 4"),
        dt.date(2027, 1, 8): (dt.date(2027, 1, 8), dt.time(10), series.name, ""),
    }
    assert series.exdates == ["2027-01-25"]

    # Read back by other programs, our export has every occurrence the file had (the
    # refused 12:00 one aside); imported again, it changes nothing.
    ours = b"".join(ics_chunks(alice, calendar_entries(owner=alice), calendar_time_zones(alice)))
    starts = sorted(
        e["dtstart"].dt.astimezone(dt.UTC)
        for e in recurring_ical_events.of(icalendar.Calendar.from_ical(ours)).between(
            dt.date(2027, 1, 1), dt.date(2027, 2, 1)
        )
    )
    assert [f"{moment:%m-%d %H:%M}" for moment in starts] == [
        "01-04 10:00", "01-06 15:00", "01-07 10:00", "01-08 07:00", "01-11 10:00",
        "01-18 10:00",
    ]  # fmt: skip
    for again in (ours, data):
        result = imports.import_ics(owner_tg_id=alice.pk, data=again)
        assert (result.new, result.unchanged) == (0, 4)


def test_a_series_with_too_many_rdates_is_skipped_by_name(alice):
    days = ",".join(f"2027{month:02}{day:02}" for month in (3, 4, 5, 6) for day in range(1, 27))
    data = calendar(event("many", "20270104T100000Z", "RRULE:FREQ=YEARLY",
                          f"RDATE;VALUE=DATE:{days}"))  # fmt: skip
    preview = imports.preview_ics(owner_tg_id=alice.pk, data=data)
    assert (preview.total, preview.skipped) == (0, {"rdate_too_many": 1})
