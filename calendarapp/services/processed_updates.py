"""The record of handled Telegram updates (see calendarapp/bot/runtime/once.py)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from calendarapp.models import ProcessedUpdate


def prune_processed_updates(*, now: dt.datetime | None = None) -> int:
    """Forget handled updates older than BOT_PROCESSED_UPDATES_DAYS; returns how many.

    Telegram stops redelivering an update after 24 hours, so an older id can never come
    back; the default keeps two days."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.BOT_PROCESSED_UPDATES_DAYS)
    deleted, _ = ProcessedUpdate.objects.filter(processed_at__lt=cutoff).delete()
    return deleted
