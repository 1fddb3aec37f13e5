"""Reminders: each event may be reminded once, `reminder_minutes` before it starts.

The instant is stored on the event (`remind_at`). The bot process runs
`claim_due_reminders` every few seconds: in one transaction it locks due events
(`skip_locked`, so two bot processes never take the same one), marks them handled and
writes the messages to the outbox. A crash before the commit leaves them due; after it,
the outbox delivers. So every reminder goes out once, also after a restart.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import REMINDER_CHOICES, Appointment, Event, OutboxMessage, TgUser

from .timezones import aware

REMINDER = "reminder"
ALLOWED_MINUTES = {minutes for minutes, _ in REMINDER_CHOICES}


def clean_reminder_minutes(minutes: int | None) -> int | None:
    if minutes not in ALLOWED_MINUTES:
        raise ValidationFailed(
            "A reminder can be set {choices} minutes before.",
            code="reminder_invalid",
            choices=sorted(m for m in ALLOWED_MINUTES if m),
        )
    return minutes


# Typed answers to "remind me how long before?", besides the buttons.
_OFF_WORDS = {
    "нет",
    "не надо",
    "не напоминать",
    "без напоминания",
    "выкл",
    "off",
    "no",
    "none",
    "0",
}
_LEAD_WORDS = {
    "10": 10,
    "10 минут": 10,
    "30": 30,
    "30 минут": 30,
    "полчаса": 30,
    "60": 60,
    "1 час": 60,
    "час": 60,
    "1 день": 1440,
    "день": 1440,
    "сутки": 1440,
    "1440": 1440,
}


def parse_lead_time(text: str) -> int | None:
    """A typed lead time ("30", "за 1 час", "нет"); None means no reminder."""
    key = " ".join((text or "").lower().split()).removeprefix("за ").strip(" .!")
    if key in _OFF_WORDS:
        return None
    if key in _LEAD_WORDS:
        return _LEAD_WORDS[key]
    raise ValidationFailed(
        "A reminder can be set {choices} minutes before.",
        code="reminder_invalid",
        choices=sorted(m for m in ALLOWED_MINUTES if m),
    )


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
