"""The posted copies of events' cards (models.EventCard) and the card job's side of them.

Cards are not edited at each press: an answer marks the event's cards dirty in the same
transaction (`mark_cards_dirty`), and the bot's card job edits them at most once per
CARD_EDIT_INTERVAL (`claim_due_cards`), so however many presses arrive, each card costs few
edits and shows the last state.
"""

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from calendarapp.models import CARDS_TO_EDIT, Event, EventCard
from calendarapp.selectors.events import get_own_event


def mark_cards_dirty(event_ids) -> int:
    """Mark the events' cards due an edit; how many of them may be edited at once (their
    pause is over), so the caller wakes the card job only then.

    Every card is written, even one that is dirty already: the row stays locked until the
    caller's transaction ends, and the card job's claim (`skip_locked`) passes it over
    meanwhile. A card already dirty left unlocked could be claimed and rendered between
    this statement and the commit, without these answers, and cleaned: they would then
    never reach the card. Locked in id order, so two writers never deadlock on them.
    """
    ids = sorted(set(event_ids))
    if not ids:
        return 0
    now = timezone.now()
    if connection.vendor != "postgresql":  # one writer at a time: no claim in between
        cards = EventCard.objects.filter(event_id__in=ids, gone_at__isnull=True)
        editable = cards.filter(Q(next_edit_at__isnull=True) | Q(next_edit_at__lte=now)).count()
        cards.update(dirty=True)
        return editable
    table = connection.ops.quote_name(EventCard._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET dirty = true WHERE id IN ("  # noqa: S608 - names from the model
            f"SELECT id FROM {table} WHERE event_id IN ({marks}) AND gone_at IS NULL "
            "ORDER BY id FOR UPDATE) RETURNING next_edit_at IS NULL OR next_edit_at <= %s",
            [*ids, now],
        )
        return sum(1 for (editable,) in cursor.fetchall() if editable)


# Per process: cards known to be in the database, so that each press on a card seen before
# costs no look. With the event's created_at: an id alone may name another event (a
# database restored, or emptied between tests). A card row goes only with its event.
_known: set[tuple[str, int, object]] = set()
_KNOWN_KEPT = 100_000


def remember_cards(cards: dict[str, Event]) -> None:
    """Cards seen by a press ({inline message id: its event}) that the bot had not seen
    posted (no chosen_inline_result) become known."""
    keys = {(i, event.pk, event.created_at): i for i, event in cards.items()}
    unknown = {i: cards[i].pk for key, i in keys.items() if key not in _known}
    if not unknown:
        return
    known = set(
        EventCard.objects.filter(inline_message_id__in=list(unknown)).values_list(
            "inline_message_id", flat=True
        )
    )
    EventCard.objects.bulk_create(
        [EventCard(event_id=e, inline_message_id=i) for i, e in unknown.items() if i not in known],
        ignore_conflicts=True,
    )
    if len(_known) >= _KNOWN_KEPT:
        _known.clear()
    # Once committed: a rolled-back insert leaves the card unknown.
    transaction.on_commit(lambda: _known.update(k for k, i in keys.items() if i in unknown))


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
    event = get_own_event(owner_tg_id=owner_tg_id, event_id=event_id)
    card = _known_card(event_id=event_id, inline_message_id=inline_message_id)
    # Due at once: the inline result showed counts only; the edit adds the names (and is
    # Telegram's free "not modified" when there are none).
    EventCard.objects.filter(pk=card.pk, gone_at__isnull=True).update(dirty=True)
    if card.event_id == event.pk:
        key = (card.inline_message_id, event.pk, event.created_at)
        transaction.on_commit(lambda: _known.add(key))
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
