"""selectors/compiled.py: ORM queries compiled once and sent with each call's ids give what
the ORM itself reads: the rows, their order and slices, joined rows, converted columns."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from calendarapp.exceptions import NotFound
from calendarapp.models import Event, TgUser
from calendarapp.selectors.compiled import Compiled
from calendarapp.selectors.events import get_own_event, get_visible_event
from calendarapp.selectors.occurrences import own_listing
from calendarapp.services.events import create_event

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {k: v for k, v in instance.__dict__.items() if k not in ("_state", "_prefetched")}


def _events(owner, count, *, public=()):
    return [
        create_event(
            owner_tg_id=owner.pk,
            name=f"event {n}",
            # Two a day at the same time: the id decides their order.
            date=dt.date(2027, 3, 1) + dt.timedelta(days=n // 2),
            time=dt.time(9, 30),
            is_public=n in public,
        )
        for n in range(count)
    ]


def test_list_pages_are_the_orm_pages_of_the_same_rows(alice, bob):
    _events(alice, 7, public={1, 4, 5})
    _events(bob, 3)
    today = dt.date(2027, 1, 1)
    for public_only in (False, True):
        expected = Event.objects.filter(owner_id=alice.pk, rrule="")
        if public_only:
            expected = expected.filter(is_public=True)
        expected = list(expected.order_by("date", "time", "id"))
        listing = own_listing(owner_tg_id=alice.pk, today=today, public_only=public_only)
        assert listing.count() == len(expected) == (3 if public_only else 7)
        for size in (1, 2, 3, 10):
            for start in range(0, len(expected) + 1):
                page = listing[start : start + size]
                assert [e.pk for e in page] == [e.pk for e in expected[start : start + size]]
        first = listing[0:1][0]
        assert isinstance(first.date, dt.date) and first.time == dt.time(9, 30)  # converted
        assert first.name == expected[0].name


def test_a_person_without_events_has_an_empty_list(alice):
    listing = own_listing(owner_tg_id=alice.pk, today=dt.date(2027, 1, 1))
    assert listing.count() == 0 and listing[0:10] == []


def test_an_event_read_by_id_comes_with_its_owner_in_the_same_statement(alice):
    TgUser.objects.filter(pk=alice.pk).update(timezone="Asia/Tokyo")
    event = _events(alice, 1)[0]
    get_own_event(owner_tg_id=alice.pk, event_id=event.pk)  # compiled here
    with CaptureQueriesContext(connection) as queries:
        read = get_own_event(owner_tg_id=alice.pk, event_id=event.pk)
        assert read.owner.timezone == "Asia/Tokyo"
    assert len(queries) == 1
    assert _fields(read) == _fields(Event.objects.get(pk=event.pk))
    assert read._state.adding is False
    read.name = "renamed"
    read.save(update_fields=["name"])  # an instance the ORM saves as its own
    assert Event.objects.get(pk=event.pk).name == "renamed"


def test_someone_elses_private_event_is_missing_and_their_public_one_visible(alice, bob):
    private, public = _events(bob, 2, public={1})
    for event_id in (private.pk, public.pk, 10**9, 2**70, -(2**70)):
        with pytest.raises(NotFound):
            get_own_event(owner_tg_id=alice.pk, event_id=event_id)
    with pytest.raises(NotFound):
        get_visible_event(viewer_tg_id=alice.pk, event_id=private.pk)
    assert get_visible_event(viewer_tg_id=alice.pk, event_id=public.pk).owner == bob
    assert get_visible_event(viewer_tg_id=bob.pk, event_id=private.pk).pk == private.pk
    # A forged huge id: no such event, as the ORM says, not a database error.
    with pytest.raises(NotFound):
        get_visible_event(viewer_tg_id=alice.pk, event_id=2**70)


def test_a_values_query_gives_its_columns_in_order_and_a_key_may_repeat(alice, bob):
    _events(alice, 3, public={0})
    counts = Compiled(
        lambda owner: (
            Event.objects.filter(owner_id=owner)
            .values("owner_id")
            .annotate(n=Count("pk"))
            .order_by()
        ),
        owner=Event.owner,
    )
    assert counts.rows(owner=alice.pk) == [(alice.pk, 3)]
    assert counts.rows(owner=bob.pk) == []
    either = Compiled(
        lambda person: (
            Event.objects.filter(owner_id=person)
            | Event.objects.filter(owner_id=person, is_public=True)
        ),
        person=Event.owner,
    )
    assert len(either.rows(person=alice.pk)) == 3


def test_a_key_the_query_does_not_use_is_refused():
    unused = Compiled(lambda owner: Event.objects.all(), owner=Event.owner)
    with pytest.raises(ValueError, match="owner"):
        unused.rows(owner=1)
