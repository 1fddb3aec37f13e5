"""Time zones: IANA names, typed as names or as cities, and the wall clock a person reads.

Pure functions (no database), so that models, selectors and services alike may use them."""

import datetime as dt
import re
import zoneinfo
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from calendarapp.exceptions import ValidationFailed

# Cities people type in Russian, mapped to their zones (English names resolve by IANA key).
RUSSIAN_CITIES = {
    "москва": "Europe/Moscow",
    "санкт-петербург": "Europe/Moscow",
    "петербург": "Europe/Moscow",
    "спб": "Europe/Moscow",
    "казань": "Europe/Moscow",
    "калининград": "Europe/Kaliningrad",
    "самара": "Europe/Samara",
    "екатеринбург": "Asia/Yekaterinburg",
    "челябинск": "Asia/Yekaterinburg",
    "омск": "Asia/Omsk",
    "новосибирск": "Asia/Novosibirsk",
    "красноярск": "Asia/Krasnoyarsk",
    "иркутск": "Asia/Irkutsk",
    "якутск": "Asia/Yakutsk",
    "владивосток": "Asia/Vladivostok",
    "магадан": "Asia/Magadan",
    "камчатка": "Asia/Kamchatka",
    "минск": "Europe/Minsk",
    "киев": "Europe/Kyiv",
    "алматы": "Asia/Almaty",
    "ташкент": "Asia/Tashkent",
    "тбилиси": "Asia/Tbilisi",
    "ереван": "Asia/Yerevan",
    "баку": "Asia/Baku",
    "берлин": "Europe/Berlin",
    "лондон": "Europe/London",
    "париж": "Europe/Paris",
    "нью-йорк": "America/New_York",
    "дубай": "Asia/Dubai",
    "стамбул": "Europe/Istanbul",
}

# Offered as buttons by the bot.
COMMON_TIMEZONES = [
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Novosibirsk",
    "Asia/Vladivostok",
    "Europe/Minsk",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
]


# "UTC+3", "GMT-5", "+3", "utc +03:00": what the buttons show next to each city.
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?$")
_ETC_ZONE = re.compile(r"^Etc/GMT([+-])(\d{1,2})$")


def _offset_zone(key: str, text: str) -> str | None:
    """A fixed offset -> its IANA zone. Etc/GMT names invert the sign (POSIX style):
    UTC+3 is Etc/GMT-3. None if `key` is no offset."""
    match = _OFFSET.match(key)
    if match is None:
        return None
    sign, hours, minutes = match[1], int(match[2]), int(match[3] or 0)
    if minutes:  # Etc zones exist for whole hours only; a city names such zones
        raise ValidationFailed(
            "Offset {text} is not a whole hour; name a city instead.",
            code="timezone_offset_minutes",
            text=text[:64],
        )
    east = sign == "+"
    if hours == 0:
        return "UTC"
    if hours > (14 if east else 12):
        return None
    return f"Etc/GMT{'-' if east else '+'}{hours}"


def offset_name(name: str) -> str:
    """How a zone reads to people: Etc/GMT-3 as UTC+3 (the inverse of the sign above);
    other zones by their IANA name."""
    match = _ETC_ZONE.match(name or "")
    if match is None:
        return name
    return f"UTC{'-' if match[1] == '+' else '+'}{int(match[2])}"


@cache
def _zones_by_lowercase() -> dict[str, str]:
    zones = {}
    for name in zoneinfo.available_timezones():
        zones[name.lower()] = name
        city = name.rsplit("/", 1)[-1].replace("_", " ").lower()
        zones.setdefault(city, name)
    return zones


def resolve_timezone(text: str) -> str:
    """Turn 'Europe/Berlin', 'berlin', 'New York' or 'Москва' into an IANA zone name."""
    key = " ".join((text or "").split()).lower()
    name = _offset_zone(key, text)
    if name:
        return name
    name = RUSSIAN_CITIES.get(key) or _zones_by_lowercase().get(key.replace(" ", "_"))
    name = name or _zones_by_lowercase().get(key)
    if not name:
        raise ValidationFailed(
            "Unknown time zone {text!r}; use a name like Europe/Berlin or a city.",
            code="timezone_unknown",
            text=(text or "")[:64],
        )
    return name


def zone_of(name: str) -> ZoneInfo:
    """The user's zone, falling back to the server's zone for a broken name."""
    try:
        return ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def user_now(user) -> dt.datetime:
    """The current wall-clock time in the user's zone (falls back to the server's zone)."""
    return timezone.now().astimezone(zone_of(user.timezone))


def aware(*, date: dt.date, time: dt.time, zone_name: str) -> dt.datetime:
    return dt.datetime.combine(date, time, tzinfo=zone_of(zone_name))


def in_zone(*, date: dt.date, time: dt.time, written_in: str, read_in: str) -> dt.datetime:
    """A wall-clock moment of one zone as the clock of another shows it."""
    return aware(date=date, time=time, zone_name=written_in).astimezone(zone_of(read_in))


def clock_change(*, date: dt.date, time: dt.time, zone_name: str) -> tuple[str, dt.datetime] | None:
    """Whether the zone's clocks change over this wall-clock time that day, and the instant
    the calendar gives it (RFC 5545, 3.3.5, as zoneinfo's fold=0 reads it):
    ("gap", instant): the time does not exist (clocks jump over it); it means the moment as
    many minutes after the jump, so 02:30 on a spring-forward day is 03:30;
    ("fold", instant): it happens twice (clocks go back); it means the first time;
    None: an ordinary time."""
    zone = zone_of(zone_name)
    first = dt.datetime.combine(date, time, tzinfo=zone)
    if first.utcoffset() == first.replace(fold=1).utcoffset():
        return None
    instant = first.astimezone(dt.UTC).astimezone(zone)
    kind = "fold" if instant.replace(tzinfo=None) == first.replace(tzinfo=None) else "gap"
    return kind, instant


def starts_at(*, date: dt.date, time: dt.time, zone_name: str) -> dt.datetime:
    """The instant (UTC) a wall-clock date and time of a zone mean: RFC 5545's reading, the
    one `clock_change` explains (a skipped time is as many minutes after the jump; a
    repeated one is the first). Rows are sorted and exported by it.

    The calendar's very last or first day in a zone east or west of UTC has no instant a
    datetime can hold: the wall clock is then taken as UTC."""
    moment = aware(date=date, time=time, zone_name=zone_name)
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        return moment.replace(tzinfo=dt.UTC)
