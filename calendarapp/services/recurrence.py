"""Repeating events: RFC 5545 RRULE text, checked and expanded (recurrence_phrases reads a
rule from a typed phrase, recurrence_words says one back).

A series is an Event whose `rrule` is set: its date and time are the first occurrence
(DTSTART), the rule's UNTIL is a wall-clock moment of the owner's zone, and `exdates` are
the wall-clock days whose occurrence is cancelled. Expansion works on wall clocks (naive
datetimes) with python-dateutil and turns each occurrence into an instant only at the end,
so a weekly 10:00 stays 10:00 across daylight-saving changes.
"""

import datetime as dt

from dateutil import rrule as rr

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import RRULE_MAX_LENGTH, Event
from calendarapp.timezones import zone_of

# Finer frequencies would make a calendar of thousands of entries a day; COUNT and INTERVAL
# are bounded so that a rule always expands in bounded time.
ALLOWED_FREQUENCIES = {rr.DAILY, rr.WEEKLY, rr.MONTHLY, rr.YEARLY}
MAX_COUNT = 1000
MAX_INTERVAL = 100
# How far a series is looked at for "the next occurrences" when nothing else bounds it.
LOOKAHEAD = dt.timedelta(days=366 * 5)

CHECK_START = dt.datetime(2000, 1, 3, 12, 0)  # any naive moment: rules are stored without it


def _refuse(text: str, code: str = "rrule_invalid") -> ValidationFailed:
    return ValidationFailed(
        "The repeat rule {text!r} is not a valid RFC 5545 RRULE.", code=code, text=text[:80]
    )


def _parse(text: str, dtstart: dt.datetime) -> rr.rrule:
    try:
        rule = rr.rrulestr(text, dtstart=dtstart, forceset=False)
    except (ValueError, TypeError, IndexError, KeyError, OverflowError):
        raise _refuse(text) from None
    if not isinstance(rule, rr.rrule):
        raise _refuse(text)
    return rule


def clean_rule(text: str, *, zone_name: str | None = None) -> str:
    """A typed or sent RRULE ("FREQ=WEEKLY;BYDAY=TU", with or without "RRULE:") as stored:
    dateutil's own text of it, without DTSTART. "" stays "" (a one-off event).

    Refused with a reason: what dateutil cannot read, frequencies finer than a day, more
    than MAX_COUNT occurrences, an interval over MAX_INTERVAL. A UTC UNTIL ("...Z") is
    turned into the owner's wall clock."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    if len(text) > RRULE_MAX_LENGTH:
        raise _refuse(text, "rrule_too_long")
    body = text[len("RRULE:") :] if text.upper().startswith("RRULE:") else text
    if ":" in body or "\n" in body:  # DTSTART, EXDATE and friends belong to the event
        raise _refuse(text)
    try:
        rule = _parse(body, CHECK_START)
    except ValidationFailed:
        # dateutil wants a UTC UNTIL with an aware start only: read it that way, then say
        # it on the owner's clock, as every stored rule does.
        rule = _parse(body, CHECK_START.replace(tzinfo=dt.UTC))
        until = rule._until
        if until is None:
            raise
        local = until.astimezone(zone_of(zone_name or "UTC")).replace(tzinfo=None)
        rule = rule.replace(dtstart=CHECK_START, until=local)
    several_a_day = any(
        len(part or ()) > 1 for part in (rule._byhour, rule._byminute, rule._bysecond)
    )
    if rule._freq not in ALLOWED_FREQUENCIES or several_a_day:
        raise ValidationFailed(
            "Events repeat at most daily; {text!r} repeats more often.",
            code="rrule_too_frequent",
            text=text[:80],
        )
    if rule._count is not None and not 1 <= rule._count <= MAX_COUNT:
        raise ValidationFailed(
            "A series has at most {limit} occurrences.", code="rrule_count", limit=MAX_COUNT
        )
    if not 1 <= rule._interval <= MAX_INTERVAL:
        raise ValidationFailed(
            "The interval of a series is from 1 to {limit}.",
            code="rrule_interval",
            limit=MAX_INTERVAL,
        )
    return rule_text(rule)


def rule_text(rule: rr.rrule) -> str:
    """A dateutil rule as stored: its RRULE line's value, without DTSTART."""
    lines = [line for line in str(rule).splitlines() if line.startswith("RRULE:")]
    return lines[0][len("RRULE:") :]


def parts(rule: str) -> dict[str, str]:
    """FREQ=WEEKLY;BYDAY=TU -> {"FREQ": "WEEKLY", "BYDAY": "TU"}."""
    return dict(part.split("=", 1) for part in rule.split(";") if "=" in part)


def series(*, rule: str, date: dt.date, time: dt.time, exdates=()) -> rr.rruleset:
    """The occurrences (naive wall-clock datetimes) of a stored rule starting at date/time."""
    start = dt.datetime.combine(date, time.replace(tzinfo=None))
    occurrences = rr.rruleset(cache=False)
    occurrences.rrule(rr.rrulestr(rule, dtstart=start))
    for day in exdates:
        occurrences.exdate(dt.datetime.combine(dt.date.fromisoformat(day), start.time()))
    return occurrences


def occurrences_between(
    *, rule: str, date: dt.date, time: dt.time, exdates=(), first: dt.datetime, last: dt.datetime
) -> list[dt.datetime]:
    """Wall-clock occurrences from `first` to `last` (inclusive, naive)."""
    return series(rule=rule, date=date, time=time, exdates=exdates).between(first, last, inc=True)


def next_occurrences(
    *, rule: str, date: dt.date, time: dt.time, exdates=(), after: dt.datetime, count: int = 3
) -> list[dt.datetime]:
    """Up to `count` wall-clock occurrences at or after `after` (naive)."""
    found = []
    for moment in series(rule=rule, date=date, time=time, exdates=exdates).xafter(
        after, count=count, inc=True
    ):
        found.append(moment)
    return found


def next_occurrences_kept(
    *,
    rule: str,
    date: dt.date,
    time: dt.time,
    exdates=(),
    overrides=(),
    after: dt.datetime,
    count: int = 3,
) -> list[dt.datetime]:
    """next_occurrences with the series' overrides in place: each of `overrides` (the day
    it stands in for, its own date and time) replaces that day's occurrence, at its own
    moment."""
    replaced = [day.isoformat() for day, _date, _time in overrides]
    found = next_occurrences(
        rule=rule, date=date, time=time, exdates=[*exdates, *replaced], after=after, count=count
    )
    moved = [dt.datetime.combine(day, at) for _replaced, day, at in overrides]
    return sorted([*found, *(moment for moment in moved if moment >= after)])[:count]


def first_on_or_after(*, rule: str, date: dt.date, time: dt.time) -> dt.date | None:
    """The day a rule first falls on at or after `date` (None: it never does): DTSTART must
    be an occurrence itself (RFC 5545 leaves a series with a stray DTSTART undefined)."""
    start = dt.datetime.combine(date, time.replace(tzinfo=None))
    moment = rr.rrulestr(rule, dtstart=start).after(start, inc=True)
    return None if moment is None else moment.date()


def check_occurrence(*, event: Event, day: dt.date) -> dt.date:
    """`day` if the series happens then (an override of that day counts: it stands in for
    the occurrence), refused otherwise."""
    start = dt.datetime.combine(day, event.time)
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
