"""Parsing of what people type: dates, times, ids, Telegram users.

Kept apart from the bot so the same rules serve every client. `parse_date`/`parse_time` accept
only the seed's strict formats; the bot's date and time steps use `services.natural_dates`
(phrases, relative to the user's zone) through `services.events.parse_event_when`. Every
failure is a `ValidationFailed` with a code.
"""

import datetime as dt
import re

from calendarapp.exceptions import ValidationFailed

_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")
_DATE_SHAPES = (re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$"), re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$"))
_TIME_SHAPE = re.compile(r"^(\d{1,2})[:.](\d{2})$")
MAX_ID = 2**63 - 1


def parse_date(text: str) -> dt.date:
    """Accept YYYY-MM-DD or DD.MM.YYYY; a well-shaped but impossible date gets its own code."""
    text = (text or "").strip()
    if not any(shape.match(text) for shape in _DATE_SHAPES):
        raise ValidationFailed("Expected a date as YYYY-MM-DD or DD.MM.YYYY.", code="date_format")
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationFailed("{text} is not a real date.", code="date_impossible", text=text)


def parse_time(text: str) -> dt.time:
    """Accept HH:MM (also H:MM and HH.MM)."""
    match = _TIME_SHAPE.match((text or "").strip())
    if not match:
        raise ValidationFailed("Expected a time as HH:MM.", code="time_format")
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise ValidationFailed("{text} is not a real time.", code="time_impossible", text=text)
    return dt.time(hour, minute)


def parse_id(text: str) -> int:
    """A positive integer id, as typed (`5`, `#5`)."""
    text = (text or "").strip().removeprefix("#")
    if not text.isdecimal() or not text.isascii():
        raise ValidationFailed("Expected a number.", code="id_format")
    value = int(text)
    if value > MAX_ID:  # no row can have it: "not found", not "not a number"
        shown = text if len(text) <= 30 else text[:29] + "…"
        raise ValidationFailed("No object has the number {text}.", code="id_too_large", text=shown)
    if value == 0:
        raise ValidationFailed("Expected a number.", code="id_format")
    return value
