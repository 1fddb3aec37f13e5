"""One VEVENT's properties read on the owner's wall clock: DTSTART, EXDATE, RDATE, RRULE
and VALARM. Each reader returns plain values or raises `Skip` with the stable reason code
the import preview shows (bot/texts/imports.py).
"""

import collections
import datetime as dt

from calendarapp.exceptions import ValidationFailed

from .recurrence import MAX_COUNT, clean_rule
from .reminders import LEAD_TIMES

MAX_EXDATES = MAX_COUNT
# Each RDATE becomes an Event row: a series may add this many.
MAX_RDATES = 100


class Skip(Exception):
    def __init__(self, code: str):
        self.code = code


def wall_clock(value, zone) -> tuple[dt.date, dt.time, bool]:
    """DTSTART on the owner's clock: (date, time, all day). A floating time is theirs."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            try:
                value = value.astimezone(zone)
            except (OverflowError, ValueError):
                raise Skip("date_out_of_range") from None
        return value.date(), value.time().replace(second=0, microsecond=0, tzinfo=None), False
    if isinstance(value, dt.date):
        return value, dt.time(0, 0), True
    raise Skip("no_start")


_HALF_YEAR = dt.timedelta(days=182)
# Rule parts that name days: a series moved to another day by the change of zone would
# fall on other days than the file says.
DAY_PARTS = ("BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS")


def other_zone(value, zone) -> tuple[bool, bool]:
    """(the day changes on the owner's clock, the offsets differ now or in half a year): a
    series written in another zone can only follow the owner's zone here."""
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        return False, False
    try:
        later = value + _HALF_YEAR
        local, local_later = value.astimezone(zone), later.astimezone(zone)
    except (OverflowError, ValueError):
        return False, False
    offsets = (value.utcoffset(), later.utcoffset()) != (
        local.utcoffset(),
        local_later.utcoffset(),
    )
    return local.date() != value.date(), offsets


def moment(component, name: str):
    prop = component.get(name)
    if prop is None or isinstance(prop, list) or not hasattr(prop, "dt"):
        raise Skip("no_start")
    return prop.dt


def listed_days(component, name: str, zone) -> list[dt.date]:
    listed = component.get(name)
    if listed is None:
        return []
    days = []
    for dates in listed if isinstance(listed, list) else [listed]:
        for item in getattr(dates, "dts", []):
            days.append(wall_clock(item.dt, zone)[0])
            if len(days) > MAX_EXDATES:
                raise Skip("exdates_too_many")
    return days


def extra_moments(component, zone, *, time: dt.time) -> list[tuple[dt.date, dt.time]]:
    """RDATE's dates on the owner's clock; a date without a time takes the series' time,
    a period its start."""
    listed = component.get("rdate")
    if listed is None:
        return []
    found = []
    for dates in listed if isinstance(listed, list) else [listed]:
        for item in getattr(dates, "dts", []):
            value = item.dt[0] if isinstance(item.dt, tuple) else item.dt
            day, at, all_day = wall_clock(value, zone)
            found.append((day, time if all_day else at))
            if len(found) > MAX_RDATES:
                raise Skip("rdate_too_many")
    return found


def rule(component, *, zone_name: str) -> str:
    rules = component.get("rrule")
    if rules is None:
        return ""
    if isinstance(rules, list):
        raise Skip("rrule_several")
    try:
        return clean_rule(rules.to_ical().decode(), zone_name=zone_name)
    except ValidationFailed as error:
        raise Skip(error.code) from None


_ALARM_ACTIONS = {"DISPLAY", "AUDIO", "EMAIL"}
_OFFERED_LEADS = tuple(sorted(minutes for minutes in LEAD_TIMES if minutes))


def _offered_lead(minutes: int) -> int:
    """The offered lead time nearest to `minutes` (the longer one of two as near: a
    reminder a little early is of more use than one a little late)."""
    return min(_OFFERED_LEADS, key=lambda offered: (abs(offered - minutes), -offered))


def _alarm_lead(alarm) -> int | str:
    """One VALARM's lead time in minutes, or the note code it is left out with."""
    if str(alarm.get("action", "")).upper() not in _ALARM_ACTIONS:
        return "alarm_unsupported"  # ACTION:NONE (Apple's placeholder), PROCEDURE...
    trigger = alarm.get("trigger")
    if trigger is None or isinstance(trigger, list) or not hasattr(trigger, "dt"):
        return "alarm_unsupported"
    if not isinstance(trigger.dt, dt.timedelta):
        return "alarm_absolute"  # TRIGGER;VALUE=DATE-TIME: a moment, not a lead time
    if str(trigger.params.get("RELATED", "START")).upper() != "START":
        return "alarm_unsupported"  # RELATED=END: the bot keeps no end of an event
    if trigger.dt > dt.timedelta(0):
        return "alarm_after_start"
    return round(-trigger.dt.total_seconds() / 60)


def leads(component, notes: collections.Counter) -> list[int] | None:
    """The VEVENT's VALARMs as offered lead times, each once. Only lead times the bot
    offers can be kept (services.reminders.clean_leads): another one becomes the nearest
    offered, and two that become the same one are one reminder; each is a note."""
    leads: set[int] = set()
    for alarm in component.subcomponents:
        if alarm.name != "VALARM":
            continue
        found = _alarm_lead(alarm)
        if isinstance(found, str):
            notes[found] += 1
            continue
        lead = _offered_lead(found)
        if lead != found:
            notes["alarm_adjusted"] += 1
        if lead in leads:
            notes["alarm_merged"] += 1
        leads.add(lead)
    return sorted(leads) if leads else None
