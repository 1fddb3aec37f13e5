"""Seats of an event with a capacity: each «Иду» and each of its guests takes one; a «Иду»
that finds no seat, or people already in line, waits (answer `waiting`, in answer order).
The callers (services.rsvp) hold the event's row lock, so these counts stay true."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from calendarapp.exceptions import Conflict, DomainError
from calendarapp.models import Event, Rsvp

GOING, MAYBE, NOT_GOING, WAITING = (
    Rsvp.Answer.GOING,
    Rsvp.Answer.MAYBE,
    Rsvp.Answer.NOT_GOING,
    Rsvp.Answer.WAITING,
)
GUEST_MORE, GUEST_LESS = "guest+", "guest-"
MAX_GUESTS = 10


@dataclass
class Seats:
    capacity: int
    taken: int
    waiting: int

    def fit(self, seats: int) -> bool:
        # People in line come before any newcomer (and before anyone's extra guest).
        return self.waiting == 0 and self.taken + seats <= self.capacity


@dataclass
class Row:
    answer: str
    guests: int
    answered_at: object
    changed: bool = False


def apply(wanted: str, row: Row | None, seats: Seats | None, now) -> Row | DomainError:
    """One press on the person's current answer (None: none yet), seats kept in step."""
    old = row or Row(answer="", guests=0, answered_at=now)
    if wanted in (GUEST_MORE, GUEST_LESS):
        if old.answer != GOING:
            return Conflict("Guests come with a «going» answer.", code="rsvp_guests_need_going")
        step = 1 if wanted == GUEST_MORE else -1
        if step > 0 and old.guests >= MAX_GUESTS:
            return Conflict("At most {limit} guests.", code="rsvp_guests_max", limit=MAX_GUESTS)
        if step > 0 and seats is not None and not seats.fit(1):
            return Conflict("No seats are left.", code="rsvp_full")
        if step < 0 and old.guests == 0:
            return old
        if seats is not None:
            seats.taken += step
        return Row(GOING, old.guests + step, old.answered_at, changed=True)
    if (wanted == GOING and old.answer in (GOING, WAITING)) or wanted == old.answer:
        return old  # pressed again: the place in line and the seat stay
    if seats is not None:
        if old.answer == GOING:
            seats.taken -= 1 + old.guests
        elif old.answer == WAITING:
            seats.waiting -= 1
        if wanted == GOING:
            if seats.fit(1):
                seats.taken += 1
            else:
                wanted, seats.waiting = WAITING, seats.waiting + 1
    return Row(wanted, 0, now, changed=True)


def seats_of(events: dict[int, Event]) -> dict[int, Seats]:
    limited = {pk: event.capacity for pk, event in events.items() if event.capacity is not None}
    if not limited:
        return {}
    rows = (
        Rsvp.objects.filter(event_id__in=list(limited))
        .values("event_id")
        .annotate(
            seated=Count("id", filter=Q(answer=GOING)),
            guests=Sum("guests", filter=Q(answer=GOING)),
            waiting=Count("id", filter=Q(answer=WAITING)),
        )
        .values_list("event_id", "seated", "guests", "waiting")
        .order_by()
    )
    seats = {pk: Seats(capacity, 0, 0) for pk, capacity in limited.items()}
    for event_id, seated, guests, waiting in rows:
        seats[event_id].taken, seats[event_id].waiting = seated + (guests or 0), waiting
    return seats


def move_up(event: Event, seats: Seats) -> list[int]:
    """Seat the first ones waiting while seats are free (each waits alone: no guests)."""
    free = seats.capacity - seats.taken
    if free <= 0 or seats.waiting <= 0:
        return []
    first = list(
        Rsvp.objects.filter(event_id=event.pk, answer=WAITING)
        .order_by("answered_at", "id")
        .values_list("person_id", flat=True)[:free]
    )
    Rsvp.objects.filter(event_id=event.pk, person_id__in=first).update(answer=GOING)
    seats.taken += len(first)
    seats.waiting -= len(first)
    return first
