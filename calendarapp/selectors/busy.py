"""Is a person free at a meeting's moments: the busy check of new invitations, on instants
(9:00 in New York and 9:00 in Novosibirsk are different moments), with a whole-series
meeting at each of its occurrences."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from calendarapp.models import Appointment, Event, TgUser
from calendarapp.services.recurrence import occurrences_between
from calendarapp.timezones import starts_at, zone_of

from .occurrences import overrides_of, overrides_of_series

# A whole-series invitation is checked against this much of the series, and a busy check
# reads at most this many of a person's whole-series meetings: bounded cost either way.
SERIES_BUSY_WINDOW = dt.timedelta(days=366)
MAX_SERIES_CHECKED = 100


def series_instants(
    *,
    event: Event,
    zone_name: str,
    first: dt.datetime,
    last: dt.datetime,
    overrides: list[tuple[dt.date, dt.date, dt.time]] | None = None,
) -> set[dt.datetime]:
    """The instants from `first` to `last` (aware, inclusive) at which a series happens: its
    occurrences on the owner's wall clock, an overridden day at its override's moment
    (`overrides`: already read, see overrides_of_series)."""
    zone = zone_of(zone_name)
    margin = dt.timedelta(days=1)  # wall clocks of the ends, whatever a clock change does
    if overrides is None:
        overrides = overrides_of(event.pk)
    moments = occurrences_between(
        rule=event.rrule,
        date=event.date,
        time=event.time,
        exdates=[*event.exdates, *(day.isoformat() for day, _date, _time in overrides)],
        first=first.astimezone(zone).replace(tzinfo=None) - margin,
        last=last.astimezone(zone).replace(tzinfo=None) + margin,
    )
    moments += [dt.datetime.combine(day, at) for _replaced, day, at in overrides]
    instants = (
        starts_at(date=moment.date(), time=moment.time(), zone_name=zone_name) for moment in moments
    )
    return {instant for instant in instants if first <= instant <= last}


def participant_busy(*, participant_id: int, instants: set[dt.datetime]) -> bool:
    """Busy: a pending or confirmed meeting at one of those instants, as guest or as
    organiser (9:00 in New York and 9:00 in Novosibirsk are different moments); a
    whole-series meeting is there at each of its occurrences."""
    if not instants:
        return False
    theirs = Appointment.objects.filter(
        Q(participant_id=participant_id) | Q(organizer_id=participant_id),
        status__in=Appointment.ACTIVE_STATUSES,
    )
    once = Q(whole_series=False) | Q(event__rrule="")  # a series made one-off meanwhile too
    if theirs.filter(once, starts_at__in=instants).exists():
        return True
    first, last = min(instants), max(instants)
    series_meetings = list(
        theirs.filter(whole_series=True, event__isnull=False)
        .exclude(event__rrule="")
        .select_related("event", "organizer")
        .order_by("id")[:MAX_SERIES_CHECKED]
    )
    # The overrides of all those series in one query, not one per meeting.
    overrides = overrides_of_series([meeting.event_id for meeting in series_meetings])
    return any(
        series_instants(
            event=meeting.event,
            zone_name=meeting.organizer.timezone,
            first=first,
            last=last,
            overrides=overrides.get(meeting.event_id, []),
        )
        & instants
        for meeting in series_meetings
    )


def meeting_instants(
    *, event: Event, organizer: TgUser, date: dt.date, time: dt.time, whole_series: bool
) -> set[dt.datetime]:
    """When the new meeting takes place: once, or (the whole series) at each occurrence
    from now for SERIES_BUSY_WINDOW."""
    if not whole_series:
        return {starts_at(date=date, time=time, zone_name=organizer.timezone)}
    first = max(timezone.now(), starts_at(date=date, time=time, zone_name=organizer.timezone))
    return series_instants(
        event=event, zone_name=organizer.timezone, first=first, last=first + SERIES_BUSY_WINDOW
    )
