"""A person's calendar as one listing for the bot's /calendar and the Mini App: own events,
accepted meetings and events answered «Иду», a UNION that pages in the database."""

import datetime as dt

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from calendarapp.models import Appointment, Event

from .calendar import going_answers

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
    answered = going_answers(owner_tg_id).filter(going_days)
    going = _event_rows(answered, kind=2, reader_zone="person__timezone", via="event__")
    return events.union(meetings, going, all=True).order_by("starts", "kind", "ref")
