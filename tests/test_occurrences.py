"""Series in lists: occurrences in a window on the owner's wall clock, merged into pages."""

import datetime as dt

import pytest

from calendarapp.selectors.occurrences import calendar_window, own_listing, series_occurrences
from calendarapp.services.events import create_event, set_event_rule
from calendarapp.services.users import set_user_timezone

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def series(owner, *, date, time, rule, name="Series"):
    event = create_event(owner_tg_id=owner.pk, name=name, date=date, time=time)
    return set_event_rule(owner_tg_id=owner.pk, event_id=event.pk, rule=rule)


def instants(owner, first, last):
    found = series_occurrences(owner_tg_id=owner.pk, first=first, last=last, keep_ended=False)
    return [(item.date, item.time, item.starts_at.astimezone(UTC).time()) for item in found]


def test_berlin_keeps_ten_oclock_across_both_clock_changes(alice):
    set_user_timezone(tg_id=alice.pk, text="Europe/Berlin")
    series(alice, date=dt.date(2027, 3, 21), time=dt.time(10), rule="FREQ=WEEKLY")
    assert instants(alice, dt.date(2027, 3, 20), dt.date(2027, 4, 4)) == [
        (dt.date(2027, 3, 21), dt.time(10), dt.time(9)),  # winter: UTC+1
        (dt.date(2027, 3, 28), dt.time(10), dt.time(8)),  # the change day itself: summer
        (dt.date(2027, 4, 4), dt.time(10), dt.time(8)),
    ]
    assert instants(alice, dt.date(2027, 10, 24), dt.date(2027, 11, 7)) == [
        (dt.date(2027, 10, 24), dt.time(10), dt.time(8)),
        (dt.date(2027, 10, 31), dt.time(10), dt.time(9)),  # back to winter that morning
        (dt.date(2027, 11, 7), dt.time(10), dt.time(9)),
    ]


def test_new_york_keeps_nine_oclock_across_both_clock_changes(alice):
    set_user_timezone(tg_id=alice.pk, text="America/New_York")
    series(alice, date=dt.date(2027, 3, 13), time=dt.time(9), rule="FREQ=DAILY;COUNT=3")
    assert instants(alice, dt.date(2027, 3, 1), dt.date(2027, 3, 31)) == [
        (dt.date(2027, 3, 13), dt.time(9), dt.time(14)),  # EST, UTC-5
        (dt.date(2027, 3, 14), dt.time(9), dt.time(13)),  # EDT from 02:00 that night
        (dt.date(2027, 3, 15), dt.time(9), dt.time(13)),
    ]
    series(alice, date=dt.date(2027, 11, 6), time=dt.time(9), rule="FREQ=DAILY;COUNT=2")
    assert instants(alice, dt.date(2027, 11, 1), dt.date(2027, 11, 30)) == [
        (dt.date(2027, 11, 6), dt.time(9), dt.time(13)),
        (dt.date(2027, 11, 7), dt.time(9), dt.time(14)),
    ]


def test_a_person_who_moves_keeps_the_wall_clock_of_their_series(alice):
    set_user_timezone(tg_id=alice.pk, text="Europe/Berlin")
    series(alice, date=dt.date(2027, 1, 4), time=dt.time(10), rule="FREQ=WEEKLY;COUNT=2")
    set_user_timezone(tg_id=alice.pk, text="America/New_York")
    assert instants(alice, dt.date(2027, 1, 1), dt.date(2027, 1, 31)) == [
        (dt.date(2027, 1, 4), dt.time(10), dt.time(15)),
        (dt.date(2027, 1, 11), dt.time(10), dt.time(15)),
    ]


def test_skipped_days_and_the_window_bound_the_occurrences(alice):
    event = series(alice, date=dt.date(2027, 1, 4), time=dt.time(10), rule="FREQ=DAILY")
    event.exdates = ["2027-01-05"]
    event.save(update_fields=["exdates"])
    days = [d for d, _t, _i in instants(alice, dt.date(2027, 1, 4), dt.date(2027, 1, 7))]
    assert days == [dt.date(2027, 1, 4), dt.date(2027, 1, 6), dt.date(2027, 1, 7)]


def test_pages_of_the_merged_list_are_the_whole_list_in_order(alice):
    today = dt.date(2027, 1, 1)
    for day in (1, 3, 9, 20, 40):
        create_event(owner_tg_id=alice.pk, name=f"one-off {day}",
                     date=today + dt.timedelta(days=day), time=dt.time(12))  # fmt: skip
    series(alice, date=dt.date(2027, 1, 2), time=dt.time(8), rule="FREQ=WEEKLY;COUNT=6")
    listing = own_listing(owner_tg_id=alice.pk, today=today)
    everything = listing[0 : listing.count()]
    assert len(everything) == listing.count() == 11
    keys = [(item.date, item.time) for item in everything]
    assert keys == sorted(keys)
    assert sum(getattr(item, "repeats", False) for item in everything) == 6
    for size in range(1, 8):
        pages = [listing[start : start + size] for start in range(0, 11, size)]
        assert [item for page in pages for item in page] == everything, size


def test_an_ended_series_still_shows_once_in_the_list(alice):
    series(alice, date=dt.date(2027, 1, 4), time=dt.time(10), rule="FREQ=DAILY;COUNT=2")
    listing = own_listing(owner_tg_id=alice.pk, today=dt.date(2027, 6, 1))
    assert [(item.date, item.repeats) for item in listing[0:10]] == [(dt.date(2027, 1, 4), True)]


def test_the_mini_app_window_includes_occurrences(alice):
    series(alice, date=dt.date(2027, 1, 4), time=dt.time(10), rule="FREQ=WEEKLY")
    create_event(owner_tg_id=alice.pk, name="One", date=dt.date(2027, 1, 6), time=dt.time(9))
    entries = calendar_window(owner_tg_id=alice.pk, first=dt.date(2027, 1, 1),
                              last=dt.date(2027, 1, 31))  # fmt: skip
    assert [(e["date"].day, e["repeats"]) for e in entries] == [
        (4, True), (6, False), (11, True), (18, True), (25, True)
    ]  # fmt: skip


def test_calendar_merges_occurrences_and_meetings_by_the_instant(alice, bob):
    from calendarapp.selectors.occurrences import calendar_with_occurrences
    from calendarapp.services.appointments import create_appointment, respond_to_invitation

    set_user_timezone(tg_id=alice.pk, text="Europe/Berlin")
    set_user_timezone(tg_id=bob.pk, text="America/New_York")
    series(alice, date=dt.date(2027, 1, 4), time=dt.time(10), rule="FREQ=DAILY;COUNT=3")
    party = create_event(owner_tg_id=bob.pk, name="Bob's", date=dt.date(2027, 1, 5),
                         time=dt.time(3, 30))  # fmt: skip  # 09:30 in Berlin
    invited = create_appointment(organizer_tg_id=bob.pk, participant_tg_id=alice.pk,
                                 event_id=party.pk)  # fmt: skip
    respond_to_invitation(participant_tg_id=alice.pk, appointment_id=invited.pk, accept=True)
    rows = calendar_with_occurrences(owner_tg_id=alice.pk, today=dt.date(2027, 1, 1))
    listed = [(row["kind"], row["day"].day, row.get("repeats", False)) for row in rows[0:10]]
    assert listed == [(0, 4, True), (1, 5, False), (0, 5, True), (0, 6, True)]
