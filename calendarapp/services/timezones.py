"""Time zones: IANA names, typed as names or as cities."""

import datetime as dt
import zoneinfo
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings

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


def aware(*, date: dt.date, time: dt.time, zone_name: str) -> dt.datetime:
    return dt.datetime.combine(date, time, tzinfo=zone_of(zone_name))
