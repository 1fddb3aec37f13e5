"""The outbox: notifications written with the change that causes them, sent by the bot.

Call `enqueue` inside the transaction of the change; if the change rolls back, so does the
message. The bot process claims due messages (`claim_due`), renders them from `kind` and
`payload`, sends them and records the outcome (`mark_sent`, `mark_skipped`, `retry_later`,
`mark_failed`).

Claiming takes a lease: it moves `next_attempt_at` forward, so a bot that dies while
sending leaves the message due again once the lease runs out (delivery is at least once).
On PostgreSQL `skip_locked` lets several bot processes claim side by side without taking
the same rows; SQLite serialises writers anyway.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from calendarapp.models import OutboxMessage

LEASE = dt.timedelta(seconds=60)  # a claimed message is due again after this
MAX_ATTEMPTS = 8
BACKOFF_BASE = 2.0  # seconds: 2, 4, 8, ... capped at BACKOFF_CAP
BACKOFF_CAP = 600.0


def enqueue(*, chat_id: int, kind: str, **payload: object) -> OutboxMessage:
    return OutboxMessage.objects.create(chat_id=chat_id, kind=kind, payload=payload)


def claim_due(
    *, kinds: Iterable[str], limit: int = 50, now: dt.datetime | None = None
) -> list[OutboxMessage]:
    """Take up to `limit` due pending messages of the given kinds, oldest first.

    Kinds this process cannot render stay untouched (a newer bot version may know them).
    Each claimed message counts one attempt and is leased for LEASE.
    """
    now = now or timezone.now()
    pending = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now, kind__in=list(kinds)
    )
    # The usual answer, every second, is "nothing due": learn it with a plain read, without
    # row locks (and, on SQLite, without the write lock each transaction here takes).
    if not pending.exists():
        return []
    with transaction.atomic():
        due = list(
            pending.select_for_update(skip_locked=True).order_by("next_attempt_at", "id")[:limit]
        )
        if due:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in due]).update(
                attempts=F("attempts") + 1, next_attempt_at=now + LEASE
            )
    for message in due:
        message.attempts += 1
    return due


def mark_sent(message_id: int) -> None:
    OutboxMessage.objects.filter(pk=message_id).update(
        status=OutboxMessage.Status.SENT, sent_at=timezone.now(), last_error=""
    )


def mark_sent_unconfirmed(*, message_id: int, error: str) -> None:
    """Sent, but the answer never came (a timeout after the request left): Telegram has
    probably delivered it, so it counts as sent and is not sent again."""
    OutboxMessage.objects.filter(pk=message_id).update(
        status=OutboxMessage.Status.SENT,
        sent_at=timezone.now(),
        last_error=f"unconfirmed: {error}"[:1000],
    )


def mark_skipped(*, message_id: int, reason: str = "no longer relevant") -> None:
    """Done without sending: what it announced has changed (sent_at stays empty)."""
    OutboxMessage.objects.filter(pk=message_id).update(
        status=OutboxMessage.Status.SENT, last_error=f"skipped: {reason}"[:1000]
    )


def mark_failed(*, message_id: int, error: str) -> None:
    OutboxMessage.objects.filter(pk=message_id).update(
        status=OutboxMessage.Status.FAILED, last_error=error[:1000]
    )


def backoff(attempts: int) -> float:
    return min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(attempts - 1, 0))


def retry_later(*, message_id: int, error: str, delay: float | None = None) -> dt.datetime | None:
    """Schedule another attempt after a temporary failure, or give up after MAX_ATTEMPTS.

    Returns when it will be retried (None: given up, FAILED). `delay` (e.g. Telegram's
    retry_after) overrides the exponential back-off when longer.
    """
    message = OutboxMessage.objects.filter(pk=message_id).only("attempts").first()
    if message is None:
        return None
    if message.attempts >= MAX_ATTEMPTS:
        mark_failed(message_id=message_id, error=error)
        return None
    wait = max(backoff(message.attempts), delay or 0.0)
    at = timezone.now() + dt.timedelta(seconds=wait)
    OutboxMessage.objects.filter(pk=message_id).update(next_attempt_at=at, last_error=error[:1000])
    return at


def release(*, message_id: int, at: dt.datetime) -> None:
    """Give back a claimed message that was not tried (an earlier one to the same chat
    failed): due again at `at`, with the attempt it was charged returned."""
    OutboxMessage.objects.filter(pk=message_id, attempts__gt=0).update(
        attempts=F("attempts") - 1, next_attempt_at=at
    )
