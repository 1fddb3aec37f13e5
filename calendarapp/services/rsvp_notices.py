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


def _take_digest_key(event: Event, now: dt.datetime) -> bool:
    """Whether this batch is the one to look at the outbox; otherwise the digest another
    one started is remembered until it is due."""
    key, period = _digest_key(event), settings.RSVP_DIGEST_PERIOD
    due = now + dt.timedelta(seconds=period)
    if cache.add(key, due.timestamp(), timeout=period):
        return True
    until = cache.get(key)
    if until is not None and until > now.timestamp():
        _remember_pending(event, dt.datetime.fromtimestamp(until, dt.UTC), now)
        return False
    if until is not None:
        # Due by this process's clock, still kept by the cache's (clocks a moment apart).
        cache.delete(key)
    return cache.add(key, due.timestamp(), timeout=period)


def digest_due(*, event: Event, now: dt.datetime) -> bool:
    """New answers arrived: the organiser's digest goes out RSVP_DIGEST_PERIOD after the
    first of them, with everything answered since (one message, not one per press).

    A digest is never sent before it is due, so until then it is known to be pending and
    later answers join it without a look at the outbox: this process remembers it, and the
    shared cache tells the other processes (its add() lets one of two batches, in two bot
    replicas, start one). The outbox is read once a period per event, by the one that took
    the cache key: it finds a digest still pending when the key was lost, or when the
    outbox is late sending the last one (then every press looks again until it is sent,
    so no answer falls between two digests)."""
    owner = event.owner
    if not owner.can_receive_messages:
        return False
    if _pending_until.get((event.pk, event.created_at), now) > now:
        return False
    if not _take_digest_key(event, now):
        return False
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
        # Never claimed yet: it is not rendered before `until`. A claimed one may be
        # rendered already (its lease looks like a later time): look again at each press.
        if attempts == 0 and until > now:
            cache.set(_digest_key(event), until.timestamp(), timeout=(until - now).total_seconds())
            _remember_pending(event, until, now)
        else:
            cache.delete(_digest_key(event))
        return False
    due = now + dt.timedelta(seconds=settings.RSVP_DIGEST_PERIOD)
    message = OutboxMessage.objects.create(
        chat_id=owner.pk, kind=DIGEST, payload={"event_id": event.pk, "since": now.isoformat()}
    )
    # Not at create: next_attempt_at is auto_now_add, which would overwrite it.
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=due)
    transaction.on_commit(lambda: _remember_pending(event, due, now))
    return True


def digest_since(message: OutboxMessage) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(message.payload.get("since")))
    except ValueError:
        return None
