"""A typed phrase («каждый вторник в 10:00 до 1 марта», "every 2 weeks until March") read as
a stored RRULE; every word must be understood."""

import datetime as dt
import re
from dataclasses import dataclass

from dateutil import rrule as rr
from dateutil.relativedelta import relativedelta

from calendarapp.exceptions import ValidationFailed

from .natural_dates import parse_time, parse_when
from .recurrence import CHECK_START, clean_rule, rule_text

MAX_PHRASE = 100


@dataclass(frozen=True)
class Phrase:
    rule: str  # stored RRULE text
    time: dt.time | None  # a time of day the phrase named ("в 10:00"), else None


_WEEKDAY_WORDS = [
    (r"понедельник\w*|mondays?|mon", 0),
    (r"вторник\w*|tuesdays?|tue", 1),
    (r"сред[уаыемх]\w*|wednesdays?|wed", 2),
    (r"четверг\w*|thursdays?|thu", 3),
    (r"пятниц\w*|fridays?|fri", 4),
    (r"суббот\w*|saturdays?|sat", 5),
    (r"воскресень\w*|sundays?|sun", 6),
]
_ORDINAL_WORDS = [
    (r"перв\w+|first|1st", 1),
    (r"втор(?:ой|ую|ое|ая)|second|2nd", 2),
    (r"трет(?:ий|ью|ье|ья)|third|3rd", 3),
    (r"четв[её]рт(?:ый|ую|ое|ая)|fourth|4th", 4),
    (r"последн\w+|last", -1),
]
_UNITS = [
    (r"дн\w*|день|days?", rr.DAILY),
    (r"недел\w*|weeks?", rr.WEEKLY),
    (r"месяц\w*|months?", rr.MONTHLY),
    (r"год\w*|лет|years?", rr.YEARLY),
]
_FREQUENCY_WORDS = [
    (r"каждый день|ежедневно|daily|every day|each day", rr.DAILY),
    (r"каждую неделю|еженедельно|weekly|every week|each week", rr.WEEKLY),
    (
        r"каждый месяц|каждого месяца|ежемесячно|monthly|every month|each month|of every month",
        rr.MONTHLY,
    ),
    (r"каждый год|ежегодно|yearly|annually|every year|each year", rr.YEARLY),
]
_MONTHS = [
    (r"январ\w*|january|jan", 1),
    (r"феврал\w*|february|feb", 2),
    (r"март\w*|march|mar", 3),
    (r"апрел\w*|april|apr", 4),
    (r"ма[йя]|may", 5),
    (r"июн\w*|june|jun", 6),
    (r"июл\w*|july|jul", 7),
    (r"август\w*|august|aug", 8),
    (r"сентябр\w*|september|sep|sept", 9),
    (r"октябр\w*|october|oct", 10),
    (r"ноябр\w*|november|nov", 11),
    (r"декабр\w*|december|dec", 12),
]
_W = r"(?<![\w-])"  # a word starts here (a hyphen joins "15-го" into one word)
_E = r"(?![\w-])"
_CLOCK = re.compile(_W + r"(?:в|at)?\s*(\d{1,2}[:.]\d{2}|\d{1,2}\s*(?:am|pm))" + _E)
_COUNT = re.compile(_W + r"(?:всего\s+|for\s+)?(\d{1,4})\s+(?:раз|раза|times?)" + _E)
_UNTIL = re.compile(_W + r"(?:до|until|till|through)\s+(.+)$")
_WEEKDAYS_ALL = re.compile(
    _W + r"(?:по будням|в будни|будни|по рабочим дням|каждый будний день|"
    r"(?:on |every )?weekdays|every weekday|on workdays)" + _E
)
_WEEKENDS = re.compile(_W + r"(?:по выходным|в выходные|(?:on |every )?weekends?)" + _E)
_LAST_DAY = re.compile(
    _W
    + r"(?:в )?последн(?:ий|ее) (?:день|число)( месяца)?|(?:on )?the last day( of the month)?"
    + _E
)
_INTERVAL = re.compile(
    _W
    + r"(?:каждые|каждых|каждый|каждую|раз в|every|each)\s+(\d{1,3})\s+("
    + "|".join(word for word, _unit in _UNITS)
    + r")"
    + _E
)
_MONTH_DAY = re.compile(
    _W + r"(?:on\s+)?(?:the\s+)?(\d{1,2})(?:-?(?:го|е|ое|й)|st|nd|rd|th)?(?:\s+числа)?" + _E
)
_ORDINAL = re.compile(
    _W
    + r"(?:в|во|on the|the|every|each|каждую|каждый|каждое)?\s*("
    + "|".join(word for word, _n in _ORDINAL_WORDS)
    + r")\s+("
    + "|".join(word for word, _d in _WEEKDAY_WORDS)
    + r")"
    + _E
)
_WEEKDAY = re.compile(_W + r"(" + "|".join(word for word, _d in _WEEKDAY_WORDS) + r")" + _E)
# Words that only join the others ("every Monday AND Wednesday", "15-го числа КАЖДОГО месяца").
_FILLER = {
    "и",
    "в",
    "во",
    "по",
    "на",
    "каждый",
    "каждую",
    "каждое",
    "каждые",
    "каждого",
    "месяца",
    "числа",
    "повторять",
    "повтор",
    "and",
    "on",
    "the",
    "of",
    "every",
    "each",
    "at",
    "in",
    "month",
    "repeat",
    "a",
    ",",
    "-",
}


def _value(table, word: str) -> int:
    for pattern, value in table:
        if re.fullmatch(pattern, word):
            return value
    raise KeyError(word)


def _not_understood(text: str) -> ValidationFailed:
    return ValidationFailed(
        "Could not read {text!r} as a repeat rule; try 'every monday', 'daily', "
        "'every 2 weeks until March' or 'last friday of the month'.",
        code="rrule_phrase_unknown",
        text=text[:80],
    )


def _until_date(text: str, *, today: dt.date) -> dt.date:
    """«1 марта», "March", "01.03.2027": the last day of a series. A month alone means its
    first day, the next time it comes."""
    words = text.strip(" ,.")
    month_only = re.fullmatch(r"(" + "|".join(p for p, _m in _MONTHS) + r")(?:\s+(\d{4}))?", words)
    if month_only:
        month = _value(_MONTHS, month_only[1])
        if month_only[2]:
            return dt.date(int(month_only[2]), month, 1)
        first = today + relativedelta(month=month, day=1)
        return first if first > today else first + relativedelta(years=1)
    return parse_when(text=words, now=dt.datetime.combine(today, dt.time(0, 0))).date


def parse_phrase(*, text: str, start: dt.date, today: dt.date) -> Phrase:
    """«каждый вторник в 10:00 до 1 марта», "every 2 weeks until March", "10 раз" ... as a
    stored RRULE for a series beginning on `start` (a time named in the phrase is given
    back). Every word must be understood: a phrase read in part is refused, not guessed."""
    cleaned = " ".join((text or "").lower().replace("ё", "е").split())
    if not cleaned or len(cleaned) > MAX_PHRASE:
        raise _not_understood(text or "")
    rest = cleaned
    time = count = until = None
    match = _CLOCK.search(rest)
    if match:
        time = parse_time(match[1])
        rest = rest[: match.start()] + " " + rest[match.end() :]
    match = _COUNT.search(rest)
    if match:
        count = int(match[1])
        rest = rest[: match.start()] + " " + rest[match.end() :]
    match = _UNTIL.search(rest)
    if match:
        until = _until_date(match[1], today=today)
        rest = rest[: match.start()]
    frequency = interval = month_day = None
    weekdays: list[int] = []
    nth = None

    def take(pattern: re.Pattern) -> re.Match | None:
        nonlocal rest
        found = pattern.search(rest)
        if found:
            rest = rest[: found.start()] + " " + rest[found.end() :]
        return found

    if take(_WEEKDAYS_ALL):
        frequency, weekdays = rr.WEEKLY, [0, 1, 2, 3, 4]
    elif take(_WEEKENDS):
        frequency, weekdays = rr.WEEKLY, [5, 6]
    if take(_LAST_DAY):
        frequency, month_day = rr.MONTHLY, -1
    match = take(_ORDINAL)
    if match:
        nth = (_value(_ORDINAL_WORDS, match[1]), _value(_WEEKDAY_WORDS, match[2]))
        frequency = rr.MONTHLY
    match = take(_INTERVAL)
    if match:
        interval, frequency = int(match[1]), _value(_UNITS, match[2])
    for pattern, value in _FREQUENCY_WORDS:
        if take(re.compile(_W + r"(?:" + pattern + r")" + _E)):
            frequency = frequency if nth or month_day else value
    while match := take(_WEEKDAY):
        weekdays.append(_value(_WEEKDAY_WORDS, match[1]))
        frequency = frequency or rr.WEEKLY
    match = take(_MONTH_DAY)
    if match and frequency in (None, rr.MONTHLY):
        month_day, frequency = int(match[1]), rr.MONTHLY
    elif match:
        raise _not_understood(text)
    leftover = [word for word in re.split(r"[\s,]+", rest) if word and word not in _FILLER]
    if leftover or frequency is None:
        raise _not_understood(text)
    if weekdays and frequency not in (rr.WEEKLY, rr.DAILY):
        raise _not_understood(text)
    options = {"freq": frequency, "interval": interval or 1, "dtstart": CHECK_START}
    if weekdays:
        options["byweekday"] = sorted(set(weekdays))
        options["freq"] = rr.WEEKLY
    if nth:
        options["byweekday"] = [rr.weekday(nth[1], nth[0])]
    if month_day is not None:
        if not (1 <= month_day <= 31 or month_day == -1):
            raise _not_understood(text)
        options["bymonthday"] = month_day
    if count is not None:
        options["count"] = count
    if until is not None:
        if until < start:
            raise ValidationFailed(
                "The series would end on {date}, before it begins.",
                code="rrule_until_past",
                date=until,
            )
        options["until"] = dt.datetime.combine(until, dt.time(23, 59, 59))
    try:
        rule = rr.rrule(**options)
    except ValueError:
        raise _not_understood(text) from None
    return Phrase(rule=clean_rule(rule_text(rule)), time=time)


def looks_like_repeat(text: str) -> bool:
    """Whether a typed date is meant as a series («каждый вторник в 10:00», "every monday")."""
    lowered = (text or "").lower()
    return bool(
        re.search(
            r"кажд|ежедн|еженед|ежемес|ежегод|по будням|по выходным|every|daily|weekly|"
            r"monthly|yearly|annually|weekdays|weekends|по (?:понедельник|вторник|сред|четверг"
            r"|пятниц|суббот|воскресень)\w*ам",
            lowered,
        )
    )
