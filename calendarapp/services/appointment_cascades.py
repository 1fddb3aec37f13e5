"""What a change to an event or to its organiser does to the event's meetings: deleted,
they are cancelled; moved, they move with it; a new zone gives them new instants. Each
guest who must know is told through the outbox."""

import datetime as dt

from django.utils import timezone

from calendarapp.models import Appointment, Event, TgUser
from calendarapp.timezones import starts_at

from . import outbox
from .appointments import APPOINTMENT_CANCELLED, MEETING_MOVED


def cancel_meetings_of_deleted_event(event: Event) -> int:
    """The organiser deletes the event: its pending and confirmed meetings are cancelled and
    each guest told (the message keeps the event's name: the event row is about to go)."""
    active = list(
        Appointment.objects.select_for_update()
        .filter(event=event, status__in=Appointment.ACTIVE_STATUSES)
        .values_list("pk", "participant_id")
    )
    if not active:
        return 0
    Appointment.objects.filter(pk__in=[pk for pk, _ in active]).update(
        status=Appointment.Status.CANCELLED, updated_at=timezone.now()
    )
    for pk, participant_id in active:
        outbox.enqueue(
            chat_id=participant_id,
            kind=APPOINTMENT_CANCELLED,
            appointment_id=pk,
            cancelled_by=event.owner_id,
            event_name=event.name,
        )
    return len(active)


def follow_organizer_zone(organizer: TgUser) -> None:
    """The organiser changed zones: their meetings' wall clocks now mean other instants."""
    meetings = Appointment.objects.filter(organizer=organizer).only("pk", "date", "time")
    changed = []
    for meeting in meetings.iterator(chunk_size=2000):
        meeting.starts_at = starts_at(
            date=meeting.date, time=meeting.time, zone_name=organizer.timezone
        )
        changed.append(meeting)
    Appointment.objects.bulk_update(changed, ["starts_at"], batch_size=500)


def move_meetings_of_moved_event(*, event: Event, old_date: dt.date, old_time: dt.time) -> int:
    """The organiser moved the event: its pending and confirmed meetings that were at the
    event's old moment move with it, and each guest is told. A meeting set for another
    moment of its own stays where it was."""
    moved = list(
        Appointment.objects.select_for_update()
        .filter(
            event=event,
            status__in=Appointment.ACTIVE_STATUSES,
            date=old_date,
            time=old_time,
        )
        .values_list("pk", "participant_id")
    )
    if not moved:
        return 0
    # The organiser is the event's owner: the meetings' instant is the event's.
    Appointment.objects.filter(pk__in=[pk for pk, _ in moved]).update(
        date=event.date, time=event.time, starts_at=event.starts_at, updated_at=timezone.now()
    )
    for pk, participant_id in moved:
        outbox.enqueue(chat_id=participant_id, kind=MEETING_MOVED, appointment_id=pk)
    return len(moved)
