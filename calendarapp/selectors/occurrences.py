"""Lists that show a series as its upcoming occurrences, paginated like the plain lists.

One-off rows stay in the database's order and are sliced there; a person's series are few,
so their occurrences in the window are expanded in memory (services.recurrence) and merged
in. A page still costs one count and one bounded slice (`Merged`)."""

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import Appointment, Event
from calendarapp.services.recurrence import check_occurrence, occurrences_between
from calendarapp.timezones import in_zone, starts_at

from .calendar_listing import calendar_listing
from .compiled import Compiled

WINDOW = dt.timedelta(days=90)
# However many series a person keeps, a list never expands more than this many occurrences.
MAX_OCCURRENCES = 2000


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a series as a list line reads it (the attributes of an Event)."""

    pk: int
    name: str
    date: dt.date
    time: dt.time
    is_public: bool
    starts_at: dt.datetime
    rrule: str
    repeats: bool = True


def overridden_days(series_ids: list[int]) -> dict[int, list[str]]:
    """Series id -> the days (ISO) whose occurrence an override row stands in for: the
    override lists as a one-off row, so the series leaves that day out."""
    if not series_ids:
        return {}
    days: dict[int, list[str]] = {}
    rows = Event.objects.filter(recurrence_of__in=series_ids).values_list(
        "recurrence_of_id", "recurrence_id"
    )
    for series_id, day in rows:
        days.setdefault(series_id, []).append(day.isoformat())
    return days


def overrides_of(series_id: int) -> list[tuple[dt.date, dt.date, dt.time]]:
    """(the day it stands in for, its date, its time) of each override of a series."""
    return overrides_of_series([series_id]).get(series_id, [])


def overrides_of_series(
    series_ids: list[int],
) -> dict[int, list[tuple[dt.date, dt.date, dt.time]]]:
    """overrides_of for several series in one query: series id -> its overrides."""
    rows = Event.objects.filter(recurrence_of_id__in=series_ids).order_by("recurrence_id")
    found: dict[int, list[tuple[dt.date, dt.date, dt.time]]] = {}
    for series_id, *override in rows.values_list(
        "recurrence_of_id", "recurrence_id", "date", "time"
    ):
        found.setdefault(series_id, []).append(tuple(override))
    return found


def _days_moments(
    event: Event, *, first: dt.date, last: dt.date, replaced: dict[int, list[str]]
) -> list[dt.datetime]:
    """A series' wall-clock occurrences on the days first..last (inclusive), bounded,
    without its cancelled and overridden days."""
    return occurrences_between(
        rule=event.rrule,
        date=event.date,
        time=event.time,
        exdates=[*event.exdates, *replaced.get(event.pk, ())],
        first=dt.datetime.combine(first, dt.time.min),
        last=dt.datetime.combine(last, dt.time.max),
    )[:MAX_OCCURRENCES]


def series_occurrences(
    *,
    owner_tg_id: int,
    first: dt.date,
    last: dt.date,
    public_only: bool = False,
    keep_ended: bool = True,
) -> list[Occurrence]:
    """Occurrences of the owner's series on the wall-clock days first..last (inclusive), on
    the owner's clock (a 10:00 series is at 10:00 in summer and winter alike), soonest
    first. A series with none in those days (over, or not yet begun) shows once, at its
    first occurrence, so that it stays in the list."""
    events = Event.objects.filter(owner_id=owner_tg_id).exclude(rrule="").select_related("owner")
    if public_only:
        events = events.filter(is_public=True)
    found: list[Occurrence] = []
    events = list(events.order_by("date", "time", "id"))
    replaced = overridden_days([event.pk for event in events])
    for event in events:
        zone = event.owner.timezone
        moments = _days_moments(event, first=first, last=last, replaced=replaced)
        if not moments and keep_ended:
            moments = [dt.datetime.combine(event.date, event.time)]
        for moment in moments:
            found.append(
                Occurrence(
                    pk=event.pk,
                    name=event.name,
                    date=moment.date(),
                    time=moment.time(),
                    is_public=event.is_public,
                    starts_at=starts_at(date=moment.date(), time=moment.time(), zone_name=zone),
                    rrule=event.rrule,
                )
            )
        if len(found) >= MAX_OCCURRENCES:
            break
    return found


class Merged:
    """A sorted queryset (or a compiled query's `Bound`) and a sorted in-memory list as one
    sliceable, countable sequence.

    A slice [a, b) needs the queryset's rows a - len(extra) .. b only: a row further down
    has more than b rows before it, and an in-memory item before row a - len(extra) lands
    before a."""

    def __init__(self, queryset, extra: list, key: Callable, total: int | None = None):
        """`total`: the queryset's count when the caller read it already."""
        self.queryset, self.key = queryset, key
        self.extra = sorted(extra, key=key)
        self.extra_keys = [key(item) for item in self.extra]
        self._total = total

    def count(self) -> int:
        if self._total is None:
            self._total = self.queryset.count()
        return self._total + len(self.extra)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list:
        start, stop = window.start or 0, window.stop
        stop = self.count() if stop is None else stop
        base = max(0, start - len(self.extra))
        rows = list(self.queryset[base:stop]) if stop > base else []
        if not rows and base:
            return []  # past the database's rows and, as shown above, every extra item
        row_keys = [self.key(row) for row in rows]
        reaches_end = base + len(rows) == self.count() - len(self.extra)
        placed = [
            (base + offset + bisect.bisect_left(self.extra_keys, key), row)
            for offset, (key, row) in enumerate(zip(row_keys, rows, strict=True))
        ]
        for index, (key, item) in enumerate(zip(self.extra_keys, self.extra, strict=True)):
            before = bisect.bisect_right(row_keys, key)
            if (before == 0 and base) or (before == len(rows) and not reaches_end):
                continue  # its place is outside the fetched rows, so outside this slice
            placed.append((index + base + before, item))
        placed.sort(key=lambda pair: pair[0])
        return [row for position, row in placed if start <= position < stop]


def _own(owner: int, public_only: bool) -> QuerySet:
    mine = Event.objects.filter(owner_id=owner)
    return mine.filter(is_public=True) if public_only else mine


def _compiled_by_visibility(build: Callable) -> dict[bool, Compiled]:
    # Whether only public events count changes the statement, so each has its own.
    return {
        public_only: Compiled(lambda owner, p=public_only: build(_own(owner, p)), owner=Event.owner)
        for public_only in (False, True)
    }


# One statement counts both kinds (a person with no events gets no row).
_KIND_COUNTS = _compiled_by_visibility(
    lambda mine: (
        mine.values("owner_id")
        .annotate(one_off=Count("pk", filter=Q(rrule="")), series=Count("pk", filter=~Q(rrule="")))
        .order_by()
    )
)
# Only what a list line shows (bot/ui/formatting.event_line, Event.repeats included): the
# other columns cost their conversion for every row of every page.
_ONE_OFF_ROWS = _compiled_by_visibility(
    lambda mine: (
        mine.filter(rrule="")
        .only("id", "name", "date", "time", "is_public", "rrule", "recurrence_of_id")
        .order_by("date", "time", "id")
    )
)


def own_listing(*, owner_tg_id: int, today: dt.date, public_only: bool = False) -> Merged:
    """/display_events (and /my_public): one-off events as before, series as their
    occurrences from today for WINDOW, marked by `repeats`.

    One query counts both kinds; the series are read only for a person who has some (most
    lists then cost that count and the page). Both statements are compiled once: these
    lists are read more than anything else the bot shows."""
    counts = _KIND_COUNTS[public_only].first(owner=owner_tg_id)
    _owner, one_off, series = counts or (owner_tg_id, 0, 0)
    extra = []
    if series:
        extra = series_occurrences(
            owner_tg_id=owner_tg_id, first=today, last=today + WINDOW, public_only=public_only
        )
    return Merged(
        _ONE_OFF_ROWS[public_only].bound(owner=owner_tg_id),
        extra,
        key=lambda item: (item.date, item.time, item.pk),
        total=one_off,
    )


def _meeting_series_rows(
    *, guest_tg_id: int, first: dt.date, last: dt.date, keep_ended: bool
) -> list[dict]:
    """The guest's accepted whole-series meetings as their occurrences (kind 1), on the
    organiser's wall clock as meeting rows are: a cancelled day is left out, an overridden
    day is at its override's time."""
    meetings = list(
        Appointment.objects.filter(
            participant_id=guest_tg_id,
            status=Appointment.Status.CONFIRMED,
            whole_series=True,
            event__isnull=False,
        )
        .exclude(event__rrule="")
        .select_related("event", "organizer", "participant")
        .order_by("id")
    )
    series_ids = [meeting.event_id for meeting in meetings]
    replaced = overridden_days(series_ids)
    moved: dict[int, list[tuple[dt.datetime, str]]] = {}
    overrides = Event.objects.filter(recurrence_of__in=series_ids, date__gte=first, date__lte=last)
    for series_id, day, at, name in overrides.values_list(
        "recurrence_of_id", "date", "time", "name"
    ):
        moved.setdefault(series_id, []).append((dt.datetime.combine(day, at), name))
    rows = []
    for meeting in meetings:
        event, zone = meeting.event, meeting.organizer.timezone
        moments = _days_moments(event, first=first, last=last, replaced=replaced)
        if not moments and keep_ended and event.pk not in moved:
            moments = [dt.datetime.combine(meeting.date, meeting.time)]
        # An overridden day goes by its override's time and name.
        named = sorted([*((moment, event.name) for moment in moments), *moved.get(event.pk, ())])
        rows += [
            {
                "kind": 1,
                "ref": meeting.pk,
                "title": title,
                "day": moment.date(),
                "at": moment.time(),
                "public": False,
                "zone": zone,
                "reader_zone": meeting.participant.timezone,
                "starts": starts_at(date=moment.date(), time=moment.time(), zone_name=zone),
                "repeats": True,
            }
            for moment, title in named
        ]
    return rows


def series_rows(
    *, owner_tg_id: int, first: dt.date, last: dt.date, keep_ended: bool = True
) -> list[dict]:
    """Occurrences as rows of selectors.calendar.calendar_listing: own series (kind 0) and
    the whole-series meetings the person accepted (kind 1)."""
    owner_zone = Event.objects.filter(owner_id=owner_tg_id).values_list("owner__timezone")[:1]
    zone = next(iter(owner_zone), ("UTC",))[0]
    meetings = _meeting_series_rows(
        guest_tg_id=owner_tg_id, first=first, last=last, keep_ended=keep_ended
    )
    return meetings + [
        {
            "kind": 0,
            "ref": item.pk,
            "title": item.name,
            "day": item.date,
            "at": item.time,
            "public": item.is_public,
            "zone": zone,
            "reader_zone": zone,
            "starts": item.starts_at,
            "repeats": True,
        }
        for item in series_occurrences(
            owner_tg_id=owner_tg_id, first=first, last=last, keep_ended=keep_ended
        )
    ]


_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)


def calendar_with_occurrences(*, owner_tg_id: int, today: dt.date) -> Merged:
    """/calendar: own one-off events and accepted meetings as before, series as their
    occurrences from today for WINDOW, all by the instant they start."""
    return Merged(
        calendar_listing(owner_tg_id, series=False),
        series_rows(owner_tg_id=owner_tg_id, first=today, last=today + WINDOW),
        key=lambda row: (row["starts"] or _EARLIEST, row["kind"], row["ref"]),
    )


def calendar_window(*, owner_tg_id: int, first: dt.date, last: dt.date) -> list[dict]:
    """The days first..last of a person's calendar on their own clock, soonest first: own
    events, and accepted meetings moved from the organiser's zone to the reader's (which
    can change their day, so the query reaches one day further each way)."""
    rows = list(
        calendar_listing(
            owner_tg_id,
            first=first - dt.timedelta(days=1),
            last=last + dt.timedelta(days=1),
            series=False,
        )
    )
    rows += series_rows(owner_tg_id=owner_tg_id, first=first, last=last, keep_ended=False)
    entries = []
    for row in rows:
        day, at = row["day"], row["at"]
        if row["zone"] != row["reader_zone"]:
            moment = in_zone(date=day, time=at, written_in=row["zone"], read_in=row["reader_zone"])
            day, at = moment.date(), moment.time()
        if first <= day <= last:
            entries.append(
                {
                    "kind": ("event", "meeting", "rsvp")[row["kind"]],
                    "id": row["ref"],
                    "name": row["title"],
                    "date": day,
                    "time": at,
                    "is_public": row["public"],
                    "repeats": row.get("repeats", False),
                }
            )
    entries.sort(key=lambda entry: (entry["date"], entry["time"], entry["kind"], entry["id"]))
    return entries


def occurrence_event(*, event: Event, date: dt.date, whole_series: bool) -> Event:
    """The event a meeting of a series is on: the series (the whole of it, or an
    occurrence not cancelled), or the override standing in for that day."""
    if whole_series:
        if not event.rrule:
            raise ValidationFailed(
                "Event {event_id} does not repeat: invite to it without whole_series.",
                code="not_a_series",
                event_id=event.pk,
            )
        return event
    if not event.rrule:
        return event
    override = Event.objects.filter(recurrence_of=event, recurrence_id=date).first()
    if override is not None:
        return override
    check_occurrence(event=event, day=date)
    return event
