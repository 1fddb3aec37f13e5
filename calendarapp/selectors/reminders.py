"""What a queued reminder says when it is sent, or that it should no longer be sent."""

import datetime as dt
from dataclasses import dataclass

from calendarapp.models import Appointment, Event, Reminder, TgUser
from calendarapp.services.reminder_claims import Occurrences
from calendarapp.timezones import zone_of


@dataclass(frozen=True)
class DueReminder:
    event_id: int
    name: str
    occurrence: dt.date  # the owner's wall-clock day of the occurrence
    starts: dt.datetime  # aware
    local_start: dt.datetime  # in the recipient's zone
    zone_name: str
    for_owner: bool  # False: a guest of a confirmed meeting for this event


def reminded_occurrence(*, event_id: int, recipient_id: int, day: dt.date | None):
    """(event, occurrence's day, its start instant) a reminder to this recipient is about, or
    None: the event was deleted, that day is no longer one of its occurrences (cancelled,
    the rule changed), or the recipient's meeting for it was cancelled."""
    event = Event.objects.select_related("owner").filter(pk=event_id).first()
    if event is None:
        return None
    occurrences = Occurrences(event)
    moment = occurrences.on_or_after(day or event.date)
    if moment is None or moment.date() != (day or event.date):
        return None
    if (
        recipient_id != event.owner_id
        and not event.appointments.filter(
            participant_id=recipient_id, status=Appointment.Status.CONFIRMED
        ).exists()
    ):
        return None
    return event, moment.date(), occurrences.instant(moment)


def due_reminder(
    *, event_id: int, recipient_id: int, now: dt.datetime, day: dt.date | None = None
) -> DueReminder | None:
    """None when the reminder is no longer useful: see `reminded_occurrence`, or the
    occurrence has begun. `day` None: the event's first occurrence (messages queued before
    reminders named their occurrence)."""
    found = reminded_occurrence(event_id=event_id, recipient_id=recipient_id, day=day)
    if found is None:
        return None
    event, occurrence, starts = found
    if starts <= now:
        return None
    recipient = TgUser.objects.filter(pk=recipient_id).only("timezone").first()
    zone_name = recipient.timezone if recipient else event.owner.timezone
    return DueReminder(
        event_id=event.pk,
        name=event.name,
        occurrence=occurrence,
        starts=starts,
        local_start=starts.astimezone(zone_of(zone_name)),
        zone_name=zone_name,
        for_owner=recipient_id == event.owner_id,
    )


def lead_times_of_owner(*, owner_tg_id: int) -> dict[int, list[int]]:
    """Each of the owner's events with reminders -> its lead times (minutes): one query."""
    leads: dict[int, list[int]] = {}
    for event_id, minutes in Reminder.objects.filter(event__owner_id=owner_tg_id).values_list(
        "event_id", "minutes"
    ):
        leads.setdefault(event_id, []).append(minutes)
    return leads
