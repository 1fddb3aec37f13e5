"""A delivered reminder's buttons: put it off («Отложить на 10 мин», «на 1 час», «завтра»)
or mark it done («Готово»).

The buttons name the reminder's outbox message, whose row says whom it went to and which
occurrence it was about; only that recipient can act on it, and only once (the row is
locked and marked). A snooze is a `SnoozedReminder` row that the reminder claim
(services.reminder_claims) queues into the outbox when it falls due, so it comes back once,
also across restarts.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from calendarapp.exceptions import NotFound, ValidationFailed
from calendarapp.models import Event, OutboxMessage, SnoozedReminder, TgUser
from calendarapp.selectors.reminders import reminded_occurrence
from calendarapp.timezones import starts_at, zone_of

from .reminder_claims import REMINDER

TOMORROW = "tm"
SNOOZES: dict[str, dt.timedelta | None] = {
    "10m": dt.timedelta(minutes=10),
    "1h": dt.timedelta(hours=1),
    TOMORROW: None,  # the same clock time tomorrow, on the recipient's clock
}
SNOOZED, DONE = "snoozed", "done"


def _reminder_message(*, tg_id: int, message_id: int) -> OutboxMessage:
    message = (
        OutboxMessage.objects.select_for_update()
        .filter(pk=message_id, kind=REMINDER, chat_id=tg_id)
        .first()
    )
    if message is None:  # forged, or someone else's: the same answer
        raise NotFound(
            "Reminder {message_id} was not found.", code="reminder_not_found", message_id=message_id
        )
    if message.payload.get("handled"):
        raise ValidationFailed(
            "Reminder {message_id} was already handled.",
            code="reminder_handled",
            message_id=message_id,
        )
    return message


def _day(message: OutboxMessage) -> dt.date | None:
    day = message.payload.get("on")
    return dt.date.fromisoformat(day) if isinstance(day, str) else None


def _later(*, tg_id: int, choice: str, now: dt.datetime) -> dt.datetime:
    delta = SNOOZES[choice]
    if delta is not None:
        return now + delta
    zone = TgUser.objects.filter(pk=tg_id).values_list("timezone", flat=True).first() or "UTC"
    local = now.astimezone(zone_of(zone))
    return starts_at(date=local.date() + dt.timedelta(days=1), time=local.time(), zone_name=zone)


@transaction.atomic
def snooze_reminder(
    *, tg_id: int, message_id: int, choice: str, now: dt.datetime | None = None
) -> tuple[Event, SnoozedReminder]:
    """Bring the reminder back later; refused once its occurrence has begun (nothing to be
    reminded of) or when the new time would come after the start."""
    if choice not in SNOOZES:
        raise ValidationFailed("No such snooze: {choice!r}.", code="snooze_invalid", choice=choice)
    now = now or timezone.now()
    message = _reminder_message(tg_id=tg_id, message_id=message_id)
    found = reminded_occurrence(
        event_id=message.payload.get("event_id"), recipient_id=tg_id, day=_day(message)
    )
    if found is None:
        raise NotFound(
            "The event of reminder {message_id} is gone.",
            code="reminder_event_gone",
            message_id=message_id,
        )
    event, day, starts = found
    if starts <= now:
        raise ValidationFailed(
            "{name!r} has already begun; there is nothing to snooze.",
            code="reminder_event_over",
            name=event.name,
        )
    due = _later(tg_id=tg_id, choice=choice, now=now)
    if due >= starts:
        raise ValidationFailed(
            "{name!r} begins before that; choose a shorter snooze.",
            code="snooze_after_start",
            name=event.name,
        )
    snooze = SnoozedReminder.objects.create(event=event, chat_id=tg_id, occurrence=day, due_at=due)
    message.payload = {**message.payload, "handled": SNOOZED, "until": due.isoformat()}
    message.save(update_fields=["payload"])
    return event, snooze


@transaction.atomic
def finish_reminder(*, tg_id: int, message_id: int) -> OutboxMessage:
    """«Готово»: the reminder's buttons are done with."""
    message = _reminder_message(tg_id=tg_id, message_id=message_id)
    message.payload = {**message.payload, "handled": DONE}
    message.save(update_fields=["payload"])
    return message
