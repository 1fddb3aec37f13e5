import datetime as dt

from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When

from calendarapp.exceptions import NotFound
from calendarapp.models import Event, TgUser
from calendarapp.selectors.compiled import Compiled


def events_of(owner_tg_id: int) -> QuerySet[Event]:
    """A user's own events, soonest first."""
    return Event.objects.filter(owner_id=owner_tg_id).order_by("date", "time", "id")


# The reads of one event by id that the bot makes at most of its updates about one, each
# compiled once (selectors/compiled.py).
_OWN_EVENT = Compiled(
    lambda owner, event: (
        Event.objects.select_related("owner").filter(owner_id=owner, pk=event).order_by()
    ),
    owner=Event.owner,
    event=Event.id,
)
_VISIBLE_EVENT = Compiled(
    lambda viewer, event: (
        Event.objects.select_related("owner")
        .filter(Q(owner_id=viewer) | Q(is_public=True), pk=event)
        .order_by()
    ),
    viewer=Event.owner,
    event=Event.id,
)


def get_own_event(*, owner_tg_id: int, event_id: int, for_update: bool = False) -> Event:
    """One of the owner's events, with its owner (their zone says what the time means);
    another person's event is as missing as a deleted one."""
    if for_update:
        queryset = Event.objects.select_related("owner").filter(owner_id=owner_tg_id, pk=event_id)
        event = by_pk(queryset.select_for_update(of=("self",)))  # the event row, not the owner's
    else:
        event = _OWN_EVENT.first(owner=owner_tg_id, event=event_id)
    if event is None:
        raise NotFound("Event {event_id} was not found.", code="event_not_found", event_id=event_id)
    return event


def by_pk(queryset):
    """The one row of a lookup by primary key, or None. Not first(): that orders by the
    model's date, time and id, and building that ORDER BY (joined owner included) took a
    third of the CPU of /read_event's query."""
    return next(iter(queryset.order_by()[:1]), None)


def owner_of_event(event_id: int) -> int:
    """Whose event this is (staff acting for its organiser); a missing one is NotFound."""
    owner_id = Event.objects.filter(pk=event_id).values_list("owner_id", flat=True).first()
    if owner_id is None:
        raise NotFound("Event {event_id} was not found.", code="event_not_found", event_id=event_id)
    return owner_id


def get_visible_event(*, viewer_tg_id: int, event_id: int) -> Event:
    """An event this person may look at: their own, or someone else's public one (read
    only); a private event of another person is as missing as a deleted one."""
    event = _VISIBLE_EVENT.first(viewer=viewer_tg_id, event=event_id)
    if event is None:
        raise NotFound("Event {event_id} was not found.", code="event_not_found", event_id=event_id)
    return event


def public_events_of(owner_tg_id: int) -> QuerySet[Event]:
    return events_of(owner_tg_id).filter(is_public=True)


def public_events_listing() -> QuerySet[Event]:
    """Public events for a paginated list: owners come in one extra query for the page
    (prefetch), so deep OFFSETs skip event rows only instead of joining every skipped row."""
    owners = Prefetch("owner", queryset=TgUser.objects.only("tg_id", "username", "timezone"))
    return (
        Event.objects.filter(is_public=True).prefetch_related(owners).order_by("date", "time", "id")
    )


def events_upcoming_first(*, owner_tg_id: int, now: dt.datetime) -> QuerySet[Event]:
    """A user's own events for picking one: upcoming soonest first, then past ones, latest
    first. `now` is the owner's wall-clock time (naive or aware in the owner's zone)."""
    today, moment = now.date(), now.time().replace(second=0, microsecond=0, tzinfo=None)
    past = Q(date__lt=today) | Q(date=today, time__lt=moment)
    is_past = Case(When(past, then=Value(1)), default=Value(0), output_field=IntegerField())
    upcoming_only = ~past
    return (
        Event.objects.filter(owner_id=owner_tg_id)
        .annotate(
            is_past=is_past,
            next_date=Case(When(upcoming_only, then=F("date"))),
            next_time=Case(When(upcoming_only, then=F("time"))),
            last_date=Case(When(past, then=F("date"))),
            last_time=Case(When(past, then=F("time"))),
        )
        .order_by(
            "is_past",
            "next_date",
            "next_time",
            F("last_date").desc(),
            F("last_time").desc(),
            "id",
        )
    )
