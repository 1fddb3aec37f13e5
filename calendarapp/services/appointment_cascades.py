"""What a change to an event or to its organiser does to the event's meetings: deleted,
they are cancelled; moved, they move with it (a series' meetings with its occurrences);
split or edited on one day, a series hands them over; a new zone gives them new instants.
Each guest who must know is told through the outbox."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from calendarapp.models import Appointment, Event, TgUser
from calendarapp.timezones import starts_at

from . import outbox
from .appointments import APPOINTMENT_CANCELLED, MEETING_MOVED
from .recurrence import series


def _on_days(first: dt.date | None, last: dt.date | None) -> Q:
    days = Q()
    if first is not None:
        days &= Q(date__gte=first)
    if last is not None:
        days &= Q(date__lte=last)
    return days


def cancel_meetings_of_deleted_event(
    event: Event, *, first: dt.date | None = None, last: dt.date | None = None
) -> int:
    """The organiser deletes the event (or a series' occurrences on the days first..last):
    its pending and confirmed meetings are cancelled and each guest told (the message keeps
    the event's name: the event row may be about to go)."""
    active = list(
        Appointment.objects.select_for_update()
        .filter(_on_days(first, last), event=event, status__in=Appointment.ACTIVE_STATUSES)
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


def hand_meetings_over(
    *, event: Event, to: Event, first: dt.date, last: dt.date | None = None
) -> int:
    """A series' meetings on the days first..last now belong to `to`: the series' rest
    after a split, or the override of one day (which then moves them as it moves)."""
    return Appointment.objects.filter(_on_days(first, last), event=event).update(
        event=to, updated_at=timezone.now()
    )


def _on_occurrences(event: Event, old_date: dt.date, old_time: dt.time, rows) -> list:
    """Of a series' meetings at its old time, the ones on its occurrences as they were."""
    start = dt.datetime.combine(old_date, old_time)
    days = {row[2] for row in rows}
    if not days:
        return []
    happens = {
        moment.date()
        for moment in series(rule=event.rrule, date=old_date, time=old_time).between(
            start, dt.datetime.combine(max(days), old_time), inc=True
        )
    }
    return [row for row in rows if row[2] in happens]


def move_meetings_of_moved_event(*, event: Event, old_date: dt.date, old_time: dt.time) -> int:
    """The organiser moved the event: its pending and confirmed meetings that were at the
    event's old moment move with it, and each guest is told; a series' meetings on its
    later occurrences move by as many days, to its new time. A meeting set for another
    moment of its own stays where it was."""
    rows = list(
        Appointment.objects.select_for_update()
        .filter(
            Q(date__gte=old_date) if event.rrule else Q(date=old_date),
            event=event,
            status__in=Appointment.ACTIVE_STATUSES,
            time=old_time,
        )
        .values_list("pk", "participant_id", "date")
    )
    if event.rrule:
        rows = _on_occurrences(event, old_date, old_time, rows)
    if not rows:
        return 0
    now, shift = timezone.now(), event.date - old_date
    # The organiser is the event's owner: the meetings' wall clock is the event's.
    for pk, _participant, date in rows:
        day = date + shift
        Appointment.objects.filter(pk=pk).update(
            date=day,
            time=event.time,
            starts_at=starts_at(date=day, time=event.time, zone_name=event.owner.timezone),
            updated_at=now,
        )
    for pk, participant_id, _date in rows:
        outbox.enqueue(chat_id=participant_id, kind=MEETING_MOVED, appointment_id=pk)
    return len(rows)
