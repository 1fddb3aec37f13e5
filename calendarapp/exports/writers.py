"""Calendar rows as iCalendar bytes, one chunk at a time, for StreamingHttpResponse (the
download and the feed); CSV and JSON are tables.py."""

import datetime as dt
import functools
import hashlib
import importlib.metadata
import itertools
import zoneinfo
from collections.abc import Iterable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
from django.core.cache import caches
from django.utils import timezone

from calendarapp import timezones
from calendarapp.timezones import clock_change, starts_at, zone_of

from .tables import chunked

ICS_PRODID = "-//Calendar Bot//calendarapp//EN"
ICS_DEFAULT_DURATION = dt.timedelta(hours=1)


# Zone rules written with TZID (and a VTIMEZONE) only inside these years: khal reads zones
# with pytz, whose rules stop at 2037, and clients disagree before 1900 (local mean time).
# Outside them, and at a moment the clocks skip or repeat, DTSTART and DTEND are UTC.
TZID_YEARS = range(1900, 2038)
VTIMEZONE_LAST_DATE = dt.date(2038, 1, 1)


def _end(start: dt.datetime) -> dt.datetime:
    """An hour later, counted in real time (an event at a clock change lasts an hour too);
    on the calendar's very last day, the end of that day."""
    try:
        return start + ICS_DEFAULT_DURATION
    except OverflowError:
        return start.replace(hour=23, minute=59, second=59)


def _wall_clock(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime | None:
    """The moment on the zone's clock, if writing it as that clock (TZID) means it in every
    client: an ordinary time in a year every client's zone rules cover."""
    try:
        local = moment.astimezone(zone)
    except OverflowError:
        return None
    if local.year not in TZID_YEARS:
        return None
    if clock_change(date=local.date(), time=local.time(), zone_name=zone.key) is not None:
        return None
    return local


@functools.lru_cache(maxsize=256)
def _vtimezone_text(name: str, *, first_date: dt.date) -> bytes:
    """_vtimezone as text, kept by each process: it depends on the zone rules only."""
    return _vtimezone(name, first_date=first_date).to_ical()


def _vtimezone(name: str, *, first_date: dt.date) -> icalendar.Timezone:
    """The zone's rules from `first_date` to 2038 (icalendar's generator), each onset of an
    observance on an RDATE line of its own: vobject (dateutil inside) misreads one RDATE
    with a long list of dates and puts every summer event an hour off."""
    zone = icalendar.Timezone.from_tzid(name, first_date=first_date, last_date=VTIMEZONE_LAST_DATE)
    for observance in zone.subcomponents:
        listed = observance.pop("RDATE", None)
        if listed is None:
            continue
        for dates in listed if isinstance(listed, list) else [listed]:
            for onset in dates.dts:
                observance.add("rdate", onset.dt)
    return zone


def _add_repeats(event: icalendar.Event, row: dict, local_start: dt.datetime) -> None:
    """RRULE and EXDATE of a series. The stored UNTIL is the owner's wall clock; RFC 5545
    wants it in UTC next to a DTSTART with TZID. EXDATEs are written in DTSTART's own form
    (its zone, or UTC) so that every client matches them to an occurrence."""
    rule = icalendar.vRecur.from_ical(row["rrule"])
    if "UNTIL" in rule:
        until = rule["UNTIL"][0]
        until = until if isinstance(until, dt.datetime) else dt.datetime.combine(until, dt.time())
        rule["UNTIL"] = [starts_at(date=until.date(), time=until.time(), zone_name=row["timezone"])]
    event.add("rrule", rule)
    if row.get("exdates"):
        start_zone = local_start.tzinfo
        skipped = []
        for day in row["exdates"]:
            moment = starts_at(
                date=dt.date.fromisoformat(day), time=row["time"], zone_name=row["timezone"]
            )
            skipped.append(moment.astimezone(start_zone))
        event.add("exdate", skipped)


def _recurrence_id(row: dict, zone: ZoneInfo) -> dt.datetime:
    replaced = starts_at(
        date=row["recurrence_id"], time=row["recurrence_of__time"], zone_name=row["timezone"]
    )
    series_start = row["recurrence_of__starts_at"] or replaced
    form = zone if _wall_clock(series_start, zone) is not None else dt.UTC
    return replaced.astimezone(form)


def _add_alarms(event: icalendar.Event, name: str, leads: Iterable[int]) -> None:
    """A VALARM per reminder: whole days as nominal days (-P1D, the same clock time the
    day before, as the bot reminds), the rest as minutes."""
    for minutes in sorted(leads, reverse=True):
        days, rest = divmod(minutes, 1440)
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", name or "Reminder")
        alarm.add(
            "trigger", -dt.timedelta(days=days) if rest == 0 else -dt.timedelta(minutes=minutes)
        )
        event.add_component(alarm)


def _leads_of(row: dict, alarms: dict[int, list[int]]) -> tuple[int, ...]:
    if row["kind"] != "event":
        return ()
    return tuple(sorted(alarms.get(row["id"], ()), reverse=True))


# The text of each VEVENT is kept in the shared cache (settings.CACHES["ics"]) under a hash
# of everything it is made of: the entry's row and the code and zone rules that write it, so
# an edit anywhere (a row, a linked event, an organiser's zone, a deployment) is a new key and
# no process can serve an old text. Building VEVENTs with icalendar is most of a feed's cost;
# a feed polled again, or with one event changed, reads them back in a few queries.
VEVENT_CACHE = "ics"
VEVENT_CACHE_SECONDS = 14 * 24 * 3600
VEVENT_BATCH = 500
_VEVENT_BEGIN = b"BEGIN:VEVENT\r\n"


def _installed(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return ""


@functools.cache
def _writer_fingerprint() -> bytes:
    """What the VEVENT text depends on besides the row: this module's and the time zone
    helpers' code, icalendar's version and the zone rules' source."""
    digest = hashlib.sha256()
    for source in (__file__, timezones.__file__):
        digest.update(Path(source).read_bytes())
    for part in (icalendar.__version__, _installed("tzdata"), repr(zoneinfo.TZPATH)):
        digest.update(part.encode())
    return digest.digest()


def _vevent_key(row: dict, leads: tuple[int, ...]) -> str:
    digest = hashlib.sha256(_writer_fingerprint())
    digest.update(repr((sorted(row.items()), leads)).encode())
    return "vevent:" + digest.hexdigest()[:40]


def _vevent(row: dict, zone: ZoneInfo, leads: tuple[int, ...]) -> bytes:
    """One entry's VEVENT with a VALARM per lead time, without DTSTAMP (each download's own
    time, added by _vevents)."""
    start = row["starts_at"]
    finish = _end(start)
    local_start, local_end = _wall_clock(start, zone), _wall_clock(finish, zone)
    if local_start is None or local_end is None:
        local_start, local_end = start.astimezone(dt.UTC), finish.astimezone(dt.UTC)
    event = icalendar.Event()
    # An imported event goes out with the UID it came with (a calendar it is exported back
    # to finds its own event), ours with the row's id.
    if row.get("recurrence_of_id"):
        # One occurrence changed on its own: the series' UID and the occurrence
        # it replaces, in the form the series' DTSTART has (its zone, or UTC).
        own = f"{row['kind']}-{row['recurrence_of_id']}@calendar-bot"
        event.add("uid", row.get("recurrence_of__ics_uid") or own)
        event.add("recurrence-id", _recurrence_id(row, zone))
    else:
        event.add("uid", row.get("ics_uid") or f"{row['kind']}-{row['id']}@calendar-bot")
    event.add("sequence", row.get("sequence", 0))
    event.add("last-modified", row["updated_at"])
    event.add("dtstart", local_start)
    event.add("dtend", local_end)
    event.add("summary", row["name"] or "Meeting")
    if row["details"]:
        event.add("description", row["details"])
    event.add("class", "PUBLIC" if row["is_public"] else "PRIVATE")
    if row.get("rrule"):
        _add_repeats(event, row, local_start)
    _add_alarms(event, row["name"], leads)
    return event.to_ical()


def _vevents(
    entries: Iterable[dict],
    zones: dict[str, ZoneInfo],
    stamp: dt.datetime,
    alarms: dict[int, list[int]],
) -> Iterator[bytes]:
    """The entries' VEVENTs in order, a batch at a time: the cached ones read in one
    request, the others built and stored for the next download. `alarms`: an event's lead
    times (minutes) by its id, part of its text and so of its key."""
    cache = caches[VEVENT_CACHE]
    stamp_line = b"DTSTAMP:" + icalendar.vDatetime(stamp.astimezone(dt.UTC)).to_ical() + b"\r\n"
    rows = iter(entries)
    while batch := list(itertools.islice(rows, VEVENT_BATCH)):
        leads = [_leads_of(row, alarms) for row in batch]
        keys = [_vevent_key(row, own) for row, own in zip(batch, leads, strict=True)]
        kept = cache.get_many(keys)
        built = {}
        for key, row, own in zip(keys, batch, leads, strict=True):
            text = kept.get(key)
            if text is None:
                zone = zones.get(row["timezone"]) or zone_of(row["timezone"])
                text = built[key] = _vevent(row, zone, own)
            yield _VEVENT_BEGIN + stamp_line + text[len(_VEVENT_BEGIN) :]
        if built:
            cache.set_many(built, VEVENT_CACHE_SECONDS)


def ics_chunks(
    owner,
    entries: Iterable[dict],
    time_zones: dict[str, dt.date | None],
    alarms: dict[int, list[int]] | None = None,
) -> Iterator[bytes]:
    """RFC 5545 calendar built with `icalendar`, one VEVENT at a time.

    Start and end carry their TZID (the owner's zone, or the organiser's for a meeting),
    with a VTIMEZONE for each zone used from its earliest date on, as Google and Apple
    calendars expect; a moment no TZID can say the same way in every client (see
    TZID_YEARS, and the times clocks skip or repeat) is written in UTC instead.
    `time_zones`: zone name -> the earliest date written in it (selectors.calendar).
    `alarms`: own event id -> its lead times in minutes, written as VALARMs (the download
    has them; the feed does not, since Google ignores them and Apple strips them).
    """

    def parts() -> Iterator[bytes]:
        calendar = icalendar.Calendar()
        calendar.add("prodid", ICS_PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        # An X- property is not known to icalendar as text: say so, so that it is escaped.
        calendar.add("x-wr-calname", icalendar.vText(f"Calendar Bot: {owner.display_name}"))
        head = calendar.to_ical()
        # Stream the body between the calendar's own BEGIN and END lines.
        end = b"END:VCALENDAR\r\n"
        yield head[: -len(end)]
        zones = {}
        for name, earliest in time_zones.items():
            zones[name] = zone_of(name)
            first = max(earliest or timezone.localdate(), dt.date(TZID_YEARS.start, 1, 1))
            first = min(first, VTIMEZONE_LAST_DATE - dt.timedelta(days=1))
            yield _vtimezone_text(zones[name].key, first_date=first)
        yield from _vevents(entries, zones, timezone.now(), alarms or {})
        yield end

    return chunked(parts())
