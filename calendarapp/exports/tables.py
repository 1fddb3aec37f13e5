"""Calendar rows as CSV and JSON bytes, one chunk at a time, for StreamingHttpResponse.

Each writer takes the owner and an iterator of entries (`selectors.calendar`) and yields
bytes; rows are buffered into chunks of about 64 KiB so a long calendar is a few hundred
writes, not one per row. The iCalendar writer is writers.py.
"""

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator

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
    # Last, so that readers of the older columns by position keep working.
    "start_utc",
    "rrule",
]


def _utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# Cells starting like a formula would run in Excel (CSV injection); a leading apostrophe
# makes Excel show them as text.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like target for csv.writer that hands back the formatted line."""

    def write(self, value: str) -> str:
        return value


def chunked(parts: Iterable[bytes]) -> Iterator[bytes]:
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

    return chunked(lines())


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

    return chunked(parts())
