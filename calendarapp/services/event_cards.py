"""The posted copies of events' cards (models.EventCard) and the card job's side of them.

Cards are not edited at each press: an answer marks the event's cards dirty in the same
transaction (`mark_cards_dirty`), and the bot's card job edits them at most once per
CARD_EDIT_INTERVAL (`claim_due_cards`), so however many presses arrive, each card costs few
edits and shows the last state.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from calendarapp.models import CARDS_TO_EDIT, EventCard
from calendarapp.selectors.events import get_own_event


def mark_cards_dirty(event_ids) -> int:
    """How many clean cards became due an edit (0: they were due already)."""
    return EventCard.objects.filter(
        event_id__in=list(event_ids), dirty=False, gone_at__isnull=True
    ).update(dirty=True)


def remember_cards(cards: dict[str, int]) -> None:
    """Cards seen by a press ({inline message id: event id}) that the bot had not seen
    posted (no chosen_inline_result) become known."""
    if not cards:
        return
    known = set(
        EventCard.objects.filter(inline_message_id__in=list(cards)).values_list(
            "inline_message_id", flat=True
        )
    )
    EventCard.objects.bulk_create(
        [EventCard(event_id=e, inline_message_id=i) for i, e in cards.items() if i not in known],
        ignore_conflicts=True,
    )


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
def chat_card_posted(
    *, event_id: int, owner_tg_id: int, chat_id: int, message_id: int
) -> EventCard:
    """The owner posted the card as the bot's own message in a group (/post there)."""
    get_own_event(owner_tg_id=owner_tg_id, event_id=event_id)
    card, _created = EventCard.objects.get_or_create(
        inline_message_id=f"{chat_id}/{message_id}",
        defaults={"event_id": event_id, "chat_id": chat_id, "message_id": message_id},
    )
    return card


def claim_due_cards(*, interval: float, limit: int = 50) -> list[EventCard]:
    """Take the dirty cards whose pause is over, clean them and start their next pause. A
    press after this marks the card dirty again, so its edit follows after `interval`.
    `skip_locked`: several bot processes never take the same card."""
    now = timezone.now()
    with transaction.atomic():
        cards = list(
            EventCard.objects.select_for_update(skip_locked=True)
            .filter(CARDS_TO_EDIT)
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
