"""Reminders: each event may be reminded once, `reminder_minutes` before it starts.

The instant is stored on the event (`remind_at`). The bot process runs
`claim_due_reminders` every few seconds: in one transaction it locks due events
(`skip_locked`, so two bot processes never take the same one), marks them handled and
writes the messages to the outbox. A crash before the commit leaves them due; after it,
the outbox delivers. So every reminder goes out once, also after a restart.
"""

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import REMINDER_CHOICES, Appointment, Event, OutboxMessage, TgUser
from calendarapp.timezones import aware

REMINDER = "reminder"
# The lead times a person can choose, in minutes (None: no reminder), in the order offered:
# the model's choices are the one list; buttons, texts and typed answers follow it.
LEAD_TIMES: tuple[int | None, ...] = tuple(minutes for minutes, _label in REMINDER_CHOICES)


def _invalid_lead_time() -> ValidationFailed:
    return ValidationFailed(
        "A reminder can be set {choices} minutes before.",
        code="reminder_invalid",
        choices=[minutes for minutes in LEAD_TIMES if minutes],
    )


def clean_reminder_minutes(minutes: int | None) -> int | None:
    if isinstance(minutes, bool) or minutes not in LEAD_TIMES:
        raise _invalid_lead_time()
    return minutes


# Typed answers to "remind me how long before?", besides the buttons (Russian and English).
_OFF_WORDS = {
    "нет",
    "не надо",
    "не напоминать",
    "без напоминания",
    "выкл",
    "off",
    "no",
    "none",
    "never",
    "no reminder",
    "0",
}
_UNITS = {
    **dict.fromkeys(("м", "мин", "минута", "минуту", "минуты", "минут"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 1),
    **dict.fromkeys(("ч", "час", "часа", "часов"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 60),
    **dict.fromkeys(("д", "день", "дня", "дней", "сутки", "суток"), 1440),
    **dict.fromkeys(("d", "day", "days"), 1440),
}
_HALF_HOUR = {"полчаса", "half an hour", "half hour"}
_ONE = {"a", "an", "one", "один", "одна", "одни", "одну"}
_AMOUNT = re.compile(r"^(\d{1,5}|[a-zа-яё]+)?\s*([a-zа-яё]+)?$")


def _minutes_typed(key: str) -> int | None:
    """ "30", "30 минут", "1 hour", "an hour", "day", "10min" -> minutes; None if not a span."""
    if key in _HALF_HOUR:
        return 30
    match = _AMOUNT.match(key)
    if match is None or not key:
        return None
    amount, unit = match.groups()
    if unit is None and amount is not None and amount.isdigit():
        return int(amount)  # a bare number counts minutes
    if unit is None:  # one word: a unit alone ("час", "day") means one of it
        amount, unit = "1", amount
    if amount is None or amount in _ONE:
        amount = "1"
    if not amount.isdigit() or unit not in _UNITS:
        return None
    return int(amount) * _UNITS[unit]


def parse_lead_time(text: str) -> int | None:
    """A typed lead time ("30", "за 1 час", "1 hour", "10 minutes", "нет"); None means no
    reminder. Only the offered lead times are accepted."""
    key = " ".join((text or "").lower().split()).strip(" .!")
    key = key.removeprefix("за ").removesuffix(" before").removesuffix(" до").strip()
    if key in _OFF_WORDS:
        return None
    minutes = _minutes_typed(key)
    if minutes is None or minutes not in LEAD_TIMES:
        raise _invalid_lead_time()
    return minutes


def remind_at(*, event: Event, zone_name: str) -> dt.datetime | None:
    if event.reminder_minutes is None:
        return None
    starts = aware(date=event.date, time=event.time, zone_name=zone_name)
    return starts - dt.timedelta(minutes=event.reminder_minutes)


def set_default_reminder(*, tg_id: int, minutes: int | None) -> None:
    minutes = clean_reminder_minutes(minutes)
    TgUser.objects.filter(pk=tg_id).update(default_reminder_minutes=minutes)


def reschedule_user_reminders(user: TgUser) -> None:
    """Recompute pending reminders after the user's time zone changed."""
    pending = Event.objects.filter(
        owner=user, reminder_sent_at__isnull=True, reminder_minutes__isnull=False
    )
    for event in pending.iterator():
        event.remind_at = remind_at(event=event, zone_name=user.timezone)
        event.save(update_fields=["remind_at"])


def claim_due_reminders(*, now: dt.datetime | None = None, limit: int = 100) -> int:
    """Queue the reminders that are due (one batch); returns how many messages were queued.

    A reminder whose event has already started is marked handled without a message:
    it is no longer useful (the bot was down past the event).
    """
    return _claim_batch(now=now or timezone.now(), limit=limit)[1]


def claim_all_due_reminders(
    *, now: dt.datetime | None = None, limit: int = 100, max_batches: int = 50
) -> int:
    """Queue everything due, a batch (one short transaction) at a time; a burst of reminders
    is queued at once and paced by the outbox dispatcher, not by this job's interval."""
    now = now or timezone.now()
    queued = 0
    for _ in range(max_batches):
        claimed, batch_queued = _claim_batch(now=now, limit=limit)
        queued += batch_queued
        if claimed < limit:
            break
    return queued


@transaction.atomic
def _claim_batch(*, now: dt.datetime, limit: int) -> tuple[int, int]:
    """(events claimed, messages queued) for one locked batch of due events."""
    due = list(
        Event.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(reminder_sent_at__isnull=True, remind_at__lte=now)
        .select_related("owner")
        .order_by("remind_at", "id")[:limit]
    )
    if not due:
        return 0, 0
    participants: dict[int, list[int]] = {}
    for event_id, participant_id in Appointment.objects.filter(
        event__in=due, status=Appointment.Status.CONFIRMED
    ).values_list("event_id", "participant_id"):
        participants.setdefault(event_id, []).append(participant_id)
    messages = [
        OutboxMessage(chat_id=chat_id, kind=REMINDER, payload={"event_id": event.pk})
        for event in due
        if aware(date=event.date, time=event.time, zone_name=event.owner.timezone)
        > now  # started: skip silently
        for chat_id in [event.owner_id, *participants.get(event.pk, [])]
    ]
    OutboxMessage.objects.bulk_create(messages)
    Event.objects.filter(pk__in=[event.pk for event in due]).update(reminder_sent_at=now)
    return len(due), len(messages)
