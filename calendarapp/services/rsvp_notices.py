"""What the people around an event's card are told through the outbox, written in the
transaction of the change: a seat freed for the first one waiting, the organiser's changes
and cancellation to those who answered, and the organiser's digest of new answers.

Only people who started the bot are written to (a press alone never makes someone a
recipient: Telegram forbids writing first). The organiser is never told of their own event.
"""

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from calendarapp.models import Event, OutboxMessage, Rsvp

from .event_cards import mark_cards_dirty

MOVED_UP = "rsvp_moved_up"
EVENT_CHANGED = "rsvp_event_changed"
EVENT_CANCELLED = "rsvp_event_cancelled"
DIGEST = "rsvp_digest"

_TOLD_OF_CHANGES = (Rsvp.Answer.GOING, Rsvp.Answer.MAYBE, Rsvp.Answer.WAITING)


def _reachable(rsvps, owner_id: int):
    return (
        rsvps.filter(person__bot_started_at__isnull=False, person__is_active=True)
        .exclude(person_id=owner_id)
        .values_list("person_id", flat=True)
    )


def _enqueue_all(chat_ids, kind: str, payload: dict) -> int:
    messages = [OutboxMessage(chat_id=chat_id, kind=kind, payload=payload) for chat_id in chat_ids]
    OutboxMessage.objects.bulk_create(messages, batch_size=1000)
    return len(messages)


def moved_up(*, event: Event, person_ids) -> int:
    """A seat freed: these people, first in line, go now."""
    rsvps = Rsvp.objects.filter(event_id=event.pk, person_id__in=list(person_ids))
    return _enqueue_all(_reachable(rsvps, event.owner_id), MOVED_UP, {"event_id": event.pk})


def event_changed(*, event: Event) -> int:
    """services.events changed the event: its cards show it, and everyone who answered
    «Иду» (seated or waiting) or «Может быть» hears it."""
    mark_cards_dirty({event.pk})
    rsvps = Rsvp.objects.filter(event_id=event.pk, answer__in=_TOLD_OF_CHANGES)
    return _enqueue_all(_reachable(rsvps, event.owner_id), EVENT_CHANGED, {"event_id": event.pk})


def event_cancelled(*, event: Event) -> int:
    """services.events deletes the event: everyone who answered hears it. Called before the
    delete (the answers go with the event), so the payload keeps what the text needs."""
    payload = {
        "event_name": event.name,
        "date": event.date.isoformat(),
        "time": event.time.strftime("%H:%M"),
        "zone": event.owner.timezone,
    }
    rsvps = Rsvp.objects.filter(event_id=event.pk)
    return _enqueue_all(_reachable(rsvps, event.owner_id), EVENT_CANCELLED, payload)


def _digest_key(event: Event) -> str:
    return f"rsvp-digest:{event.pk}"


# Per process: the events whose digest is known to be pending, until when it is due.
_pending_until: dict[tuple[int, dt.datetime], dt.datetime] = {}
_PENDING_KEPT = 10_000


def _remember_pending(event: Event, until: dt.datetime, now: dt.datetime) -> None:
    if len(_pending_until) >= _PENDING_KEPT:
        for key in [key for key, due in _pending_until.items() if due <= now]:
            del _pending_until[key]
        if len(_pending_until) >= _PENDING_KEPT:
            _pending_until.clear()
    # With its created_at: an id alone may name another event (a database restored, or
    # emptied between tests).
    _pending_until[(event.pk, event.created_at)] = until


def _known_pending(event: Event, now: dt.datetime) -> bool:
    if _pending_until.get((event.pk, event.created_at), now) > now:
        return True
    until = cache.get(_digest_key(event))
    if until is None or until <= now.timestamp():
        return False
    _remember_pending(event, dt.datetime.fromtimestamp(until, dt.UTC), now)
    return True


def _publish_pending(event: Event, until: dt.datetime, now: dt.datetime) -> None:
    """Once committed: the digest is pending until `until`, for every process to know."""

    def publish():
        cache.set(_digest_key(event), until.timestamp(), timeout=(until - now).total_seconds())
        _remember_pending(event, until, now)

    transaction.on_commit(publish)


def digest_due(*, event: Event, now: dt.datetime) -> bool:
    """New answers arrived: the organiser's digest goes out RSVP_DIGEST_PERIOD after the
    first of them, with everything answered since (one message, not one per press).

    A digest is never claimed before it is due, so until then it is known to be pending
    and later answers join it without a look at the outbox: the batch that started it (or
    found it) says so once committed, in this process and in the shared cache for the
    others. Otherwise the outbox is read under the event's row lock, so two batches (two
    bot replicas) never both start one; a digest still pending when due (the outbox is
    late, or it is being sent: `attempts`) is looked at by every press until it is gone,
    so no answer falls between two digests."""
    owner = event.owner
    if not owner.can_receive_messages or _known_pending(event, now):
        return False
    # NO KEY: the answers' foreign keys are checked at COMMIT with a KEY SHARE lock on the
    # event, which this one leaves free; a FOR UPDATE here would make a batch that holds
    # the card's lock and commits wait for a batch that holds this one and wants the card.
    if not Event.objects.select_for_update(no_key=True).filter(pk=event.pk).exists():
        return False  # deleted meanwhile
    pending = (
        OutboxMessage.objects.filter(
            chat_id=owner.pk,
            kind=DIGEST,
            status=OutboxMessage.Status.PENDING,
            payload__event_id=event.pk,
        )
        .values_list("next_attempt_at", "attempts")
        .first()
    )
    if pending is not None:
        until, attempts = pending
        if attempts == 0 and until > now:  # never claimed: not rendered before `until`
            _publish_pending(event, until, now)
        return False
    due = now + dt.timedelta(seconds=settings.RSVP_DIGEST_PERIOD)
    message = OutboxMessage.objects.create(
        chat_id=owner.pk, kind=DIGEST, payload={"event_id": event.pk, "since": now.isoformat()}
    )
    # Not at create: next_attempt_at is auto_now_add, which would overwrite it.
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=due)
    _publish_pending(event, due, now)
    return True


def digest_since(message: OutboxMessage) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(message.payload.get("since")))
    except ValueError:
        return None
