"""Answers to an event's card: «Иду», «Может быть», «Не иду», one per person per event.

Anyone who sees a card may answer, whether or not they ever started the bot: the press
carries their Telegram id and name, kept as a profile without `bot_started_at` (the bot
does not write to them unasked). An answer can be changed until the organiser closes
answers (`Event.rsvp_closed`). «Иду» puts the event in the person's /calendar and feed
(selectors.calendar).

Cards are not edited here: an answer marks the event's posted cards dirty in the same
transaction, and the bot's card job edits them at most once per CARD_EDIT_INTERVAL
(`claim_due_cards`), so however many presses arrive, each card costs few edits and shows
the last state.

A card's buttons carry `r:<event id>:<answer>:<signature>` (within Telegram's 64 bytes):
the signature, an HMAC of the event id under SECRET_KEY, proves the bot made the card, so
forged data can neither answer a private event nor attach its card to a message.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from calendarapp.exceptions import Conflict, DomainError, NotFound, ValidationFailed
from calendarapp.models import Event, EventCard, Rsvp, TgUser
from calendarapp.parsing import validate_tg_id
from calendarapp.selectors.events import get_own_event

from .events import set_own_event_flag
from .users import TelegramProfile, _profile_fields

ANSWER_CODES = {"g": Rsvp.Answer.GOING, "m": Rsvp.Answer.MAYBE, "n": Rsvp.Answer.NOT_GOING}
_CODE_OF = {answer: code for code, answer in ANSWER_CODES.items()}
_SALT = "calendarapp.rsvp.card"


def card_signature(event_id: int) -> str:
    return salted_hmac(_SALT, str(event_id)).hexdigest()[:16]


def button_data(*, event_id: int, answer: str) -> str:
    return f"r:{event_id}:{_CODE_OF[answer]}:{card_signature(event_id)}"


def parse_button_data(data: str) -> tuple[int, str]:
    """(event id, answer) of a card's button; anything the bot did not make is refused."""
    parts = (data or "").split(":")
    if len(parts) != 4 or parts[0] != "r" or not parts[1].isdigit() or parts[2] not in ANSWER_CODES:
        raise ValidationFailed("This button is not valid.", code="rsvp_forged")
    event_id = int(parts[1])
    if not constant_time_compare(parts[3], card_signature(event_id)):
        raise ValidationFailed("This button is not valid.", code="rsvp_forged")
    return event_id, ANSWER_CODES[parts[2]]


@dataclass(frozen=True)
class Press:
    event_id: int
    profile: TelegramProfile
    answer: str
    inline_message_id: str | None = None


def _mark_cards_dirty(event_ids) -> int:
    """How many clean cards became due an edit (0: they were due already)."""
    return EventCard.objects.filter(
        event_id__in=list(event_ids), dirty=False, gone_at__isnull=True
    ).update(dirty=True)


def _refusal(press: Press, closed: dict[int, bool]) -> DomainError | None:
    if press.answer not in Rsvp.Answer.values:
        return ValidationFailed("Unknown answer {answer}.", code="rsvp_answer", answer=press.answer)
    if press.event_id not in closed:
        return NotFound(
            "Event {event_id} was not found.", code="event_not_found", event_id=press.event_id
        )
    if closed[press.event_id]:
        return Conflict("The organiser closed answers to this event.", code="rsvp_closed")
    try:
        validate_tg_id(press.profile.tg_id)
    except DomainError as error:
        return error
    return None


@transaction.atomic
def answer_many(presses: list[Press]) -> tuple[list[DomainError | None], bool]:
    """Record presses in arrival order, in one transaction of a few statements however many
    there are: the events, two upserts (the people, the answers: INSERT ... ON CONFLICT, so
    no read-then-write race and the last press of a person wins), the cards. The bot
    gathers the presses that arrive while the previous batch is written (bot/features/
    cards.py), so one commit serves many presses at busy moments.

    Returns each press's refusal (None: recorded) and whether a card became due an edit.
    """
    event_ids = {press.event_id for press in presses}
    closed = dict(Event.objects.filter(pk__in=event_ids).values_list("pk", "rsvp_closed"))
    refusals = [_refusal(press, closed) for press in presses]
    accepted = [press for press, refusal in zip(presses, refusals, strict=True) if refusal is None]
    if not accepted:
        return refusals, False
    now = timezone.now()
    people = {press.profile.tg_id: press.profile for press in accepted}
    # Never marks anyone as having started the bot: bot_started_at is not touched.
    TgUser.objects.bulk_create(
        [
            TgUser(tg_id=tg_id, **_profile_fields(profile))
            for tg_id, profile in sorted(people.items())
        ],
        update_conflicts=True,
        unique_fields=["tg_id"],
        update_fields=["first_name", "username", "last_name"],
    )
    answers = {(press.event_id, press.profile.tg_id): press.answer for press in accepted}
    Rsvp.objects.bulk_create(
        [
            Rsvp(event_id=event_id, person_id=tg_id, answer=answer, answered_at=now, updated_at=now)
            for (event_id, tg_id), answer in sorted(answers.items())
        ],
        update_conflicts=True,
        unique_fields=["event", "person"],
        update_fields=["answer", "answered_at", "updated_at"],
    )
    cards = {p.inline_message_id[:255]: p.event_id for p in accepted if p.inline_message_id}
    if cards:
        known = set(
            EventCard.objects.filter(inline_message_id__in=list(cards)).values_list(
                "inline_message_id", flat=True
            )
        )
        EventCard.objects.bulk_create(
            [
                EventCard(event_id=e, inline_message_id=i)
                for i, e in cards.items()
                if i not in known
            ],
            ignore_conflicts=True,
        )
    return refusals, _mark_cards_dirty({press.event_id for press in accepted}) > 0


def answer_event(
    *,
    event_id: int,
    profile: TelegramProfile,
    answer: str,
    inline_message_id: str | None = None,
) -> bool:
    """One press (see answer_many); raises its refusal. A press on a card the bot has not
    seen posted (no chosen_inline_result) makes the card known."""
    (refusal,), due = answer_many([Press(event_id, profile, answer, inline_message_id)])
    if refusal is not None:
        raise refusal
    return due


def _known_card(*, event_id: int, inline_message_id: str) -> EventCard:
    try:
        with transaction.atomic():
            card, _created = EventCard.objects.get_or_create(
                inline_message_id=inline_message_id[:255], defaults={"event_id": event_id}
            )
    except IntegrityError:
        card = EventCard.objects.get(inline_message_id=inline_message_id[:255])
    return card


@transaction.atomic
def card_posted(*, event_id: int, owner_tg_id: int, inline_message_id: str) -> EventCard:
    """The owner chose the event in inline mode (chosen_inline_result): the card exists now,
    and is edited whenever its answers change. Only the owner's own events are cards."""
    get_own_event(owner_tg_id=owner_tg_id, event_id=event_id)
    card = _known_card(event_id=event_id, inline_message_id=inline_message_id)
    # Due at once: the inline result showed counts only; the edit adds the names (and is
    # Telegram's free "not modified" when there are none).
    EventCard.objects.filter(pk=card.pk, gone_at__isnull=True).update(dirty=True)
    return card


@transaction.atomic
def set_answers_closed(*, organizer_tg_id: int, event_id: int, closed: bool) -> Event:
    """The organiser closes (or reopens) answers; the cards say so at their next edit."""
    event, changed = set_own_event_flag(
        owner_tg_id=organizer_tg_id, event_id=event_id, field="rsvp_closed", value=closed
    )
    if changed:
        _mark_cards_dirty({event_id})
    return event


# --- the card job's side (bot/features/cards.py) -------------------------------------------------
def claim_due_cards(*, interval: float, limit: int = 50) -> list[EventCard]:
    """Take the dirty cards whose pause is over, clean them and start their next pause. A
    press after this marks the card dirty again, so its edit follows after `interval`.
    `skip_locked`: several bot processes never take the same card."""
    now = timezone.now()
    with transaction.atomic():
        cards = list(
            EventCard.objects.select_for_update(skip_locked=True)
            .filter(dirty=True, gone_at__isnull=True)
            .filter(Q(next_edit_at__isnull=True) | Q(next_edit_at__lte=now))
            .order_by("next_edit_at", "id")[:limit]
        )
        if cards:
            EventCard.objects.filter(pk__in=[card.pk for card in cards]).update(
                dirty=False, next_edit_at=now + dt.timedelta(seconds=interval)
            )
    return cards


def card_edited(*, card_id: int, interval: float) -> None:
    """The edit is done: the pause starts again now, so the gap Telegram sees between two
    edits is never shorter than `interval`, however long this one took to arrive."""
    EventCard.objects.filter(pk=card_id).update(
        edits=F("edits") + 1, next_edit_at=timezone.now() + dt.timedelta(seconds=interval)
    )


def card_retry(*, card_id: int, at: dt.datetime) -> None:
    """Telegram asked to wait (429): the card stays due, from `at`."""
    EventCard.objects.filter(pk=card_id).update(dirty=True, next_edit_at=at)


def card_gone(*, card_id: int) -> None:
    """Telegram no longer knows the message: never edit it again."""
    EventCard.objects.filter(pk=card_id).update(gone_at=timezone.now(), dirty=False)
