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
]
ICS_PRODID = "-//Calendar Bot//calendarapp//EN"
ICS_DEFAULT_DURATION = dt.timedelta(hours=1)


def _end(start: dt.datetime) -> dt.datetime:
    """An hour later; on the calendar's very last day (an event stored before dates were
    limited, or made in the admin), the end of that day."""
    try:
        return start + ICS_DEFAULT_DURATION
    except OverflowError:
        return start.replace(hour=23, minute=59, second=59)


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
                "details": row["details"],
                "is_public": row["is_public"],
                "organizer_tg_id": row["organizer_tg_id"],
            }
            yield separator + json.dumps(item, ensure_ascii=False).encode()
            separator = b", "
        yield b"]}\n"

    return _chunked(parts())


def ics_chunks(owner, entries: Iterable[dict], time_zones: Iterable[str]) -> Iterator[bytes]:
    """RFC 5545 calendar built with `icalendar`, one VEVENT at a time.

    Start times carry their TZID (the owner's zone, or the organiser's for a meeting) and
    the calendar holds a VTIMEZONE for each zone used, as Google and Apple calendars expect.
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
        for name in time_zones:
            zones[name] = ZoneInfo(name)
            yield icalendar.Timezone.from_tzid(name).to_ical()
        stamp = timezone.now()
        for row in entries:
            zone = zones.get(row["timezone"]) or ZoneInfo(row["timezone"])
            start = dt.datetime.combine(row["date"], row["time"], tzinfo=zone)
            event = icalendar.Event()
            event.add("uid", f"{row['kind']}-{row['id']}@calendar-bot")
            event.add("dtstamp", stamp)
            event.add("last-modified", row["updated_at"])
            event.add("dtstart", start)
            event.add("dtend", _end(start))
            event.add("summary", row["name"] or "Meeting")
            if row["details"]:
                event.add("description", row["details"])
            event.add("class", "PUBLIC" if row["is_public"] else "PRIVATE")
            yield event.to_ical()
        yield end

    return _chunked(parts())
