"""Understand the dates and times people type: "2026-12-25", "25.12", "завтра в 15:00",
"в пятницу", "через 2 часа", "tomorrow 15:00", "next monday".

Exact numeric formats are read first (so "01.12.2026" is always the 1st of December); the
rest goes to `dateparser` (Russian and English), relative to the user's own "now".
"""

import datetime as dt
import re
from dataclasses import dataclass

from dateparser.date import DateDataParser

from calendarapp.exceptions import ValidationFailed

MAX_INPUT = 100
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOTTED_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")  # "18:30", "9.05", or a bare hour "9"
_CLOCK = re.compile(r"(?<![\d:.])(\d{1,2}):(\d{2})(?![\d:])")  # "18:30" inside a phrase
# Two bases a phrase is read against to tell a bare time of day ("в 9:00", "3pm": the same
# day and time from both) from one that names a day or counts from now ("next friday 12:30",
# "через 2 часа"); the second base is a plain morning hour so no typed time equals it.
_TIME_OF_DAY_BASES = (dt.datetime(2000, 1, 1), dt.datetime(2000, 1, 1, 5, 17))
_TODAY_WORDS = re.compile(r"\b(сегодня|today|tonight)\b", re.IGNORECASE)  # the base's own day
# dateparser does not know "следующий понедельник"; "понедельник" with future preference
# means the same thing.
_NEXT_WORDS = re.compile(r"\b(следующ\w*|ближайш\w*|next|this|coming)\b", re.IGNORECASE)


@dataclass(frozen=True)
class When:
    date: dt.date
    time: dt.time | None  # None when the text named only a day


def _bad_date(text: str) -> ValidationFailed:
    return ValidationFailed(
        "Cannot understand the date {text!r}.", code="date_invalid", text=text[:MAX_INPUT]
    )


def _bad_time(text: str) -> ValidationFailed:
    return ValidationFailed(
        "Cannot understand the time {text!r}.", code="time_invalid", text=text[:MAX_INPUT]
    )


def _refuse_impossible_clock(text: str) -> None:
    """ "25:99" is shaped like a time but none exists: say so rather than drop or misread it."""
    for match in _CLOCK.finditer(text):
        if int(match[1]) > 23 or int(match[2]) > 59:
            raise ValidationFailed(
                "{text} is not a real time.", code="time_impossible", text=match[0]
            )


def _cleaned(text: str) -> str:
    return " ".join((text or "").split())


def _exact_date(*, text: str, today: dt.date) -> dt.date | None:
    try:
        if match := _ISO_DATE.match(text):
            year, month, day = map(int, match.groups())
            return dt.date(year, month, day)
        if match := _DOTTED_DATE.match(text):
            day, month, year = match.groups()
            if year is None:
                candidate = dt.date(today.year, int(month), int(day))
                return candidate if candidate >= today else candidate.replace(year=today.year + 1)
            year = int(year) + (2000 if len(year) == 2 else 0)
            return dt.date(year, int(month), int(day))
    except ValueError:
        raise _bad_date(text) from None  # 31.02, month 13: a date that does not exist
    return None


def parse_time(text: str) -> dt.time:
    """A time of day: "15:30", "9.05", "9" (an hour), or a phrase like "в 15:00", "3pm"."""
    cleaned = _cleaned(text)
    if not cleaned or len(cleaned) > MAX_INPUT:
        raise _bad_time(cleaned)
    _refuse_impossible_clock(cleaned)
    if match := _TIME.match(cleaned):
        hours, minutes = int(match[1]), int(match[2] or 0)
        if hours > 23 or minutes > 59:
            raise _bad_time(cleaned)
        return dt.time(hours, minutes)
    when = _parse_phrase(text=cleaned, base=dt.datetime(2000, 1, 1))
    if when is None or when.time is None:
        raise _bad_time(cleaned)
    return when.time


def parse_when(*, text: str, now: dt.datetime) -> When:
    """A day, possibly with a time, relative to `now` (the user's wall-clock time)."""
    cleaned = _cleaned(text)
    if not cleaned or len(cleaned) > MAX_INPUT:
        raise _bad_date(cleaned)
    _refuse_impossible_clock(cleaned)
    exact = _exact_date(text=cleaned, today=now.date())
    if exact is not None:
        return When(exact, None)
    when = _parse_phrase(text=cleaned, base=now.replace(tzinfo=None))
    if when is None:
        raise _bad_date(cleaned)
    return when


def parse_time_on(*, text: str, date: dt.date, now: dt.datetime) -> When:
    """The time step of a dialog whose day is already chosen.

    A time of day ("18:30", "в 9:00", "3pm") keeps `date`; a phrase that names a day as well
    ("next friday 12:30") or counts from now ("через 2 часа") is read relative to `now` and
    moves the day, so nothing typed is dropped. A day without a time is not an answer here.
    """
    time = parse_time(text)  # refuses what is no time at all, and impossible times
    cleaned = _cleaned(text)
    if _TIME.match(cleaned):
        return When(date, time)
    first_base = _TIME_OF_DAY_BASES[0]
    first, second = (_parse_phrase(text=cleaned, base=base) for base in _TIME_OF_DAY_BASES)
    same_day = first.date == first_base.date() and not _TODAY_WORDS.search(cleaned)
    if same_day and second is not None and second.time == first.time:
        return When(date, time)
    when = _parse_phrase(text=cleaned, base=now.replace(tzinfo=None))
    if when is None or when.time is None:
        raise _bad_time(cleaned)
    return when


def _parse_phrase(*, text: str, base: dt.datetime) -> When | None:
    parser = DateDataParser(
        languages=["ru", "en"],
        settings={
            "PREFER_DATES_FROM": "future",
            # dateparser reports a typed time only if it changes the base ("today at 18:30"
            # typed at 18:30:00.000 would come back as a bare day); typed times never carry
            # microseconds, so a base with one always differs.
            "RELATIVE_BASE": base.replace(microsecond=1),
            "DATE_ORDER": "DMY",
            "RETURN_TIME_AS_PERIOD": True,
        },
    )
    phrase = _NEXT_WORDS.sub(" ", text).strip() or text
    data = parser.get_date_data(phrase)
    if data.date_obj is None:
        return None
    moment = data.date_obj.replace(tzinfo=None)
    has_time = data.period == "time"
    return When(moment.date(), moment.time().replace(second=0, microsecond=0) if has_time else None)
