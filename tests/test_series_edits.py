"""«только это / это и следующие / все»: one occurrence changed on its own (an override
row), a series split at an occurrence, the whole series; and the lists that show them."""

import datetime as dt

import pytest

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import Event, OutboxMessage
from calendarapp.selectors.occurrences import own_listing, series_occurrences
from calendarapp.services.appointments import (
    APPOINTMENT_CANCELLED,
    MEETING_MOVED,
    create_appointment,
)
from calendarapp.services.events import create_event, delete_event, set_event_rule
from calendarapp.services.series import delete_occurrences, edit_occurrences
from calendarapp.timezones import starts_at

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 1, 4)


def weekly(owner, rule="FREQ=WEEKLY;BYDAY=MO", name="Standup"):
    event = create_event(owner_tg_id=owner.pk, name=name, date=MONDAY, time=dt.time(10))
    return set_event_rule(owner_tg_id=owner.pk, event_id=event.pk, rule=rule)


def shown(owner, first=MONDAY, days=35):
    """What /display_events lists in those days: (id, day, time, name)."""
    listing = own_listing(owner_tg_id=owner.pk, today=first)
    last = first + dt.timedelta(days=days)
    return [
        (item.pk, item.date, item.time, item.name)
        for item in listing[0 : listing.count()]
        if item.date <= last
    ]


def week(n: int) -> dt.date:
    return MONDAY + dt.timedelta(weeks=n)


def test_only_this_makes_an_override_that_lists_instead_of_the_occurrence(alice):
    event = weekly(alice)
    override = edit_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(1),
                                scope="one", name="Moved", time=dt.time(15))  # fmt: skip
    assert (override.recurrence_of_id, override.recurrence_id) == (event.pk, week(1))
    assert override.repeats and not override.rrule
    assert shown(alice, days=14) == [
        (event.pk, week(0), dt.time(10), "Standup"),
        (override.pk, week(1), dt.time(15), "Moved"),
        (event.pk, week(2), dt.time(10), "Standup"),
    ]
    # Editing that occurrence again changes the same override, not a second one.
    again = edit_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(1),
                             scope="one", name="Moved twice")  # fmt: skip
    assert again.pk == override.pk and Event.objects.filter(recurrence_of=event).count() == 1


def test_deleting_an_override_keeps_its_day_cancelled(alice):
    event = weekly(alice)
    override = edit_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(1),
                                scope="one", name="Moved")  # fmt: skip
    delete_event(owner_tg_id=alice.pk, event_id=override.pk)
    assert [day for _pk, day, _t, _n in shown(alice, days=14)] == [week(0), week(2)]


def test_this_and_following_splits_the_series(alice):
    event = weekly(alice)
    rest = edit_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(2),
                            scope="following", name="Later", time=dt.time(11))  # fmt: skip
    event.refresh_from_db()
    assert event.rrule == "FREQ=WEEKLY;UNTIL=20270118T095959;BYDAY=MO"
    assert rest.rrule == "FREQ=WEEKLY;BYDAY=MO"
    assert shown(alice, days=28) == [
        (event.pk, week(0), dt.time(10), "Standup"),
        (event.pk, week(1), dt.time(10), "Standup"),
        (rest.pk, week(2), dt.time(11), "Later"),
        (rest.pk, week(3), dt.time(11), "Later"),
        (rest.pk, week(4), dt.time(11), "Later"),
    ]


def test_a_split_keeps_the_count_and_takes_later_overrides_and_cancellations(alice):
    event = weekly(alice, rule="FREQ=WEEKLY;BYDAY=MO;COUNT=6")
    late = edit_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(4),
                            scope="one", name="Late one")  # fmt: skip
    delete_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(3), scope="one")
    rest = edit_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(2),
                            scope="following", name="Rest")  # fmt: skip
    late.refresh_from_db()
    assert late.recurrence_of_id == rest.pk and rest.exdates == [week(3).isoformat()]
    assert [(pk, day, name) for pk, day, _t, name in shown(alice, days=60)] == [
        (event.pk, week(0), "Standup"),
        (event.pk, week(1), "Standup"),
        (rest.pk, week(2), "Rest"),
        (late.pk, week(4), "Late one"),
        (rest.pk, week(5), "Rest"),  # six in all, as before the split
    ]


def test_all_changes_the_series_and_a_new_date_moves_every_occurrence(alice):
    event = weekly(alice, rule="FREQ=WEEKLY")
    changed = edit_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(2),
                               scope="all", date=week(2) + dt.timedelta(days=1))  # fmt: skip
    assert changed.pk == event.pk and changed.date == MONDAY + dt.timedelta(days=1)
    days = [day for _pk, day, _t, _n in shown(alice, days=14)]
    assert days == [week(n) + dt.timedelta(days=1) for n in range(2)]


@pytest.mark.parametrize(
    ("overridden", "deleted", "scope", "days", "left"),
    [
        # This and the following: the series ends before it, the later override goes too.
        (3, 2, "following", 60, [0, 1]),
        # Only this: the occurrence and its override.
        (1, 1, "one", 14, [0, 2]),
    ],
    ids=["following", "one"],
)
def test_delete_removes_the_overrides_of_the_days_it_deletes(
    alice, overridden, deleted, scope, days, left
):
    event = weekly(alice)
    edit_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(overridden), scope="one",
                     name="X")  # fmt: skip
    delete_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(deleted), scope=scope)
    assert [day for _pk, day, _t, _n in shown(alice, days=days)] == [week(n) for n in left]
    assert not Event.objects.filter(recurrence_of=event).exists()


def test_delete_this_and_following_from_the_first_occurrence_is_the_whole_series(alice):
    event = weekly(alice)
    delete_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(0), scope="following")
    assert not Event.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    ("day", "scope", "code"),
    [
        (MONDAY + dt.timedelta(days=1), "one", "not_an_occurrence"),
        (MONDAY, "some", "scope_invalid"),
    ],
)
def test_a_day_the_series_skips_or_an_unknown_scope_is_refused(alice, day, scope, code):
    event = weekly(alice)
    with pytest.raises(ValidationFailed) as refused:
        edit_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=day, scope=scope, name="X")
    assert refused.value.code == code


def test_sequence_rises_with_each_change_a_client_must_see(alice):
    event = weekly(alice)
    start = Event.objects.get(pk=event.pk).sequence
    edit_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(0), scope="all", name="Y")
    delete_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(1), scope="one")
    assert Event.objects.get(pk=event.pk).sequence == start + 2


def test_series_occurrences_leave_out_overridden_days(alice):
    event = weekly(alice)
    edit_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(1), scope="one", name="X")
    days = [o.date for o in series_occurrences(owner_tg_id=alice.pk, first=MONDAY, last=week(2))]
    assert days == [week(0), week(2)]


# --- meetings on a series follow its occurrences ---------------------------------------


@pytest.fixture
def guests(alice, bob, make_user):
    """Alice's weekly standup with Bob invited to its first occurrence and Carol to the
    fourth; the outbox emptied of the invitations."""
    carol = make_user(1003, "carol", "Carol")
    event = weekly(alice, rule="FREQ=WEEKLY")
    first = create_appointment(organizer_tg_id=alice.pk, participant_tg_id=bob.pk,
                               event_id=event.pk)  # fmt: skip
    fourth = create_appointment(organizer_tg_id=alice.pk, participant_tg_id=carol.pk,
                                event_id=event.pk, date=week(3))  # fmt: skip
    OutboxMessage.objects.all().delete()
    return event, first, fourth


def where(meeting) -> tuple:
    meeting.refresh_from_db()
    return meeting.event_id, meeting.date, meeting.time, meeting.status


def told(kind) -> set:
    return set(OutboxMessage.objects.filter(kind=kind).values_list("chat_id", flat=True))


def test_a_split_takes_the_later_meetings_along_to_the_new_series(alice, bob, guests):
    event, first, fourth = guests
    rest = edit_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(2),
                            scope="following", time=dt.time(11, 30))  # fmt: skip
    assert where(first) == (event.pk, MONDAY, dt.time(10), "pending")
    assert where(fourth) == (rest.pk, week(3), dt.time(11, 30), "pending")
    assert fourth.starts_at == starts_at(
        date=week(3), time=dt.time(11, 30), zone_name=alice.timezone
    )
    assert told(MEETING_MOVED) == {fourth.participant_id}


def test_the_whole_series_moved_moves_its_meetings_by_as_many_days(alice, guests):
    event, first, fourth = guests
    edit_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(1), scope="all",
                     date=week(1) + dt.timedelta(days=1), time=dt.time(9))  # fmt: skip
    tuesday = dt.timedelta(days=1)
    assert where(first) == (event.pk, MONDAY + tuesday, dt.time(9), "pending")
    assert where(fourth) == (event.pk, week(3) + tuesday, dt.time(9), "pending")


def test_one_occurrence_edited_or_cancelled_takes_its_meetings_along(alice, guests):
    event, first, fourth = guests
    override = edit_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(3),
                                scope="one", time=dt.time(16))  # fmt: skip
    assert where(fourth) == (override.pk, week(3), dt.time(16), "pending")
    assert where(first) == (event.pk, MONDAY, dt.time(10), "pending")
    delete_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(3), scope="one")
    assert where(fourth)[3] == "cancelled"
    assert told(APPOINTMENT_CANCELLED) == {fourth.participant_id}


def test_the_following_deleted_cancels_their_meetings_only(alice, guests):
    event, first, fourth = guests
    delete_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=week(2), scope="following")
    assert where(first)[3] == "pending" and where(fourth)[3] == "cancelled"
    assert told(APPOINTMENT_CANCELLED) == {fourth.participant_id}
