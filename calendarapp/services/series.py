"""Changing or cancelling a part of a series: one occurrence, this one and the following,
or all of them (the «только это / это и следующие / все» of the bot).

One occurrence changed on its own becomes an override: an ordinary one-off Event row with
`recurrence_of` and `recurrence_id` (RFC 5545's RECURRENCE-ID), so it lists, reminds and is
edited like any event. "This and following" splits the series as Google and Apple do (the
old rule ends before the occurrence, a new series starts at it): RFC 5545's
RANGE=THISANDFUTURE is read by few clients.
"""

import datetime as dt
from enum import StrEnum

from dateutil import rrule as rr
from django.db import transaction

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import Event
from calendarapp.selectors.events import get_own_event

from . import events as event_services
from .appointment_cascades import cancel_meetings_of_deleted_event, hand_meetings_over
from .recurrence import series
from .reminder_claims import reschedule_event_reminders
from .reminders import set_leads


class Scope(StrEnum):
    ONE = "one"
    FOLLOWING = "following"
    ALL = "all"


def clean_scope(value: str) -> Scope:
    try:
        return Scope(value)
    except ValueError:
        raise ValidationFailed(
            "The scope {scope!r} is not one of one, following, all.",
            code="scope_invalid",
            scope=str(value)[:20],
        ) from None


def _moment(event: Event, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, event.time)


def check_occurrence(*, event: Event, day: dt.date) -> dt.date:
    """`day` if the series happens then (an override of that day counts: it stands in for
    the occurrence), refused otherwise."""
    start = _moment(event, day)
    happens = event.rrule and start in series(
        rule=event.rrule, date=event.date, time=event.time, exdates=event.exdates
    ).between(start, start, inc=True)
    if not happens:
        raise ValidationFailed(
            "Event {event_id} does not happen on {date}.",
            code="not_an_occurrence",
            event_id=event.pk,
            date=day,
        )
    return day


def _series_for(*, owner_tg_id: int, event_id: int, day: dt.date, scope: Scope) -> Event:
    """The owner's series, locked, checked to happen on `day` (the whole series needs no
    particular occurrence: its first may have been cancelled)."""
    event = get_own_event(owner_tg_id=owner_tg_id, event_id=event_id, for_update=True)
    if scope is not Scope.ALL or not event.rrule:
        check_occurrence(event=event, day=day)
    return event


def _rule_until(event: Event, day: dt.date) -> str:
    """The series' rule ending just before its occurrence on `day` (COUNT gives way to
    UNTIL: RFC 5545 allows only one of them)."""
    rule = rr.rrulestr(event.rrule, dtstart=_moment(event, event.date))
    cut = rule.replace(count=None, until=_moment(event, day) - dt.timedelta(seconds=1))
    lines = [line for line in str(cut).splitlines() if line.startswith("RRULE:")]
    return lines[0][len("RRULE:") :]


def _rule_from(event: Event, day: dt.date) -> str:
    """The rule of the series' rest from `day` on: what COUNT leaves, or the same rule."""
    rule = rr.rrulestr(event.rrule, dtstart=_moment(event, event.date))
    if rule._count is None:
        return event.rrule
    before = len(rule.between(_moment(event, event.date), _moment(event, day), inc=False))
    if _moment(event, event.date) < _moment(event, day):
        before += 1  # between() leaves out DTSTART itself
    rest = rule.replace(count=rule._count - before)
    lines = [line for line in str(rest).splitlines() if line.startswith("RRULE:")]
    return lines[0][len("RRULE:") :]


def _end_before(event: Event, day: dt.date) -> None:
    """The series stops before `day`: the rule gets UNTIL, later cancellations and
    overrides go (the caller moves or deletes those overrides first)."""
    event.rrule = _rule_until(event, day)
    event.exdates = [item for item in event.exdates if item < day.isoformat()]
    event.save(update_fields=["rrule", "exdates", "updated_at"])
    reschedule_event_reminders(event=event)


def _override_of(event: Event, day: dt.date) -> Event | None:
    return event.overrides.select_for_update().filter(recurrence_id=day).first()


def _born_of(event: Event, day: dt.date, **fields) -> Event:
    """A row the series gives birth to on `day` (an override, or the rest of a split), as
    the series has it and reminded of with the series' lead times. Its reminders start from
    now: one the series has already sent for that day is past, so it is not sent again."""
    row = Event(
        owner=event.owner,
        name=event.name,
        date=day,
        time=event.time,
        details=event.details,
        is_public=event.is_public,
        **fields,
    )
    row.save()
    set_leads(event=row, leads=event.leads)
    return row


def _make_override(event: Event, day: dt.date) -> Event:
    """The override of `day`; the series' reminders leave that day to it from now on."""
    override = _born_of(event, day, recurrence_of=event, recurrence_id=day)
    reschedule_event_reminders(event=event)
    return override


def _split(event: Event, day: dt.date) -> Event:
    """A new series from the occurrence on `day` on, with the old one's cancellations and
    overrides from then on; the old series ends before it."""
    rest = _born_of(
        event,
        day,
        rrule=_rule_from(event, day),
        exdates=[item for item in event.exdates if item > day.isoformat()],
    )
    if event.overrides.filter(recurrence_id__gte=day).update(recurrence_of=rest):
        reschedule_event_reminders(event=rest)  # the days of those overrides are theirs
    hand_meetings_over(event=event, to=rest, first=day)
    _end_before(event, day)
    return rest


@transaction.atomic
def edit_occurrences(
    *, owner_tg_id: int, event_id: int, day: dt.date, scope: Scope | str, **changes
) -> Event:
    """Change the series' occurrence on `day` alone (an override), it and the following (a
    split), or the whole series; `changes` are update_event's (name, date, time, details).
    A new date for the whole series moves every occurrence by as many days. Returns the
    row that changed: the override, the new series, or the series."""
    scope = clean_scope(scope)
    event = _series_for(owner_tg_id=owner_tg_id, event_id=event_id, day=day, scope=scope)
    if scope is Scope.ALL or (scope is Scope.FOLLOWING and day == event.date):
        if "date" in changes:
            changes["date"] = event.date + (changes["date"] - day)
        target = event
    elif scope is Scope.ONE:
        target = _override_of(event, day) or _make_override(event, day)
        hand_meetings_over(event=event, to=target, first=day, last=day)
    else:
        target = _split(event, day)
    return event_services.update_event(owner_tg_id=owner_tg_id, event_id=target.pk, **changes)


@transaction.atomic
def delete_occurrences(
    *, owner_tg_id: int, event_id: int, day: dt.date, scope: Scope | str
) -> Event:
    """Cancel the series' occurrence on `day` alone (an EXDATE; its override goes too), it
    and the following (the series ends before it), or the whole series."""
    scope = clean_scope(scope)
    event = _series_for(owner_tg_id=owner_tg_id, event_id=event_id, day=day, scope=scope)
    if scope is Scope.ALL or (scope is Scope.FOLLOWING and day == event.date):
        return event_services.delete_event(owner_tg_id=owner_tg_id, event_id=event_id)
    if scope is Scope.ONE:
        override = _override_of(event, day)
        if override is not None:
            cancel_meetings_of_deleted_event(override)
            override.delete()
        cancel_meetings_of_deleted_event(event, first=day, last=day)
        return event_services.skip_occurrence(owner_tg_id=owner_tg_id, event_id=event_id, date=day)
    for override in event.overrides.filter(recurrence_id__gte=day):
        cancel_meetings_of_deleted_event(override)
    event.overrides.filter(recurrence_id__gte=day).delete()
    cancel_meetings_of_deleted_event(event, first=day)
    _end_before(event, day)
    return event
