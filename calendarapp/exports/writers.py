"""Calendar rows to bytes, one chunk at a time, for StreamingHttpResponse.

Each writer takes the owner and an iterator of entries (`selectors.calendar`) and yields
bytes; rows are buffered into chunks of about 64 KiB so a long calendar is a few hundred
writes, not one per row.
"""

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

import icalendar
from django.utils import timezone

from calendarapp.timezones import clock_change, starts_at, zone_of

CHUNK_BYTES = 64 * 1024
CSV_ENCODING = "cp1251"
CSV_COLUMNS = [
    "type",
    "id",
    "name",
    "date",
    "time",
    "timezone",
    "details",
    "public",
    "organizer_tg_id",
    # Last, so that readers of the older columns by position keep working.
    "start_utc",
    "rrule",
]
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


def _utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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


# Cells starting like a formula would run in Excel (CSV injection); a leading apostrophe
# makes Excel show them as text.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like target for csv.writer that hands back the formatted line."""

    def write(self, value: str) -> str:
        return value


def _chunked(parts: Iterable[bytes]) -> Iterator[bytes]:
    buffer, size = [], 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= CHUNK_BYTES:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


def _excel_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


def csv_chunks(owner, entries: Iterable[dict]) -> Iterator[bytes]:
    """Excel-friendly CSV: cp1251, `sep=;` first, `;` between cells, CRLF line ends.

    Characters cp1251 lacks (emoji, CJK) become `?` instead of failing the download.
    """
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")

    def encode(line: str) -> bytes:
        return line.encode(CSV_ENCODING, errors="replace")

    def lines() -> Iterator[bytes]:
        yield encode("sep=;\r\n")
        yield encode(writer.writerow(CSV_COLUMNS))
        for row in entries:
            yield encode(
                writer.writerow(
                    [
                        row["kind"],
                        row["id"],
                        _excel_text(row["name"]),
                        row["date"].isoformat(),
                        row["time"].strftime("%H:%M"),
                        row["timezone"],
                        _excel_text(row["details"]),
                        "yes" if row["is_public"] else "no",
                        row["organizer_tg_id"],
                        _utc_text(row["starts_at"]),
                        row.get("rrule", ""),
                    ]
                )
            )

    return _chunked(lines())


def json_chunks(owner, entries: Iterable[dict]) -> Iterator[bytes]:
    """UTF-8 JSON: `{"tg_user_id", "timezone", "exported_at", "events": [...]}`."""

    def parts() -> Iterator[bytes]:
        head = {
            "tg_user_id": owner.pk,
            "timezone": owner.timezone,
            "exported_at": timezone.now().isoformat(),
        }
        yield json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "events": ['
        separator = b""
        for row in entries:
            item = {
                "type": row["kind"],
                "id": row["id"],
                "name": row["name"],
                "date": row["date"].isoformat(),
                "time": row["time"].strftime("%H:%M"),
                "timezone": row["timezone"],
                "start_utc": _utc_text(row["starts_at"]),
                "details": row["details"],
                "is_public": row["is_public"],
                "organizer_tg_id": row["organizer_tg_id"],
                "rrule": row.get("rrule", ""),
            }
            yield separator + json.dumps(item, ensure_ascii=False).encode()
            separator = b", "
        yield b"]}\n"

    return _chunked(parts())


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
            yield _vtimezone(zones[name].key, first_date=first).to_ical()
        stamp = timezone.now()
        for row in entries:
            zone = zones.get(row["timezone"]) or zone_of(row["timezone"])
            start = row["starts_at"]
            finish = _end(start)
            local_start, local_end = _wall_clock(start, zone), _wall_clock(finish, zone)
            if local_start is None or local_end is None:
                local_start, local_end = start.astimezone(dt.UTC), finish.astimezone(dt.UTC)
            event = icalendar.Event()
            if row.get("recurrence_of_id"):
                # One occurrence changed on its own: the series' UID and the occurrence
                # it replaces, in the form the series' DTSTART has (its zone, or UTC).
                event.add("uid", f"{row['kind']}-{row['recurrence_of_id']}@calendar-bot")
                event.add("recurrence-id", _recurrence_id(row, zone))
            else:
                event.add("uid", f"{row['kind']}-{row['id']}@calendar-bot")
            event.add("sequence", row.get("sequence", 0))
            event.add("dtstamp", stamp)
            event.add("last-modified", row["updated_at"])
            event.add("dtstart", local_start)
            event.add("dtend", local_end)
            event.add("summary", row["name"] or "Meeting")
            if row["details"]:
                event.add("description", row["details"])
            event.add("class", "PUBLIC" if row["is_public"] else "PRIVATE")
            if row.get("rrule"):
                _add_repeats(event, row, local_start)
            if alarms and row["kind"] == "event" and row["id"] in alarms:
                _add_alarms(event, row["name"], alarms[row["id"]])
            yield event.to_ical()
        yield end

    return _chunked(parts())
