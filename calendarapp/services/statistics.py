"""Daily statistics: one `BotStatistics` row per day, incremented atomically.

The increments are one UPDATE each, written here rather than as
`filter(...).update(x=F("x") + n)`: they run with nearly every event created and every
RSVP batch with a newcomer, and Django resolving the F() expressions and compiling the
UPDATE was most of their cost (the daily counter's share of an RSVP batch fell from 11% to
4% in a profile: docs/bot-profile.md). Counter names are checked against fixed sets and
become quoted column names; every value is a parameter.
"""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from calendarapp.models import BotStatistics, TgUser

COUNTERS = {"user_count", "event_count", "edited_events", "cancelled_events", "appointment_count"}
USER_COUNTERS = {"events_created", "events_edited", "events_cancelled"}


def _add(model, key: str, key_value, increments: dict[str, int]) -> int:
    """UPDATE model SET counter = counter + n, ... WHERE key = key_value; rows changed."""
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [quote(meta.get_field(name).column) for name in increments]
    key_field = meta.get_field(key)
    sets = ", ".join(f"{column} = {column} + %s" for column in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(key_field.column)} = %s"  # noqa: S608
    params = [*increments.values(), key_field.get_db_prep_value(key_value, connection)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def bump_daily_statistics(**increments: int) -> None:
    """Add to today's counters (today in settings.TIME_ZONE) without losing concurrent updates.

    One UPDATE in the common case; on the first event of the day the row is created, and a
    concurrent creator is absorbed by retrying the UPDATE.
    """
    unknown = set(increments) - COUNTERS
    if unknown:
        raise ValueError(f"Unknown statistics counters: {sorted(unknown)}")
    today = timezone.localdate()
    if _add(BotStatistics, "date", today, increments):
        return
    try:
        with transaction.atomic():
            BotStatistics.objects.create(date=today, **increments)
    except IntegrityError:
        _add(BotStatistics, "date", today, increments)


def bump_user_counter(*, tg_id: int, counter: str) -> None:
    if counter not in USER_COUNTERS:
        raise ValueError(f"Unknown user counter: {counter}")
    _add(TgUser, "tg_id", tg_id, {counter: 1})
