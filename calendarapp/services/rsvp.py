"""Answers to an event's card: «Иду», «Может быть», «Не иду», one per person per event.

Anyone who sees a card may answer, whether or not they ever started the bot: the press
carries their Telegram id and name, kept as a profile without `bot_started_at` (the bot
does not write to them unasked). An answer can be changed until the organiser closes
answers (`Event.rsvp_closed`). «Иду» puts the event in the person's /calendar and feed
(selectors.calendar).

Capacity (`Event.capacity`, None: no limit) counts seats: each «Иду» and each of its
`+1` guests takes one. A «Иду» that finds no seat, or finds people already in line, is kept
as `waiting`, in answer order; when seats free (someone leaves, drops a guest, the
organiser raises the capacity) the first ones waiting move up and are told. A write to an
event with a capacity locks its row first (select_for_update), so presses near the
capacity are decided one transaction at a time and exactly `capacity` seats are ever
taken. Without a capacity there is no seat to race for: each answer is its own row,
upserted, so such presses take no lock and never wait for each other.

A card's buttons carry `r:<event id>:<code>:<signature>` (within Telegram's 64 bytes):
the signature, an HMAC of the event id under SECRET_KEY, proves the bot made the card, so
forged data can neither answer a private event nor attach its card to a message.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from calendarapp.exceptions import Conflict, DomainError, NotFound, ValidationFailed
from calendarapp.models import Event, Rsvp, TgUser
from calendarapp.parsing import validate_tg_id
from calendarapp.selectors.events import get_own_event

from . import rsvp_notices
from .event_cards import mark_cards_dirty, remember_cards
from .events import set_own_event_flag
from .rsvp_seats import (
    GOING,
    GUEST_LESS,
    GUEST_MORE,
    MAYBE,
    NOT_GOING,
    WAITING,
    Row,
    Seats,
    apply,
    move_up,
    seats_of,
)
from .statistics import bump_daily_statistics
from .users import TelegramProfile, _profile_fields

ANSWER_CODES = {"g": GOING, "m": MAYBE, "n": NOT_GOING, "p": GUEST_MORE, "l": GUEST_LESS}
_CODE_OF = {answer: code for code, answer in ANSWER_CODES.items()}
_SALT = "calendarapp.rsvp.card"
MAX_CAPACITY = 100_000


def card_signature(event_id: int | str) -> str:
    return salted_hmac(_SALT, str(event_id)).hexdigest()[:16]


def button_data(*, event_id: int, answer: str) -> str:
    return f"r:{event_id}:{_CODE_OF[answer]}:{card_signature(event_id)}"


def parse_button_data(data: str) -> tuple[int, str]:
    """(event id, answer or guest change) of a card's button; anything the bot did not
    make is refused."""
    parts = (data or "").split(":")
    if len(parts) != 4 or parts[0] != "r" or not parts[1].isdigit() or parts[2] not in ANSWER_CODES:
        raise ValidationFailed("This button is not valid.", code="rsvp_forged")
    event_id = int(parts[1])
    if not constant_time_compare(parts[3], card_signature(event_id)):
        raise ValidationFailed("This button is not valid.", code="rsvp_forged")
    return event_id, ANSWER_CODES[parts[2]]


def picker_data(*, event_id: int, member_tg_id: int) -> str:
    """A group picker's button: this member's event, pressable by that member only."""
    return f"gp:{event_id}:{member_tg_id}:{card_signature(f'{event_id}:{member_tg_id}')}"


def parse_picker_data(data: str) -> tuple[int, int]:
    """(event id, member's Telegram id) of a picker's button the bot made."""
    parts = (data or "").split(":")
    if len(parts) != 4 or parts[0] != "gp" or not (parts[1].isdigit() and parts[2].isdigit()):
        raise ValidationFailed("This button is not valid.", code="rsvp_forged")
    if not constant_time_compare(parts[3], card_signature(f"{parts[1]}:{parts[2]}")):
        raise ValidationFailed("This button is not valid.", code="rsvp_forged")
    return int(parts[1]), int(parts[2])


@dataclass(frozen=True)
class Press:
    event_id: int
    profile: TelegramProfile
    answer: str  # GOING, MAYBE, NOT_GOING, GUEST_MORE or GUEST_LESS
    inline_message_id: str | None = None


@dataclass
class Outcome:
    """Where the press left the person: `answer` is WAITING when «Иду» found no seat."""

    answer: str
    guests: int = 0


def _refusal(press: Press, events: dict[int, Event]) -> DomainError | None:
    if press.answer not in _CODE_OF:
        return ValidationFailed("Unknown answer {answer}.", code="rsvp_answer", answer=press.answer)
    event = events.get(press.event_id)
    if event is None:
        return NotFound(
            "Event {event_id} was not found.", code="event_not_found", event_id=press.event_id
        )
    if event.rsvp_closed:
        return Conflict("The organiser closed answers to this event.", code="rsvp_closed")
    try:
        validate_tg_id(press.profile.tg_id)
    except DomainError as error:
        return error
    return None


def _save_people(people: dict[int, TelegramProfile]) -> int:
    """Upsert the pressers' profiles; how many are new. Never marks anyone as having started
    the bot (bot_started_at is not touched). The upsert returns each row's created_at: a new
    row has the one this insert gave it, an existing one its own (not among the updated
    fields), which tells them apart in the same statement, whoever else inserts meanwhile."""
    rows = [TgUser(tg_id=tg_id, **_profile_fields(p)) for tg_id, p in sorted(people.items())]
    meta = TgUser._meta
    # bulk_create(update_conflicts=True) returns only auto fields; its own insert, asked
    # for created_at too, saves the read-back that would follow it.
    returned = TgUser.objects._insert(
        rows,
        fields=[field for field in meta.concrete_fields if not field.generated],
        returning_fields=[meta.pk, meta.get_field("created_at")],
        on_conflict=OnConflict.UPDATE,
        update_fields=[meta.get_field(name) for name in ("first_name", "username", "last_name")],
        unique_fields=[meta.pk],
    )
    stamped = {row.tg_id: row.created_at for row in rows}
    return sum(stamped[pk] == created_at for pk, created_at in returned)


def _events(event_ids) -> dict[int, Event]:
    """The pressed events; those with a capacity locked (re-read under the lock: their
    capacity may have changed meanwhile). An event read without a capacity while the
    organiser sets one counts as pressed just before: seats already taken are kept then."""
    # No ORDER BY (the model's default): the rows go into a dict, and building that
    # ordering over the joined owner was a third of this query's CPU.
    events = {
        event.pk: event
        for event in Event.objects.select_related("owner").filter(pk__in=list(event_ids)).order_by()
    }
    limited = sorted(pk for pk, event in events.items() if event.capacity is not None)
    if limited:
        # In id order, so two batches touching the same events never deadlock; NO KEY, as
        # in rsvp_notices.digest_due, so foreign-key checks never wait for it.
        locked = {
            event.pk: event
            for event in Event.objects.select_for_update(of=("self",), no_key=True)
            .select_related("owner")
            .filter(pk__in=limited)
            .order_by("pk")
        }
        for pk in limited:  # one deleted meanwhile is missing like any other
            events[pk] = locked.get(pk)
    return {pk: event for pk, event in events.items() if event is not None}


def answer_many(presses: list[Press]) -> tuple[list[Outcome | DomainError], bool]:
    """Record presses in arrival order, in one transaction of a few statements however many
    there are: the events (those with a capacity locked), the people (one upsert), their
    current answers, the seats of limited events, one upsert of the changed answers, the
    cards. The bot gathers the presses that arrive while the previous batch is written
    (bot/features/cards.py), so one commit serves many presses at busy moments.

    Returns each press's Outcome (or its refusal) and whether a card became due an edit.
    """
    outermost = not transaction.get_connection().in_atomic_block
    try:
        return _answer_many(presses)
    except IntegrityError:
        # An unlocked event deleted before the commit fails its answers' foreign keys
        # there. Written again, the batch finds it missing and refuses its presses alone.
        if not outermost:
            raise
        return _answer_many(presses)


@transaction.atomic
def _answer_many(presses: list[Press]) -> tuple[list[Outcome | DomainError], bool]:
    events = _events({press.event_id for press in presses})
    results: list[Outcome | DomainError | None] = [_refusal(p, events) for p in presses]
    accepted = [(i, p) for i, p in enumerate(presses) if results[i] is None]
    if not accepted:
        return results, False
    now = timezone.now()
    new_people = _save_people({p.profile.tg_id: p.profile for _i, p in accepted})
    rows = {
        (event_id, person_id): Row(answer, guests, answered_at)
        for event_id, person_id, answer, guests, answered_at in Rsvp.objects.filter(
            event_id__in={p.event_id for _i, p in accepted},
            person_id__in={p.profile.tg_id for _i, p in accepted},
        ).values_list("event_id", "person_id", "answer", "guests", "answered_at")
    }
    seats = seats_of(events)
    for i, press in accepted:
        key = (press.event_id, press.profile.tg_id)
        row = apply(press.answer, rows.get(key), seats.get(press.event_id), now)
        if isinstance(row, DomainError):
            results[i] = row
            continue
        if row.changed:
            rows[key] = row
        results[i] = Outcome(row.answer, row.guests)
    changed = {key: row for key, row in rows.items() if row.changed}
    Rsvp.objects.bulk_create(
        [
            Rsvp(
                event_id=event_id,
                person_id=tg_id,
                answer=row.answer,
                guests=row.guests,
                answered_at=row.answered_at,
                updated_at=now,
            )
            for (event_id, tg_id), row in sorted(changed.items())
        ],
        update_conflicts=True,
        unique_fields=["event", "person"],
        update_fields=["answer", "guests", "answered_at", "updated_at"],
    )
    for event_id, event_seats in seats.items():
        _seat_the_first(events[event_id], event_seats, accepted, results)
    # In id order: a digest's look at the outbox locks its event.
    for event_id in sorted({e for e, tg_id in changed if tg_id != events[e].owner_id}):
        rsvp_notices.digest_due(event=events[event_id], now=now)
    cards = {p.inline_message_id[:255]: p.event_id for _i, p in accepted if p.inline_message_id}
    remember_cards({inline_id: events[event_id] for inline_id, event_id in cards.items()})
    due = mark_cards_dirty({event_id for event_id, _ in changed} | set(cards.values()))
    if new_people:
        # Last: the day's one row stays locked until the commit, and every batch with a
        # newcomer (another bot process's too) waits for it; here only for the COMMIT.
        bump_daily_statistics(user_count=new_people)
    return results, due > 0


def _seat_the_first(event: Event, seats: Seats, accepted, results) -> None:
    """After a batch: the first ones waiting take the seats it freed. A presser of this
    batch hears it in the toast, the others through the outbox."""
    first = set(move_up(event, seats))
    pressed_now = set()
    for i, press in accepted:
        if press.event_id == event.pk and press.profile.tg_id in first:
            pressed_now.add(press.profile.tg_id)
            if isinstance(results[i], Outcome) and results[i].answer == WAITING:
                results[i].answer = GOING
    rsvp_notices.moved_up(event=event, person_ids=first - pressed_now)


def answer_event(
    *,
    event_id: int,
    profile: TelegramProfile,
    answer: str,
    inline_message_id: str | None = None,
) -> Outcome:
    """One press (see answer_many); raises its refusal."""
    (result,), _due = answer_many([Press(event_id, profile, answer, inline_message_id)])
    if isinstance(result, DomainError):
        raise result
    return result


@transaction.atomic
def set_answers_closed(*, organizer_tg_id: int, event_id: int, closed: bool) -> Event:
    """The organiser closes (or reopens) answers; the cards say so at their next edit."""
    event, changed = set_own_event_flag(
        owner_tg_id=organizer_tg_id, event_id=event_id, field="rsvp_closed", value=closed
    )
    if changed:
        mark_cards_dirty({event_id})
    return event


@transaction.atomic
def set_capacity(*, organizer_tg_id: int, event_id: int, capacity: int | None) -> Event:
    """The organiser limits the seats (None: no limit). Those already seated keep their
    seats when it shrinks; when it grows, the first ones waiting move up and are told."""
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationFailed(
            "Capacity must be between 1 and {limit}.", code="rsvp_capacity", limit=MAX_CAPACITY
        )
    event = get_own_event(owner_tg_id=organizer_tg_id, event_id=event_id, for_update=True)
    event.capacity = capacity
    event.save(update_fields=["capacity", "updated_at"])
    if capacity is None:
        first = list(
            Rsvp.objects.filter(event_id=event_id, answer=WAITING).values_list(
                "person_id", flat=True
            )
        )
        Rsvp.objects.filter(event_id=event_id, person_id__in=first).update(answer=GOING)
    else:
        first = move_up(event, seats_of({event_id: event})[event_id])
    rsvp_notices.moved_up(event=event, person_ids=first)
    mark_cards_dirty({event_id})
    return event


UNCHANGED = object()


@transaction.atomic
def change_answer_settings(
    *,
    organizer_tg_id: int,
    event_id: int,
    capacity: int | object | None = UNCHANGED,
    closed: bool | None = None,
) -> Event:
    """Seats and closing at once (the API), both or neither: set_capacity and
    set_answers_closed with their notices. Left out (UNCHANGED, None), a setting stays."""
    if capacity is not UNCHANGED:
        set_capacity(organizer_tg_id=organizer_tg_id, event_id=event_id, capacity=capacity)
    if closed is not None:
        set_answers_closed(organizer_tg_id=organizer_tg_id, event_id=event_id, closed=closed)
    return get_own_event(owner_tg_id=organizer_tg_id, event_id=event_id)
