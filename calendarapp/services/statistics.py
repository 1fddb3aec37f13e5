"""Daily statistics: one `BotStatistics` row per day, incremented atomically."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from calendarapp.models import BotStatistics, TgUser

COUNTERS = {"user_count", "event_count", "edited_events", "cancelled_events", "appointment_count"}


def bump_daily_statistics(**increments: int) -> None:
    """Add to today's counters (today in settings.TIME_ZONE) without losing concurrent updates.

    One UPDATE in the common case; on the first event of the day the row is created, and a
    concurrent creator is absorbed by retrying the UPDATE.
    """
    unknown = set(increments) - COUNTERS
    if unknown:
        raise ValueError(f"Unknown statistics counters: {sorted(unknown)}")
    today = timezone.localdate()
    update = {name: F(name) + amount for name, amount in increments.items()}
    if BotStatistics.objects.filter(date=today).update(**update):
        return
    try:
        with transaction.atomic():
            BotStatistics.objects.create(date=today, **increments)
    except IntegrityError:
        BotStatistics.objects.filter(date=today).update(**update)


def bump_user_counter(*, tg_id: int, counter: str) -> None:
    if counter not in {"events_created", "events_edited", "events_cancelled"}:
        raise ValueError(f"Unknown user counter: {counter}")
    TgUser.objects.filter(pk=tg_id).update(**{counter: F(counter) + 1})
