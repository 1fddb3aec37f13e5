"""The outbox's claiming rules (the dispatcher itself is tested end to end)."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from calendarapp.models import OutboxMessage
from calendarapp.services import outbox
from tests.support.threads import run_in_threads


@pytest.mark.django_db
def test_claim_takes_due_known_kinds_oldest_first_and_leases_them():
    first = outbox.enqueue(chat_id=1, kind="note", n=1)
    second = outbox.enqueue(chat_id=2, kind="note", n=2)
    outbox.enqueue(chat_id=3, kind="unknown")
    later = outbox.enqueue(chat_id=4, kind="note")
    OutboxMessage.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + dt.timedelta(hours=1)
    )
    claimed = outbox.claim_due(kinds=["note"])
    assert [m.pk for m in claimed] == [first.pk, second.pk]
    assert [m.attempts for m in claimed] == [1, 1]
    # Leased: not claimed again until the lease runs out (a crash mid-send retries later).
    assert outbox.claim_due(kinds=["note"]) == []
    after_lease = timezone.now() + outbox.LEASE + dt.timedelta(seconds=1)
    assert {m.pk for m in outbox.claim_due(kinds=["note"], now=after_lease)} == {
        first.pk,
        second.pk,
    }


@pytest.mark.django_db
def test_retry_backs_off_then_gives_up(monkeypatch):
    monkeypatch.setattr(outbox, "MAX_ATTEMPTS", 2)
    message = outbox.enqueue(chat_id=1, kind="note")
    outbox.claim_due(kinds=["note"])
    before = timezone.now()
    assert outbox.retry_later(message_id=message.pk, error="502", delay=30)
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert stored.next_attempt_at >= before + dt.timedelta(seconds=30)
    assert (stored.status, stored.last_error) == (OutboxMessage.Status.PENDING, "502")
    outbox.claim_due(kinds=["note"], now=stored.next_attempt_at)
    assert not outbox.retry_later(message_id=message.pk, error="502 again")
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.FAILED
    assert outbox.backoff(1) < outbox.backoff(2) < outbox.backoff(3) <= outbox.BACKOFF_CAP


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_never_claim_the_same_message():
    if connection.vendor == "sqlite":
        pytest.skip("skip_locked needs PostgreSQL")
    for n in range(40):
        outbox.enqueue(chat_id=n, kind="note")
    claimed: list[list[int]] = []

    def claim():
        mine = []
        while batch := outbox.claim_due(kinds=["note"], limit=5):
            mine += [m.pk for m in batch]
        claimed.append(mine)

    run_in_threads(claim, count=2)
    together = claimed[0] + claimed[1]
    assert len(together) == len(set(together)) == 40
