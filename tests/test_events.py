import datetime as dt

import pytest
from django.utils import timezone

from calendarapp.exceptions import NotFound, NotRegistered, ValidationFailed
from calendarapp.models import EVENT_DETAILS_MAX_LENGTH, BotStatistics, Event, Reminder, TgUser
from calendarapp.selectors.events import events_of, public_events_listing, public_events_of
from calendarapp.services.events import (
    create_event,
    delete_event,
    set_event_visibility,
    update_event,
    update_event_details,
)
from tests.support.refusals import refusal

pytestmark = pytest.mark.django_db
NOON = dt.time(12, 0)


def stats() -> BotStatistics:
    return BotStatistics.objects.get(date=timezone.localdate())


def test_create_event_stores_it_and_counts_it(alice, tomorrow):
    event = create_event(
        owner_tg_id=alice.pk, name="  Dentist  ", date=tomorrow, time=NOON, details="Bring X"
    )
    assert Event.objects.get(pk=event.pk).name == "Dentist"
    assert TgUser.objects.get(pk=alice.pk).events_created == 1
    assert stats().event_count == 1


def test_unregistered_user_cannot_create(db, tomorrow):
    with pytest.raises(NotRegistered):
        create_event(owner_tg_id=999, name="x", date=tomorrow, time=NOON)


@pytest.mark.parametrize(
    ("name", "details", "code"),
    [
        ("", "", "name_empty"),
        ("   ", "", "name_empty"),
        ("x" * 201, "", "name_too_long"),
        ("ok", "d" * (EVENT_DETAILS_MAX_LENGTH + 1), "details_too_long"),
    ],
)
def test_create_event_validation(alice, tomorrow, name, details, code):
    with pytest.raises(ValidationFailed) as error:
        create_event(owner_tg_id=alice.pk, name=name, date=tomorrow, time=NOON, details=details)
    assert error.value.code == code
    assert not Event.objects.exists()
    assert TgUser.objects.get(pk=alice.pk).events_created == 0


def test_name_of_exactly_200_characters_is_accepted(alice, tomorrow):
    assert (
        len(create_event(owner_tg_id=alice.pk, name="n" * 200, date=tomorrow, time=NOON).name)
        == 200
    )


def test_event_in_the_past_is_refused(alice):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as error:
        create_event(owner_tg_id=alice.pk, name="Late", date=yesterday, time=NOON)
    assert error.value.code == "in_past"


def test_edit_details_of_own_event(alice, tomorrow):
    event = create_event(owner_tg_id=alice.pk, name="Call", date=tomorrow, time=NOON)
    update_event_details(owner_tg_id=alice.pk, event_id=event.pk, details="new details")
    assert Event.objects.get(pk=event.pk).details == "new details"
    assert TgUser.objects.get(pk=alice.pk).events_edited == 1
    assert stats().edited_events == 1


def test_another_users_event_behaves_as_missing(alice, bob, tomorrow):
    event = create_event(
        owner_tg_id=alice.pk, name="Private", date=tomorrow, time=NOON, details="secret"
    )
    for action in (
        lambda: update_event_details(owner_tg_id=bob.pk, event_id=event.pk, details="hacked"),
        lambda: delete_event(owner_tg_id=bob.pk, event_id=event.pk),
        lambda: set_event_visibility(owner_tg_id=bob.pk, event_id=event.pk, is_public=True),
    ):
        assert refusal(NotFound, action).code == "event_not_found"
    unchanged = Event.objects.get(pk=event.pk)
    assert (unchanged.details, unchanged.is_public) == ("secret", False)
    assert TgUser.objects.get(pk=bob.pk).events_edited == 0


def test_delete_event(alice, tomorrow):
    event = create_event(owner_tg_id=alice.pk, name="Gone", date=tomorrow, time=NOON)
    deleted = delete_event(owner_tg_id=alice.pk, event_id=event.pk)
    assert deleted.pk == event.pk
    assert deleted.name == "Gone"
    assert not Event.objects.exists()
    assert TgUser.objects.get(pk=alice.pk).events_cancelled == 1
    assert stats().cancelled_events == 1
    with pytest.raises(NotFound):
        delete_event(owner_tg_id=alice.pk, event_id=event.pk)


def test_publish_and_unpublish(alice, bob, tomorrow):
    event = create_event(owner_tg_id=alice.pk, name="Party", date=tomorrow, time=NOON)
    create_event(owner_tg_id=alice.pk, name="Hidden", date=tomorrow, time=NOON)
    set_event_visibility(owner_tg_id=alice.pk, event_id=event.pk, is_public=True)
    assert [e.name for e in public_events_of(alice.pk)] == ["Party"]
    assert [e.name for e in public_events_listing()] == ["Party"]
    assert not public_events_of(bob.pk).exists()
    set_event_visibility(owner_tg_id=alice.pk, event_id=event.pk, is_public=False)
    assert not public_events_listing().exists()


def test_my_events_are_ordered_by_date_time_then_id(alice, bob, tomorrow):
    later = tomorrow + dt.timedelta(days=1)
    create_event(owner_tg_id=alice.pk, name="c", date=later, time=dt.time(9, 0))
    create_event(owner_tg_id=alice.pk, name="b", date=tomorrow, time=dt.time(18, 0))
    create_event(owner_tg_id=alice.pk, name="a1", date=tomorrow, time=dt.time(8, 0))
    create_event(owner_tg_id=alice.pk, name="a2", date=tomorrow, time=dt.time(8, 0))
    create_event(owner_tg_id=bob.pk, name="bob's", date=tomorrow, time=dt.time(7, 0))
    assert [e.name for e in events_of(alice.pk)] == ["a1", "a2", "b", "c"]


def test_moving_an_event_schedules_its_reminder_again(alice, tomorrow):
    event = create_event(
        owner_tg_id=alice.pk, name="Dentist", date=tomorrow, time=NOON, reminder_minutes=60
    )
    # Already sent: nothing left to remind at the old moment.
    Reminder.objects.filter(event=event).update(occurrence=None, next_at=None)
    later = tomorrow + dt.timedelta(days=2)
    moved = update_event(owner_tg_id=alice.pk, event_id=event.pk, date=later, time=dt.time(9, 30))
    stored = Event.objects.get(pk=event.pk)
    starts = dt.datetime.combine(later, dt.time(9, 30), tzinfo=timezone.get_current_timezone())
    assert (stored.date, stored.time, stored.name) == (later, dt.time(9, 30), "Dentist")
    # The new moment gets its own reminder.
    assert stored.remind_at == moved.remind_at == starts - dt.timedelta(hours=1)


def test_an_event_cannot_be_moved_into_the_past_or_renamed_to_nothing(alice, tomorrow):
    event = create_event(owner_tg_id=alice.pk, name="Dentist", date=tomorrow, time=NOON)
    yesterday = tomorrow - dt.timedelta(days=2)
    for change, code in [({"date": yesterday}, "in_past"), ({"name": "  "}, "name_empty")]:
        with pytest.raises(ValidationFailed) as error:
            update_event(owner_tg_id=alice.pk, event_id=event.pk, **change)
        assert error.value.code == code
    assert Event.objects.get(pk=event.pk).date == tomorrow
