"""The tables that are also work queues (the outbox, reminders, snoozes, card edits,
invitations waiting for their invitee): a job claims their waiting rows by one index each."""

from django.db import models


def due_index(*fields: str, waiting: models.Q, name: str) -> models.Index:
    """The index a queue's claim reads: partial, on the rows still waiting only, so it stays
    as small as the queue while the table keeps every row it ever had."""
    return models.Index(fields=list(fields), condition=waiting, name=name)
