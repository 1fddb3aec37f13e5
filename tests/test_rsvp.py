"""Answers to event cards (services.rsvp): one per person, changeable until closed, counted
exactly under simultaneous presses, and «Иду» puts the event in the person's calendar."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from calendarapp.exceptions import Conflict, NotFound, ValidationFailed
from calendarapp.models import EventCard, OutboxMessage, Rsvp, TgUser
from calendarapp.selectors.calendar import calendar_entries, calendar_version
from calendarapp.selectors.calendar_listing import calendar_listing
from calendarapp.selectors.rsvp import card_state
from calendarapp.services import event_cards, rsvp, rsvp_notices
from calendarapp.services.events import create_event, delete_event, update_event_details
from calendarapp.services.users import TelegramProfile
from tests.support.threads import run_in_threads

GOING, MAYBE, NOT_GOING, WAITING = (
    Rsvp.Answer.GOING,
    Rsvp.Answer.MAYBE,
    Rsvp.Answer.NOT_GOING,
    Rsvp.Answer.WAITING,
)


@pytest.fixture
def party(alice, tomorrow):
    return create_event(owner_tg_id=alice.pk, name="Party", date=tomorrow, time=dt.time(19))


def person(tg_id: int, name: str = "") -> TelegramProfile:
    return TelegramProfile(tg_id=tg_id, first_name=name or f"P{tg_id}")


@pytest.mark.django_db
def test_one_answer_per_person_changeable_until_closed(alice, party):
    rsvp.answer_event(event_id=party.pk, profile=person(2001, "Dan"), answer=GOING)
    rsvp.answer_event(event_id=party.pk, profile=person(2002, "Eve"), answer=MAYBE)
    rsvp.answer_event(event_id=party.pk, profile=person(2001, "Dan"), answer=NOT_GOING)
    state = card_state(event_id=party.pk)
    assert state.counts == {GOING: 0, MAYBE: 1, NOT_GOING: 1, WAITING: 0}
    assert state.names[MAYBE] == ["Eve"]
    assert Rsvp.objects.count() == 2
    # Someone who never started the bot is kept, but not as someone the bot may write to.
    assert not TgUser.objects.get(pk=2001).can_receive_messages

    rsvp.set_answers_closed(organizer_tg_id=alice.pk, event_id=party.pk, closed=True)
    with pytest.raises(Conflict) as error:
        rsvp.answer_event(event_id=party.pk, profile=person(2001, "Dan"), answer=GOING)
    assert error.value.code == "rsvp_closed"
    assert card_state(event_id=party.pk).counts[NOT_GOING] == 1
    rsvp.set_answers_closed(organizer_tg_id=alice.pk, event_id=party.pk, closed=False)
    rsvp.answer_event(event_id=party.pk, profile=person(2001, "Dan"), answer=GOING)
    assert card_state(event_id=party.pk).names[GOING] == ["Dan"]


@pytest.mark.django_db
def test_button_data_is_signed(party):
    data = rsvp.button_data(event_id=party.pk, answer=GOING)
    assert len(data.encode()) <= 64
    assert rsvp.parse_button_data(data) == (party.pk, GOING)
    for forged in [
        data[:-1] + ("0" if data[-1] != "0" else "1"),
        data.replace(f"r:{party.pk}:", f"r:{party.pk + 1}:"),
        data.replace(":g:", ":x:"),
        "r:1:g",
        "",
    ]:
        with pytest.raises(ValidationFailed):
            rsvp.parse_button_data(forged)


@pytest.mark.django_db
def test_going_puts_the_event_in_calendar_and_feed(bob, party):
    rsvp.answer_event(event_id=party.pk, profile=person(bob.pk, "Bob"), answer=GOING)
    rows = list(calendar_listing(bob.pk))
    assert [(row["kind"], row["ref"], row["title"]) for row in rows] == [(2, party.pk, "Party")]
    assert [(e["kind"], e["id"]) for e in calendar_entries(owner=bob)] == [("rsvp", party.pk)]
    # The feed's version follows the organiser's edits of an event one goes to.
    version = calendar_version(bob)
    update_event_details(owner_tg_id=party.owner_id, event_id=party.pk, details="Bring snacks")
    assert calendar_version(bob) != version
    rsvp.answer_event(event_id=party.pk, profile=person(bob.pk, "Bob"), answer=MAYBE)
    assert not list(calendar_listing(bob.pk))


@pytest.mark.django_db
def test_a_press_marks_cards_dirty_and_a_claim_coalesces(party):
    event_cards.card_posted(
        event_id=party.pk, owner_tg_id=party.owner_id, inline_message_id="card-1"
    )
    for tg_id in range(2001, 2011):
        rsvp.answer_event(event_id=party.pk, profile=person(tg_id), answer=GOING)
    claimed = event_cards.claim_due_cards(interval=3)
    assert [card.inline_message_id for card in claimed] == ["card-1"]
    rsvp.answer_event(event_id=party.pk, profile=person(2011), answer=GOING)
    assert event_cards.claim_due_cards(interval=3) == []  # dirty, but its pause is not over
    assert EventCard.objects.get().dirty


@pytest.mark.django_db(transaction=True)
def test_a_press_committed_while_the_card_job_takes_the_card_still_reaches_it(alice, tomorrow):
    """The card job claims and renders a card while a batch that already marked it is
    still being committed: the batch's answer must show at the card's next edit, not be
    lost for good because the claim cleaned the card before the commit."""
    if connection.vendor == "sqlite":
        pytest.skip("a claim in the middle of a batch needs a second writer: PostgreSQL")
    party = create_event(owner_tg_id=alice.pk, name="Party", date=tomorrow, time=dt.time(19))
    event_cards.card_posted(event_id=party.pk, owner_tg_id=alice.pk, inline_message_id="card-1")
    written, claimed = threading.Event(), threading.Event()

    def press_and_commit_late():
        with transaction.atomic():
            rsvp.answer_event(event_id=party.pk, profile=person(2001, "Dan"), answer=GOING)
            written.set()  # marked, not committed yet
            claimed.wait(timeout=5)

    presser = threading.Thread(target=lambda: (press_and_commit_late(), connections.close_all()))
    presser.start()
    try:
        assert written.wait(timeout=5)
        edited = event_cards.claim_due_cards(interval=3)  # the job's claim...
        shown = card_state(event_id=party.pk).names[GOING]  # ...and its render
    finally:
        claimed.set()
        presser.join()
    assert "Dan" in shown or (not edited and EventCard.objects.get().dirty)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_presses_are_counted_exactly(alice, tomorrow):
    if connection.vendor == "sqlite":
        pytest.skip("simultaneous writers need PostgreSQL")
    party = create_event(owner_tg_id=alice.pk, name="Party", date=tomorrow, time=dt.time(19))
    event_cards.card_posted(event_id=party.pk, owner_tg_id=alice.pk, inline_message_id="card-1")
    people = list(range(3001, 3041))

    def press(tg_id):
        # Each presses twice, the second changing the answer: one row each, last wins.
        rsvp.answer_event(event_id=party.pk, profile=person(tg_id), answer=GOING)
        answer = MAYBE if tg_id % 2 else GOING
        rsvp.answer_event(event_id=party.pk, profile=person(tg_id), answer=answer)

    run_in_threads(press, arguments=[(tg_id,) for tg_id in people])
    assert card_state(event_id=party.pk).counts == {GOING: 20, MAYBE: 20, NOT_GOING: 0, WAITING: 0}
    assert Rsvp.objects.count() == 40
    # Forty batches at once, none knowing of a digest yet: the organiser gets one.
    assert OutboxMessage.objects.filter(kind=rsvp_notices.DIGEST).count() == 1


@pytest.mark.django_db
def test_a_batch_keeps_arrival_order_and_refuses_each_bad_press_alone(alice, party, tomorrow):
    closed = create_event(owner_tg_id=alice.pk, name="Closed", date=tomorrow, time=dt.time(9))
    rsvp.set_answers_closed(organizer_tg_id=alice.pk, event_id=closed.pk, closed=True)
    presses = [
        rsvp.Press(party.pk, person(2001, "Dan"), GOING, "card-1"),
        rsvp.Press(closed.pk, person(2002, "Eve"), GOING),
        rsvp.Press(party.pk + 999, person(2003, "Fay"), GOING),
        rsvp.Press(party.pk, person(2001, "Dan"), NOT_GOING, "card-1"),  # Dan changes his mind
        rsvp.Press(party.pk, person(2004, "Gus"), MAYBE, "card-1"),
    ]
    results, due = rsvp.answer_many(presses)
    codes = [getattr(r, "code", None) for r in results]
    assert codes == [None, "rsvp_closed", "event_not_found", None, None]
    assert due  # the card the presses made known is due its first edit
    assert card_state(event_id=party.pk).counts == {GOING: 0, MAYBE: 1, NOT_GOING: 1, WAITING: 0}
    assert not Rsvp.objects.filter(event=closed).exists()
    assert EventCard.objects.get().inline_message_id == "card-1"


@pytest.mark.django_db
def test_a_card_never_exceeds_telegrams_4096_characters(party):
    from calendarapp.bot.ui.event_card import card_text

    for n in range(30):
        answer = GOING if n % 2 else MAYBE
        rsvp.answer_event(
            event_id=party.pk, profile=person(4000 + n, chr(0x410 + n) * 256), answer=answer
        )
    state = card_state(event_id=party.pk)
    assert len(state.names[GOING]) == len(state.names[MAYBE]) == 10  # the first ten each
    text = card_text(state)  # 20 names of 256 letters would not fit: counts only
    assert len(text) <= 4096
    assert "✅ Идут: 15\n🤔 Может быть: 15\n" in text


def _statements(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


@pytest.mark.django_db
def test_a_press_without_capacity_takes_no_lock_and_no_digest_look(
    alice, party, django_capture_on_commit_callbacks
):
    """A press on a posted card: the event, the person (one upsert that tells a newcomer
    too), the statistics, the answer read and written, the card marked (on SQLite: looked
    at, then marked). No event lock (no seats to race for), no outbox read while the
    organiser's digest is pending, no look whether a card seen before is known."""
    with django_capture_on_commit_callbacks(execute=True):
        event_cards.card_posted(event_id=party.pk, owner_tg_id=alice.pk, inline_message_id="card-1")
    card_statements = 1 if connection.vendor == "postgresql" else 2
    with django_capture_on_commit_callbacks(execute=True):  # starts a digest, committed
        rsvp.answer_event(event_id=party.pk, profile=person(2001), answer=GOING)
    with CaptureQueriesContext(connection) as queries:
        outcome = rsvp.answer_event(
            event_id=party.pk, profile=person(2002), answer=GOING, inline_message_id="card-1"
        )
    assert outcome.answer == GOING
    statements = _statements(queries)
    assert len(statements) == 5 + card_statements, "\n".join(statements)
    event_locks = [sql for sql in statements if "FOR UPDATE" in sql and "eventcard" not in sql]
    assert not event_locks
    assert not any("outboxmessage" in sql for sql in statements)
    with CaptureQueriesContext(connection) as queries:  # known now: no statistics
        rsvp.answer_event(
            event_id=party.pk, profile=person(2002), answer=MAYBE, inline_message_id="card-1"
        )
    assert len(_statements(queries)) == 4 + card_statements
    assert TgUser.objects.filter(pk__in=[2001, 2002]).count() == 2
    assert card_state(event_id=party.pk).counts[MAYBE] == 1


@pytest.mark.django_db
def test_a_press_with_capacity_locks_the_event(alice, party, django_capture_on_commit_callbacks):
    rsvp.set_capacity(organizer_tg_id=alice.pk, event_id=party.pk, capacity=5)
    with django_capture_on_commit_callbacks(execute=True):  # starts a digest, committed
        rsvp.answer_event(event_id=party.pk, profile=person(2001), answer=GOING)
    with CaptureQueriesContext(connection) as queries:
        rsvp.answer_event(event_id=party.pk, profile=person(2002), answer=GOING)
    statements = _statements(queries)
    locks = [sql for sql in statements if 'FROM "calendarapp_event"' in sql]
    assert len(locks) == 2  # read, then locked and read again with its seats' truth
    if connection.features.has_select_for_update:
        assert "FOR NO KEY UPDATE" in locks[1]
    assert not any("outboxmessage" in sql for sql in statements)


@pytest.mark.django_db(transaction=True)
def test_an_event_deleted_while_a_press_is_written_refuses_it_as_missing(
    alice, tomorrow, monkeypatch
):
    if connection.vendor == "sqlite":
        pytest.skip("a deletion in the middle of a press needs a second writer: PostgreSQL")
    party = create_event(owner_tg_id=alice.pk, name="Party", date=tomorrow, time=dt.time(19))
    save_people, deleters = rsvp._save_people, []

    def delete_meanwhile():
        try:
            delete_event(owner_tg_id=alice.pk, event_id=party.pk)
        finally:
            connections.close_all()

    def save_people_while_deleted(people):
        # The event was read (unlocked: no capacity); its organiser deletes it now.
        if not deleters:
            deleters.append(threading.Thread(target=delete_meanwhile))
            deleters[0].start()
            deleters[0].join(timeout=5)
        return save_people(people)

    monkeypatch.setattr(rsvp, "_save_people", save_people_while_deleted)
    try:
        with pytest.raises(NotFound):
            rsvp.answer_event(event_id=party.pk, profile=person(2001), answer=GOING)
    finally:
        deleters[0].join()
    assert not Rsvp.objects.exists()
