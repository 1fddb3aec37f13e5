"""A user's calendar as exported: own events, meetings they accepted and other people's
events they answered «Иду» on a card (models.Rsvp), soonest first.

Rows are plain dicts streamed from three server-side cursors and merged by the instant each
starts (`starts_at`: a 15:30 Moscow meeting comes before an 18:00 Novosibirsk event of the
same day, 14:00 Moscow time), so memory stays flat however long the calendar is.
"""

import datetime as dt
import hashlib
import heapq
import re
from collections.abc import Iterator

from django.db.models import Count, F, Max, Min, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from calendarapp.models import Appointment, CalendarFeed, Event, Rsvp, TgUser
from calendarapp.timezones import starts_at

EXPORT_CHUNK_SIZE = 2000


def calendar_owner(tg_id: int) -> TgUser | None:
    return TgUser.objects.filter(pk=tg_id).first()


def calendar_time_zones(owner: TgUser) -> dict[str, dt.date | None]:
    """Every IANA zone the entries use (the owner's and their meetings' organisers'), each
    with the earliest date written in it (None: no entry yet), sorted by name."""
    earliest = (
        Appointment.objects.filter(participant_id=owner.pk, status=Appointment.Status.CONFIRMED)
        .values("organizer__timezone")
        .annotate(first=Min("date"))
        .values_list("organizer__timezone", "first")
        .order_by()
    )
    zones = dict(earliest)
    going = (
        _going(owner.pk)
        .values("event__owner__timezone")
        .annotate(first=Min("event__date"))
        .values_list("event__owner__timezone", "first")
        .order_by()
    )
    for zone, first in going:
        if zone not in zones or first < zones[zone]:
            zones[zone] = first
    own = Event.objects.filter(owner_id=owner.pk).aggregate(first=Min("date"))["first"]
    if owner.timezone not in zones or (own and own < zones[owner.timezone]):
        zones[owner.timezone] = own or zones.get(owner.timezone)
    return dict(sorted(zones.items()))


def _ensure_instant(row: dict) -> None:
    """A row written around Model.save() (bulk_create, a raw update) may lack its instant;
    the merge below needs one. Such rows sort by the database's NULL order within their
    stream: first on SQLite, last on PostgreSQL."""
    if row["starts_at"] is None:
        row["starts_at"] = starts_at(date=row["date"], time=row["time"], zone_name=row["timezone"])


def _own_events(*, owner: TgUser, chunk_size: int) -> Iterator[dict]:
    rows = (
        Event.objects.filter(owner_id=owner.pk)
        .order_by("starts_at", "id")
        .values(
            "id",
            "name",
            "date",
            "time",
            "starts_at",
            "details",
            "is_public",
            "updated_at",
            "rrule",
            "exdates",
            "sequence",
            "ics_uid",
            "recurrence_of_id",
            "recurrence_of__ics_uid",
            "recurrence_id",
            "recurrence_of__time",
            "recurrence_of__starts_at",
        )
        .iterator(chunk_size=chunk_size)
    )
    for row in rows:
        row["kind"] = "event"
        row["timezone"] = owner.timezone
        row["organizer_tg_id"] = owner.pk
        _ensure_instant(row)
        yield row


def _confirmed_meetings(*, owner: TgUser, chunk_size: int) -> Iterator[dict]:
    rows = (
        Appointment.objects.filter(participant_id=owner.pk, status=Appointment.Status.CONFIRMED)
        .order_by("starts_at", "id")
        .values(
            "id",
            "date",
            "time",
            "starts_at",
            "details",
            "updated_at",
            "organizer_id",
            "event__name",
            "organizer__timezone",
            "whole_series",
            "event__rrule",
            "event__exdates",
        )
        .iterator(chunk_size=chunk_size)
    )
    for row in rows:
        row["timezone"] = row["organizer__timezone"]
        # A whole-series meeting is exported as the series: its first date with the rule.
        repeats = row["whole_series"] and bool(row["event__rrule"])
        _ensure_instant(row)
        yield {
            "kind": "meeting",
            "id": row["id"],
            "name": row["event__name"] or "",
            "date": row["date"],
            "time": row["time"],
            "starts_at": row["starts_at"],
            "details": row["details"],
            "is_public": False,
            "updated_at": row["updated_at"],
            "timezone": row["organizer__timezone"],
            "organizer_tg_id": row["organizer_id"],
            "rrule": row["event__rrule"] if repeats else "",
            "exdates": row["event__exdates"] if repeats else [],
        }


def _series_meeting_overrides(*, owner: TgUser, chunk_size: int) -> Iterator[dict]:
    """The changed days of the series behind the person's whole-series meetings, each an
    occurrence of the meeting's own VEVENT (its UID, the day it replaces)."""
    rows = (
        Event.objects.filter(
            recurrence_of__appointments__participant_id=owner.pk,
            recurrence_of__appointments__status=Appointment.Status.CONFIRMED,
            recurrence_of__appointments__whole_series=True,
        )
        .order_by("starts_at", "id")
        .values(
            "name",
            "date",
            "time",
            "starts_at",
            "details",
            "updated_at",
            "sequence",
            "recurrence_id",
            "recurrence_of__time",
            "recurrence_of__starts_at",
            "recurrence_of__appointments__id",
            "recurrence_of__appointments__details",
            "owner_id",
            "owner__timezone",
        )
        .iterator(chunk_size=chunk_size)
    )
    for row in rows:
        meeting_id = row["recurrence_of__appointments__id"]
        entry = {
            "kind": "meeting",
            "id": meeting_id,
            "name": row["name"],
            "date": row["date"],
            "time": row["time"],
            "starts_at": row["starts_at"],
            "details": row["recurrence_of__appointments__details"],
            "is_public": False,
            "updated_at": row["updated_at"],
            "sequence": row["sequence"],
            "timezone": row["owner__timezone"],
            "organizer_tg_id": row["owner_id"],
            "recurrence_of_id": meeting_id,
            "recurrence_id": row["recurrence_id"],
            "recurrence_of__time": row["recurrence_of__time"],
            "recurrence_of__starts_at": row["recurrence_of__starts_at"],
        }
        _ensure_instant(entry)
        yield entry


def _going(owner_tg_id: int) -> QuerySet:
    """Other people's events this person answered «Иду» (their own events are listed as such)."""
    return Rsvp.objects.filter(person_id=owner_tg_id, answer=Rsvp.Answer.GOING).exclude(
        event__owner_id=owner_tg_id
    )


def _going_events(*, owner: TgUser, chunk_size: int) -> Iterator[dict]:
    rows = (
        _going(owner.pk)
        .order_by("event__starts_at", "event_id")
        .values(
            "event_id",
            "event__name",
            "event__date",
            "event__time",
            "event__starts_at",
            "event__details",
            "event__is_public",
            "event__updated_at",
            "event__owner_id",
            "event__owner__timezone",
        )
        .iterator(chunk_size=chunk_size)
    )
    for row in rows:
        entry = {
            "kind": "rsvp",
            "id": row["event_id"],
            "name": row["event__name"],
            "date": row["event__date"],
            "time": row["event__time"],
            "starts_at": row["event__starts_at"],
            "details": row["event__details"],
            "is_public": row["event__is_public"],
            "updated_at": row["event__updated_at"],
            "timezone": row["event__owner__timezone"],
            "organizer_tg_id": row["event__owner_id"],
        }
        _ensure_instant(entry)
        yield entry


def calendar_entries(*, owner: TgUser, chunk_size: int = EXPORT_CHUNK_SIZE) -> Iterator[dict]:
    """Own events, confirmed meetings and events answered «Иду», merged by the instant they
    start (events first at the same instant)."""
    return heapq.merge(
        _own_events(owner=owner, chunk_size=chunk_size),
        _confirmed_meetings(owner=owner, chunk_size=chunk_size),
        _series_meeting_overrides(owner=owner, chunk_size=chunk_size),
        _going_events(owner=owner, chunk_size=chunk_size),
        key=lambda row: row["starts_at"],
    )


_COLUMNS = ("kind", "ref", "title", "day", "at", "public", "zone", "reader_zone", "starts")
# An event's columns of the listing, read on the event itself or through a row's `event`.
_EVENT_COLUMNS = {
    "ref": "id",
    "title": "name",
    "day": "date",
    "at": "time",
    "public": "is_public",
    "zone": "owner__timezone",
    "starts": "starts_at",
}


def _rows(queryset: QuerySet, **columns) -> QuerySet:
    """`queryset` as rows of calendar_listing's UNION: every side annotates the same columns
    in the same order, _COLUMNS' (that order is the SELECT's, and a UNION pairs by position)."""
    annotations = {name: columns[name] for name in _COLUMNS}
    return queryset.annotate(**annotations).values(*_COLUMNS).order_by()


def _event_rows(queryset: QuerySet, *, kind: int, reader_zone: str, via: str = "") -> QuerySet:
    """Rows of events: the queryset's own, or (`via="event__"`) those its rows point to."""
    event = {name: F(via + path) for name, path in _EVENT_COLUMNS.items()}
    return _rows(queryset, kind=Value(kind), reader_zone=F(reader_zone), **event)


def calendar_listing(
    owner_tg_id: int,
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
    series: bool = True,
) -> QuerySet:
    """The bot's /calendar and the Mini App's views: own events, accepted meetings and
    events answered «Иду» as one sortable, sliceable queryset (a UNION of three), so a page
    costs one count and one slice whatever the sizes. An answer is a row of its own rather
    than an Appointment with a status: a card can have thousands of answers from people
    the organiser never invited, and a meeting's rules (one organiser's invitation, a
    pending state, a notification per answer) do not fit them. `first` and `last`
    (inclusive) keep the wall-clock days in between.

    Rows: kind (0 event, 1 meeting, 2 going), ref (event or meeting id; the event's for
    2), name, date, time, public, zone (where date and time are wall-clock: the
    organiser's for a meeting),
    reader_zone (the owner's, whose clock the bot shows them on) and starts (the instant,
    which orders them: meetings in other zones fall where they happen).
    `series=False` leaves out repeating events and whole-series meetings
    (selectors.occurrences lists their occurrences instead of their first day).
    """
    days, going_days = Q(), Q()
    if first is not None:
        days &= Q(date__gte=first)
        going_days &= Q(event__date__gte=first)
    if last is not None:
        days &= Q(date__lte=last)
        going_days &= Q(event__date__lte=last)
    own = Event.objects.filter(days, owner_id=owner_tg_id)
    if not series:
        own = own.filter(rrule="")
    accepted = Appointment.objects.filter(
        days, participant_id=owner_tg_id, status=Appointment.Status.CONFIRMED
    )
    if not series:
        accepted = accepted.filter(whole_series=False)
    events = _event_rows(own, kind=0, reader_zone="owner__timezone")
    meetings = _rows(
        accepted,
        kind=Value(1),
        ref=F("id"),
        title=Coalesce(F("event__name"), Value("")),
        day=F("date"),
        at=F("time"),
        public=Value(False),
        zone=F("organizer__timezone"),
        reader_zone=F("participant__timezone"),
        starts=F("starts_at"),
    )
    answered = _going(owner_tg_id).filter(going_days)
    going = _event_rows(answered, kind=2, reader_zone="person__timezone", via="event__")
    return events.union(meetings, going, all=True).order_by("starts", "kind", "ref")


_FEED_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def feed_by_token(token: str) -> CalendarFeed | None:
    """The feed a subscription URL names (with its owner), or None; junk never hits the DB."""
    if not _FEED_TOKEN.match(token or ""):
        return None
    return CalendarFeed.objects.select_related("owner").filter(token=token).first()


def calendar_version(owner: TgUser) -> str:
    """A fingerprint of everything the owner's ICS shows, in two aggregate queries.

    Counts catch deletions, latest `updated_at`s catch edits; the linked events, organisers
    (their zones) and the owner's name and zone are in it too. Cheap enough for every poll.
    """
    events = Event.objects.filter(owner_id=owner.pk).aggregate(
        count=Count("id"), last=Max("updated_at")
    )
    meetings = Appointment.objects.filter(
        participant_id=owner.pk, status=Appointment.Status.CONFIRMED
    ).aggregate(
        # distinct: the join to a series' changed days repeats each meeting's row.
        count=Count("id", distinct=True),
        last=Max("updated_at"),
        linked=Count("id", filter=Q(event__isnull=False), distinct=True),
        event_last=Max("event__updated_at"),
        organizer_last=Max("organizer__updated_at"),
        days=Count("event__overrides", filter=Q(whole_series=True), distinct=True),
        days_last=Max("event__overrides__updated_at", filter=Q(whole_series=True)),
    )
    going = _going(owner.pk).aggregate(
        count=Count("id"), last=Max("updated_at"), event_last=Max("event__updated_at")
    )
    state = repr(
        (
            owner.display_name,
            owner.timezone,
            sorted(events.items()),
            sorted(meetings.items()),
            sorted(going.items()),
        )
    )
    return hashlib.sha256(state.encode()).hexdigest()[:32]
