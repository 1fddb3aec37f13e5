"""Seats of an event's card (services.rsvp): capacity with a waiting list, +1 guests, the
first one waiting moving up and told, the organiser's changes and cancellation told to
those who answered, the organiser's digest, exact seats under simultaneous presses."""

import contextlib
import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calendarapp.exceptions import Conflict, ValidationFailed
from calendarapp.models import BotStatistics, OutboxMessage, Rsvp
from calendarapp.selectors.rsvp import card_state
from calendarapp.services import outbox as outbox_service
from calendarapp.services import rsvp, rsvp_notices
from calendarapp.services.events import create_event, delete_event, update_event
from calendarapp.services.users import TelegramProfile, register_user
from tests.support.threads import run_in_threads

GOING, MAYBE, NOT_GOING, WAITING = "going", "maybe", "not_going", "waiting"


@pytest.fixture
def party(alice, tomorrow):
    return create_event(owner_tg_id=alice.pk, name="Party", date=tomorrow, time=dt.time(19))


def press(event, tg_id, answer, name=""):
    return rsvp.answer_event(
        event_id=event.pk,
        profile=TelegramProfile(tg_id=tg_id, first_name=name or f"P{tg_id}"),
        answer=answer,
    )


def answers(event) -> dict[int, tuple[str, int]]:
    return {row.person_id: (row.answer, row.guests) for row in Rsvp.objects.filter(event=event)}


def outbox(kind) -> list[int]:
    return list(OutboxMessage.objects.filter(kind=kind).values_list("chat_id", flat=True))


@pytest.mark.django_db
def test_beyond_capacity_waits_and_the_first_waiting_moves_up_told(alice, bob, party):
    rsvp.set_capacity(organizer_tg_id=alice.pk, event_id=party.pk, capacity=2)
    assert press(party, 2001, GOING).answer == GOING
    assert press(party, 2002, GOING).answer == GOING
    assert press(party, bob.pk, GOING).answer == WAITING  # Bob started the bot
    assert press(party, 2003, GOING).answer == WAITING
    assert press(party, bob.pk, GOING).answer == WAITING  # pressing again keeps his place
    state = card_state(event_id=party.pk)
    assert (state.counts[GOING], state.counts[WAITING], state.capacity) == (2, 2, 2)
    assert outbox(rsvp_notices.MOVED_UP) == []

    press(party, 2001, NOT_GOING)  # a seat frees: Bob was first in line
    assert answers(party)[bob.pk] == (GOING, 0)
    assert answers(party)[2003] == (WAITING, 0)
    assert outbox(rsvp_notices.MOVED_UP) == [bob.pk]
    press(party, 2002, MAYBE)  # 2003 moves up too, but never started the bot: not written to
    assert answers(party)[2003] == (GOING, 0)
    assert outbox(rsvp_notices.MOVED_UP) == [bob.pk]
    # A newcomer with a free seat and nobody in line goes at once.
    assert press(party, 2004, GOING).answer == WAITING  # 2 of 2 taken again (Bob, 2003)


@pytest.mark.django_db
def test_guests_take_seats_and_leaving_frees_theirs(alice, bob, party):
    rsvp.set_capacity(organizer_tg_id=alice.pk, event_id=party.pk, capacity=3)
    with pytest.raises(Conflict) as error:
        press(party, 2001, rsvp.GUEST_MORE)  # no «Иду» yet
    assert error.value.code == "rsvp_guests_need_going"
    press(party, 2001, GOING)
    assert press(party, 2001, rsvp.GUEST_MORE).guests == 1
    assert press(party, 2001, rsvp.GUEST_MORE).guests == 2
    with pytest.raises(Conflict) as error:
        press(party, 2001, rsvp.GUEST_MORE)  # 3 of 3 taken
    assert error.value.code == "rsvp_full"
    assert press(party, bob.pk, GOING).answer == WAITING
    assert card_state(event_id=party.pk).guests == 2
    assert press(party, 2001, rsvp.GUEST_LESS).guests == 1  # the seat goes to Bob
    assert answers(party) == {2001: (GOING, 1), bob.pk: (GOING, 0)}
    assert outbox(rsvp_notices.MOVED_UP) == [bob.pk]
    press(party, 2001, MAYBE)  # a «Может быть» brings no guests
    assert answers(party)[2001] == (MAYBE, 0)


@pytest.mark.django_db
def test_raising_capacity_seats_those_waiting_and_lowering_keeps_seats(alice, party):
    rsvp.set_capacity(organizer_tg_id=alice.pk, event_id=party.pk, capacity=1)
    for tg_id in (2001, 2002, 2003):
        press(party, tg_id, GOING)
    rsvp.set_capacity(organizer_tg_id=alice.pk, event_id=party.pk, capacity=2)
    assert [a for a, _g in answers(party).values()].count(GOING) == 2
    rsvp.set_capacity(organizer_tg_id=alice.pk, event_id=party.pk, capacity=1)
    assert [a for a, _g in answers(party).values()].count(GOING) == 2  # nobody is bumped
    rsvp.set_capacity(organizer_tg_id=alice.pk, event_id=party.pk, capacity=None)
    assert {a for a, _g in answers(party).values()} == {GOING}
    for bad in (0, -1, rsvp.MAX_CAPACITY + 1):
        with pytest.raises(ValidationFailed):
            rsvp.set_capacity(organizer_tg_id=alice.pk, event_id=party.pk, capacity=bad)


@pytest.mark.django_db
def test_changes_and_cancellation_are_told_to_those_who_answered(alice, bob, make_user, party):
    carl, dora = make_user(1003, "carl", "Carl"), make_user(1004, "dora", "Dora")
    press(party, bob.pk, GOING)
    press(party, carl.pk, MAYBE)
    press(party, dora.pk, NOT_GOING)
    press(party, 2001, GOING)  # never started the bot
    press(party, alice.pk, GOING)  # the organiser herself
    update_event(owner_tg_id=alice.pk, event_id=party.pk, time=dt.time(20))
    assert sorted(outbox(rsvp_notices.EVENT_CHANGED)) == [bob.pk, carl.pk]
    delete_event(owner_tg_id=alice.pk, event_id=party.pk)
    assert sorted(outbox(rsvp_notices.EVENT_CANCELLED)) == [bob.pk, carl.pk, dora.pk]
    payload = OutboxMessage.objects.filter(kind=rsvp_notices.EVENT_CANCELLED).first().payload
    assert payload["event_name"] == "Party" and payload["time"] == "20:00"


@pytest.mark.django_db
def test_the_organiser_gets_one_digest_per_period(
    alice, party, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.RSVP_DIGEST_PERIOD = 120

    def committed(tg_id, answer=GOING):
        with django_capture_on_commit_callbacks(execute=True):
            press(party, tg_id, answer)

    def digests():
        return OutboxMessage.objects.filter(kind=rsvp_notices.DIGEST)

    for tg_id in range(2001, 2011):
        committed(tg_id)
    committed(alice.pk, MAYBE)
    (digest,) = digests()
    assert digest.chat_id == alice.pk and digest.payload["event_id"] == party.pk
    assert digest.next_attempt_at > timezone.now() + dt.timedelta(seconds=100)
    # Another bot process learns of it from the shared cache: no look at the outbox.
    rsvp_notices._pending_until.clear()
    with CaptureQueriesContext(connection) as queries:
        committed(2011)
    assert not any("outboxmessage" in q["sql"] for q in queries.captured_queries)
    # With the cache emptied too, from the outbox: still one.
    rsvp_notices._pending_until.clear()
    cache.clear()
    committed(2012)
    assert digests().count() == 1
    # Due and claimed: while it is being sent, answers look again, and join it.
    later = timezone.now() + dt.timedelta(seconds=121)
    monkeypatch.setattr(timezone, "now", lambda: later)
    (claimed,) = outbox_service.claim_due(kinds=[rsvp_notices.DIGEST])
    committed(2013)
    assert digests().count() == 1
    # Sent: the next answer starts the next digest.
    outbox_service.mark_sent(claimed.pk)
    committed(2014)
    assert [m.payload["since"] for m in digests().exclude(pk=digest.pk)] == [later.isoformat()]


@pytest.mark.django_db
def test_a_person_first_saved_by_a_press_counts_as_a_new_user(party):
    before = (
        BotStatistics.objects.filter(date=timezone.localdate())
        .values_list("user_count", flat=True)
        .first()
        or 0
    )
    press(party, 2001, GOING)
    press(party, 2002, MAYBE)
    press(party, 2001, NOT_GOING)  # known now: not new again
    register_user(TelegramProfile(tg_id=2002, first_name="P2002"))  # starting the bot later
    stats = BotStatistics.objects.get(date=timezone.localdate())
    assert stats.user_count == before + 2


@pytest.mark.django_db
def test_guest_buttons_are_signed_like_the_answers(party):
    for change in (rsvp.GUEST_MORE, rsvp.GUEST_LESS):
        data = rsvp.button_data(event_id=party.pk, answer=change)
        assert len(data.encode()) <= 64
        assert rsvp.parse_button_data(data) == (party.pk, change)
        for forged in (data[:-2] + "00", data.replace(f"r:{party.pk}:", f"r:{party.pk + 1}:")):
            with pytest.raises(ValidationFailed):
                rsvp.parse_button_data(forged)
    with pytest.raises(ValidationFailed):
        press(party, 2001, WAITING)  # a state, never a button


@pytest.mark.django_db(transaction=True)
def test_simultaneous_presses_at_capacity_seat_exactly_capacity(alice, tomorrow):
    if connection.vendor == "sqlite":
        pytest.skip("simultaneous writers need PostgreSQL")
    party = create_event(owner_tg_id=alice.pk, name="Party", date=tomorrow, time=dt.time(19))
    rsvp.set_capacity(organizer_tg_id=alice.pk, event_id=party.pk, capacity=10)
    people = list(range(3001, 3041))
    for tg_id in people:  # known already: no new-user count to line them up meanwhile
        press(party, tg_id, MAYBE)

    def go(tg_id):
        press(party, tg_id, GOING)
        if tg_id % 4 == 0:  # some ask for a guest at the same moment
            with contextlib.suppress(Conflict):  # no seat left for the guest
                press(party, tg_id, rsvp.GUEST_MORE)

    run_in_threads(go, arguments=[(tg_id,) for tg_id in people])
    rows = answers(party)
    seated = sum(1 + guests for answer, guests in rows.values() if answer == GOING)
    assert seated == 10
    assert sum(answer == WAITING for answer, _g in rows.values()) == 40 - sum(
        answer == GOING for answer, _g in rows.values()
    )
    assert not any(guests for answer, guests in rows.values() if answer == WAITING)
