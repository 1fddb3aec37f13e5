"""Series for the REST API: each event's next occurrences, and a date range expanded into
one row per occurrence. Both bounded: a range of at most MAX_RANGE_DAYS, at most
MAX_EXPANDED rows, refused with a reason beyond."""

import copy
import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import Event
from calendarapp.selectors.occurrences import overridden_days
from calendarapp.services.recurrence import next_occurrences, occurrences_between
from calendarapp.timezones import starts_at, zone_of

MAX_RANGE_DAYS = 366
MAX_EXPANDED = 5000
NEXT_SHOWN = 3


def _wall_now(event: Event, now: dt.datetime) -> dt.datetime:
    return now.astimezone(zone_of(event.owner.timezone)).replace(tzinfo=None)


def with_next_occurrences(events: Iterable[Event], *, now: dt.datetime | None = None) -> list:
    """The events, each with `next_occurrences`: the instants (UTC) of its next NEXT_SHOWN
    occurrences from now (a one-off event: its start, if still ahead). `owner` must be
    loaded; one query for the series' overrides, whose days the series leaves out."""
    events = list(events)
    now = now or timezone.now()
    replaced = overridden_days([event.pk for event in events if event.rrule])
    for event in events:
        if not event.rrule:
            ahead = event.starts_at is not None and event.starts_at > now
            event.next_occurrences = [event.starts_at] if ahead else []
            continue
        moments = next_occurrences(
            rule=event.rrule, date=event.date, time=event.time,
            exdates=[*event.exdates, *replaced.get(event.pk, ())],
            after=_wall_now(event, now), count=NEXT_SHOWN,
        )  # fmt: skip
        zone = event.owner.timezone
        event.next_occurrences = [
            starts_at(date=m.date(), time=m.time(), zone_name=zone) for m in moments
        ]
    return events


def check_range(first: dt.date | None, last: dt.date | None) -> tuple[dt.date, dt.date]:
    """The days a query's date_from/date_to span; one side alone reaches MAX_RANGE_DAYS."""
    span = dt.timedelta(days=MAX_RANGE_DAYS - 1)
    # One side at the calendar's edge (0001-01-01, 9999-12-31) clips the other side there
    # instead of overflowing the date type.
    first = first or max(dt.date.min + span, last) - span
    last = last or min(dt.date.max - span, first) + span
    if first > last:
        raise ValidationFailed(
            "date_from {first} is after date_to {last}.",
            code="range_reversed",
            first=first,
            last=last,
        )
    if last - first > span:
        raise ValidationFailed(
            "A date range spans at most {limit} days.", code="range_too_long", limit=MAX_RANGE_DAYS
        )
    return first, last


def _too_many() -> ValidationFailed:
    return ValidationFailed(
        "More than {limit} events and occurrences in this range: narrow it, or filter by owner.",
        code="too_many_occurrences",
        limit=MAX_EXPANDED,
    )


def expand_in_range(events: QuerySet, *, first: dt.date, last: dt.date) -> list[Event]:
    """`events` (filtered, with owners) on the days first..last: one-off rows as they are,
    each series as one copy of its row per occurrence (date, time and instant of that
    occurrence), soonest first. More than MAX_EXPANDED rows is refused."""
    one_off = events.filter(rrule="", date__gte=first, date__lte=last)
    if one_off.count() > MAX_EXPANDED:
        raise _too_many()
    rows = list(one_off)
    series = list(events.exclude(rrule="").filter(date__lte=last))
    replaced = overridden_days([event.pk for event in series])
    for event in series:
        moments = occurrences_between(
            rule=event.rrule, date=event.date, time=event.time,
            exdates=[*event.exdates, *replaced.get(event.pk, ())],
            first=dt.datetime.combine(first, dt.time.min),
            last=dt.datetime.combine(last, dt.time.max),
        )  # fmt: skip
        if len(rows) + len(moments) > MAX_EXPANDED:
            raise _too_many()
        for moment in moments:
            row = copy.copy(event)
            row.date, row.time = moment.date(), moment.time()
            row.starts_at = starts_at(date=row.date, time=row.time, zone_name=event.owner.timezone)
            rows.append(row)
    rows.sort(key=lambda row: (row.date, row.time, row.pk))
    return rows


def sort_like(rows: list[Event], ordering: list[str] | None) -> list[Event]:
    """Expanded rows in a list's `?ordering=` (`-date`, `name`...; None: as they are)."""
    for term in reversed(ordering or ()):
        name = term.lstrip("-")
        rows.sort(key=lambda row: getattr(row, name), reverse=term.startswith("-"))
    return rows
