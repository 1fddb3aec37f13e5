"""An .ics file (Google, Apple, Outlook exports) read into what the calendar can keep.

Pure reading, no database: bytes in, `Reading` out, each VEVENT either an `Entry` (what an
Event will hold, on the owner's wall clock) or a skip with a stable reason code. The cost
is bounded before icalendar sees the text (size, number of components), and every series
goes through services.recurrence.clean_rule, so no rule read here can expand without end.
"""

import collections
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

import icalendar

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import (
    EVENT_DETAILS_MAX_LENGTH,
    EVENT_NAME_MAX_LENGTH,
    ICS_UID_MAX_LENGTH,
    TgUser,
)
from calendarapp.text import clean_text
from calendarapp.timezones import zone_of

from . import ics_fields
from .dates import ensure_date_in_range
from .recurrence import first_on_or_after, series

MAX_ICS_BYTES = 2 * 1024 * 1024
MAX_EVENTS = 2000
# Components of any kind (VEVENT, VALARM, VTIMEZONE and its observances...): a file of a
# million empty components would cost as much to parse as a huge one.
MAX_COMPONENTS = MAX_EVENTS * 10
UNTITLED = "—"
ELLIPSIS = "…"
# Our own export's UIDs (exports/writers.py): an event of ours, or a meeting or an answer
# that lives in someone else's calendar.
_OWN_UID = re.compile(r"^(\w+)-(\d{1,18})@calendar-bot$")
_BEGIN = re.compile(rb"^BEGIN:", re.IGNORECASE | re.MULTILINE)
_BEGIN_EVENT = re.compile(rb"^BEGIN:VEVENT\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass
class Entry:
    key: str  # stored as Event.ics_uid
    name: str
    details: str
    date: dt.date
    time: dt.time
    rrule: str = ""
    exdates: list[str] = field(default_factory=list)
    own_id: int | None = None  # an event of ours, from our own export
    # One occurrence of a series on its own (RECURRENCE-ID): the series' key (or its id, a
    # series of ours) and the wall-clock day it stands in for.
    series_key: str = ""
    series_own_id: int | None = None
    recurrence_id: dt.date | None = None
    # A series' RDATEs on the owner's clock: each becomes an entry of its own (read_ics).
    rdates: list[tuple[dt.date, dt.time]] = field(default_factory=list)
    # Lead times in minutes from the VEVENT's VALARMs; None: the file sets none (no VALARM,
    # or none the bot can keep), so a new event gets the owner's default, an existing one
    # keeps its own.
    leads: list[int] | None = None


@dataclass
class Reading:
    entries: list[Entry] = field(default_factory=list)
    skipped: collections.Counter = field(default_factory=collections.Counter)
    # A few names per skip reason, so the preview can say which series was refused.
    examples: dict[str, list[str]] = field(default_factory=dict)
    # What was imported with a change: all-day events at 00:00, shortened texts, RDATEs,
    # reminders (VALARMs) adjusted to an offered lead time or left out.
    notes: collections.Counter = field(default_factory=collections.Counter)

    def skip(self, code: str, name: str) -> None:
        self.skipped[code] += 1
        names = self.examples.setdefault(code, [])
        if len(names) < 3 and name not in names:
            names.append(name)


def _refuse_size(size: int) -> ValidationFailed:
    return ValidationFailed(
        "The file is {size} bytes; the limit is {limit} bytes.",
        code="ics_too_large",
        size=size,
        limit=MAX_ICS_BYTES,
    )


def check_size(size: int | None) -> None:
    """A size announced before the bytes come (Telegram's file_size, Content-Length)."""
    if size is not None and size > MAX_ICS_BYTES:
        raise _refuse_size(size)


def _calendars(data: bytes) -> list[icalendar.Calendar]:
    check_size(len(data))
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n")[:15].upper().startswith(b"BEGIN:VCALENDAR"):
        raise ValidationFailed(
            "This is not an iCalendar (.ics) file: it does not begin with BEGIN:VCALENDAR.",
            code="ics_not_calendar",
        )
    events = len(_BEGIN_EVENT.findall(data))
    if events > MAX_EVENTS or len(_BEGIN.findall(data)) > MAX_COMPONENTS:
        raise ValidationFailed(
            "The file has {count} events; at most {limit} can be imported at once.",
            code="ics_too_many_events",
            count=events,
            limit=MAX_EVENTS,
        )
    text = data.decode("utf-8-sig", errors="replace")
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as error:
        raise ValidationFailed(
            "The file is not valid iCalendar: {reason}",
            code="ics_malformed",
            reason=clean_text(str(error), multiline=False)[:120],
        ) from None
    calendars = [part for part in calendars if part.name == "VCALENDAR"]
    if not calendars:
        raise ValidationFailed(
            "This is not an iCalendar (.ics) file: it has no VCALENDAR.", code="ics_not_calendar"
        )
    return calendars


def _shortened(text: str, limit: int, reading: Reading) -> str:
    if len(text) <= limit:
        return text
    reading.notes["shortened"] += 1
    return text[: limit - 1].rstrip() + ELLIPSIS


def _key(uid: str, suffix: str = "") -> str:
    key = uid + suffix
    if len(key) <= ICS_UID_MAX_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def _entry(component, *, owner: TgUser, reading: Reading) -> Entry:
    zone = zone_of(owner.timezone)
    if component.errors:
        raise ics_fields.Skip("malformed")
    start = ics_fields.moment(component, "dtstart")
    date, time, all_day = ics_fields.wall_clock(start, zone)
    try:
        ensure_date_in_range(user=owner, date=date)
    except ValidationFailed:
        raise ics_fields.Skip("date_out_of_range") from None
    name = " ".join(clean_text(str(component.get("summary", "")), multiline=False).split())
    details = clean_text(str(component.get("description", "")), multiline=True).strip()
    entry = Entry(
        key="",
        name=_shortened(name or UNTITLED, EVENT_NAME_MAX_LENGTH, reading),
        details=_shortened(details, EVENT_DETAILS_MAX_LENGTH, reading),
        date=date,
        time=time,
        rrule=ics_fields.rule(component, zone_name=owner.timezone),
    )
    if entry.rrule:
        day_moved, offsets_differ = ics_fields.other_zone(start, zone)
        if day_moved and any(f"{part}=" in entry.rrule for part in ics_fields.DAY_PARTS):
            raise ics_fields.Skip("rrule_other_zone")
        if offsets_differ:
            reading.notes["other_zone"] += 1
        first = first_on_or_after(rule=entry.rrule, date=date, time=time)
        if first is None:
            raise ics_fields.Skip("rrule_empty")
        entry.date = first  # RFC 5545 leaves a DTSTART off the rule undefined; ours is on it
        entry.exdates = sorted(
            {
                day.isoformat()
                for day in ics_fields.listed_days(component, "exdate", zone)
                if day >= first
            }
        )
        entry.rdates = ics_fields.extra_moments(component, zone, time=time)
    entry.leads = ics_fields.leads(component, reading.notes)
    if all_day:
        reading.notes["all_day"] += 1
    return entry


def _entry_or_skip(component, owner: TgUser, reading: Reading, summary: str) -> Entry | None:
    try:
        return _entry(component, owner=owner, reading=reading)
    except ics_fields.Skip as skip:
        reading.skip(skip.code, summary)
        return None


def _uid(component) -> str:
    uid = " ".join(clean_text(str(component.get("uid", "")), multiline=False).split())
    if uid:
        return uid
    # No UID (RFC 5545 requires one, some exporters forget): the same event in the same
    # file gets the same key, so importing it again still updates instead of duplicating.
    start = component.get("dtstart")
    seed = f"{getattr(start, 'dt', '')!r}|{component.get('summary', '')}"
    return "nouid:" + hashlib.sha256(seed.encode("utf-8", "replace")).hexdigest()[:32]


def read_ics(*, data: bytes, owner: TgUser) -> Reading:
    """Every VEVENT of the file(s) in `data`, read for `owner` (their zone and date range).

    Refused as a whole (ValidationFailed): over MAX_ICS_BYTES, more than MAX_EVENTS events,
    not iCalendar at all. Skipped one by one, with a reason: a series that would repeat more
    often than daily, or more than MAX_COUNT times, a date out of range, malformed lines, a
    cancelled event. A moved occurrence (RECURRENCE-ID) becomes an entry of its own naming
    its series (`series_key`, `recurrence_id`); a cancelled one an EXDATE of the series."""
    reading = Reading()
    masters: dict[str, Entry] = {}
    uids: dict[str, str] = {}
    overrides = []
    for calendar in _calendars(data):
        for component in calendar.subcomponents:
            if component.name in ("VTIMEZONE",):
                continue
            summary = clean_text(str(component.get("summary", "")), multiline=False)[:60]
            if component.name != "VEVENT":
                reading.skip("not_event", summary or component.name[:20])
                continue
            uid = _uid(component)
            own = _OWN_UID.match(uid)
            if own and own[1] != "event":
                reading.skip("bot_meeting", summary)
                continue
            if component.get("recurrence-id") is not None:
                overrides.append((uid, component, summary))
                continue
            if str(component.get("status", "")).upper() == "CANCELLED":
                reading.skip("cancelled", summary)
                continue
            entry = _entry_or_skip(component, owner, reading, summary)
            if entry is None:
                continue
            entry.key = _key(uid)
            entry.own_id = int(own[2]) if own else None
            uids[entry.key] = uid
            if entry.key in masters:
                reading.skip("duplicate", summary)
            masters[entry.key] = entry  # the later one wins, as in calendar programs
    reading.entries = list(masters.values())
    moved: dict[str, Entry] = {}
    for uid, component, summary in overrides:
        entry = _add_override(reading, masters, uid, component, summary, owner)
        if entry is not None:
            if entry.key in moved:
                reading.skip("duplicate", summary)
            moved[entry.key] = entry  # the later one wins here too
    reading.entries += moved.values()
    for master in masters.values():
        for day, time in master.rdates:
            _add_rdate(reading, master, uids[master.key], day, time, owner=owner, moved=moved)
    return reading


def _add_rdate(reading, master, uid, day, time, *, owner, moved) -> None:
    """One RDATE of a series: an override entry of its day (a day the series has no
    occurrence on), as Google and Apple show an extra date: the series' name and details
    at the date's own time."""
    key = _key(uid, "#" + day.isoformat())
    if day.isoformat() in master.exdates or key in moved:
        return  # cancelled (EXDATE), or the file's own override of that day stands in
    start = dt.datetime.combine(day, master.time)
    on_day = series(rule=master.rrule, date=master.date, time=master.time).between(
        dt.datetime.combine(day, dt.time.min), dt.datetime.combine(day, dt.time.max), inc=True
    )
    if on_day:
        if start not in on_day or time != master.time:
            # An override of the day would hide the series' own occurrence of that day.
            reading.skip("rdate_same_day", master.name)
        return  # else the rule has this occurrence already
    try:
        ensure_date_in_range(user=owner, date=day)
    except ValidationFailed:
        reading.skip("date_out_of_range", master.name)
        return
    if len(reading.entries) >= MAX_EVENTS:
        reading.skip("rdate_too_many", master.name)
        return
    reading.entries.append(
        Entry(
            key=key,
            name=master.name,
            details=master.details,
            date=day,
            time=time,
            series_key=master.key,
            series_own_id=master.own_id,
            recurrence_id=day,
            leads=master.leads,
        )
    )
    reading.notes["rdate"] += 1


def _add_override(reading, masters, uid, component, summary, owner) -> Entry | None:
    zone = zone_of(owner.timezone)
    try:
        day = ics_fields.wall_clock(ics_fields.moment(component, "recurrence-id"), zone)[0]
    except ics_fields.Skip as skip:
        reading.skip(skip.code, summary)
        return None
    master = masters.get(_key(uid))
    entry = None
    if str(component.get("status", "")).upper() != "CANCELLED":
        entry = _entry_or_skip(component, owner, reading, summary)
    if entry is None:
        # Cancelled, or unreadable: the series leaves the day out.
        if master is not None and master.rrule and day.isoformat() not in master.exdates:
            master.exdates = sorted([*master.exdates, day.isoformat()])
        return None
    entry.key = _key(uid, "#" + day.isoformat())
    entry.rrule, entry.exdates = "", []  # one moved occurrence, not a series of its own
    if master is None or master.rrule:
        # Stored as the series' override (found in the calendar if not in this file), so
        # it goes back out with the series' UID and its RECURRENCE-ID.
        own = _OWN_UID.match(uid)
        entry.series_key, entry.recurrence_id = _key(uid), day
        entry.series_own_id = int(own[2]) if own else None
    reading.notes["override"] += 1
    return entry
