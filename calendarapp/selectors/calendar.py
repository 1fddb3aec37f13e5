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

from django.db.models import Count, Max, Min, Q, QuerySet

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
        going_answers(owner.pk)
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


def going_answers(owner_tg_id: int) -> QuerySet:
    """Other people's events this person answered «Иду» (their own events are listed as such)."""
    return Rsvp.objects.filter(person_id=owner_tg_id, answer=Rsvp.Answer.GOING).exclude(
        event__owner_id=owner_tg_id
    )


def _going_events(*, owner: TgUser, chunk_size: int) -> Iterator[dict]:
    rows = (
        going_answers(owner.pk)
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
    going = going_answers(owner.pk).aggregate(
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
