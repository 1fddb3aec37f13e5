"""What an event's card shows: the event, its organiser, the answers' counts and first names."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from calendarapp.exceptions import NotFound
from calendarapp.models import Event, Rsvp

CARD_NAMES = 10  # first names shown per answer; the rest is a count ("и ещё 37")
INLINE_PAGE = 20  # results per answerInlineQuery page (Telegram allows 50)


@dataclass
class CardState:
    event: Event
    closed: bool
    counts: dict[str, int]
    names: dict[str, list[str]] = field(default_factory=dict)
    guests: int = 0  # brought by those going (+1), seats taken too
    capacity: int | None = None


def card_state(*, event_id: int, names: int = CARD_NAMES) -> CardState | None:
    """The card's content now (None: the event is gone). Four queries: the event with its
    owner, the counts (and guests), and the first names of «Иду» and «Может быть» in
    answer order."""
    event = Event.objects.select_related("owner").filter(pk=event_id).first()
    if event is None:
        return None
    answers = Rsvp.objects.filter(event_id=event_id)
    counts = dict.fromkeys(Rsvp.Answer.values, 0)
    guests = 0
    for answer, n, brought in (
        answers.values("answer")
        .annotate(n=Count("id"), g=Sum("guests"))
        .values_list("answer", "n", "g")
        .order_by()
    ):
        counts[answer] = n
        guests += (brought or 0) if answer == Rsvp.Answer.GOING else 0
    first: dict[str, list[str]] = {Rsvp.Answer.GOING: [], Rsvp.Answer.MAYBE: []}
    for answer in first:
        rows = (
            answers.filter(answer=answer)
            .order_by("answered_at", "id")
            .values_list("person__first_name", "person__username", "person_id")[:names]
        )
        first[answer] = [shown_name(*row) for row in rows]
    return CardState(
        event=event,
        closed=event.rsvp_closed,
        counts=counts,
        names=first,
        guests=guests,
        capacity=event.capacity,
    )


def shown_name(first_name: str, username: str, tg_id: int) -> str:
    return first_name or (f"@{username}" if username else str(tg_id))


def answer_counts(event_ids) -> dict[int, dict[str, int]]:
    """Counts per answer of many events in one query (an inline answer's page)."""
    counts = {event_id: dict.fromkeys(Rsvp.Answer.values, 0) for event_id in event_ids}
    rows = (
        Rsvp.objects.filter(event_id__in=list(counts))
        .values("event_id", "answer")
        .annotate(n=Count("id"))
        .values_list("event_id", "answer", "n")
        .order_by()
    )
    for event_id, answer, n in rows:
        counts[event_id][answer] = n
    return counts


def attendees(*, event_id: int) -> QuerySet[Rsvp]:
    """Who answered an event (staff's API), in answer order; a missing event is NotFound."""
    if not Event.objects.filter(pk=event_id).exists():
        raise NotFound("Event {event_id} was not found.", code="event_not_found", event_id=event_id)
    return (
        Rsvp.objects.filter(event_id=event_id)
        .select_related("person")
        .only(
            "person__tg_id",
            "person__username",
            "person__first_name",
            "person__last_name",
            "answer",
            "guests",
            "answered_at",
            "event_id",
        )
        .order_by("answered_at", "id")
    )


def answer_of(*, event_id: int, tg_id: int) -> str | None:
    return (
        Rsvp.objects.filter(event_id=event_id, person_id=tg_id)
        .values_list("answer", flat=True)
        .first()
    )


def postable_events(
    *, owner_tg_id: int, text: str = "", now: dt.datetime | None = None
) -> QuerySet:
    """The events a person may post as cards (inline mode): their own upcoming ones, public
    first, then soonest. Only the owner's own query lists a private event, so a private
    event is seen only where its owner posts it. `text` filters by name, or `#<id>` by id
    (what /post's button types)."""
    now = now or timezone.now()
    queryset = Event.objects.select_related("owner").filter(
        owner_id=owner_tg_id, starts_at__gte=now - dt.timedelta(hours=1)
    )
    text = (text or "").strip()
    if text.startswith("#") and text[1:].isdigit():
        queryset = queryset.filter(pk=int(text[1:]))
    elif text:
        queryset = queryset.filter(Q(name__ufold_contains=text) | Q(details__ufold_contains=text))
    return queryset.order_by("-is_public", "starts_at", "id")
