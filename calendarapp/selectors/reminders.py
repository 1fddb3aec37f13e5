"""What a queued reminder says when it is sent, or that it should no longer be sent."""

import datetime as dt
from dataclasses import dataclass

from calendarapp.models import Appointment, Event, TgUser
from calendarapp.timezones import aware, zone_of


@dataclass(frozen=True)
class DueReminder:
    name: str
    starts: dt.datetime  # aware
    local_start: dt.datetime  # in the recipient's zone
    zone_name: str
    for_owner: bool  # False: a guest of a confirmed meeting for this event


def due_reminder(*, event_id: int, recipient_id: int, now: dt.datetime) -> DueReminder | None:
    """None when the reminder is no longer useful: the event was deleted or has begun, or the
    recipient's meeting for it was cancelled after the reminder was queued."""
    event = Event.objects.select_related("owner").filter(pk=event_id).first()
    if event is None:
        return None
    starts = aware(date=event.date, time=event.time, zone_name=event.owner.timezone)
    if starts <= now:
        return None
    for_owner = recipient_id == event.owner_id
    if (
        not for_owner
        and not event.appointments.filter(
            participant_id=recipient_id, status=Appointment.Status.CONFIRMED
        ).exists()
    ):
        return None
    recipient = TgUser.objects.filter(pk=recipient_id).only("timezone").first()
    zone_name = recipient.timezone if recipient else event.owner.timezone
    return DueReminder(
        name=event.name,
        starts=starts,
        local_start=starts.astimezone(zone_of(zone_name)),
        zone_name=zone_name,
        for_owner=for_owner,
    )
