"""Repeating events: RFC 5545 RRULE text, checked, expanded, read from phrases and said back.

A series is an Event whose `rrule` is set: its date and time are the first occurrence
(DTSTART), the rule's UNTIL is a wall-clock moment of the owner's zone, and `exdates` are
the wall-clock days whose occurrence is cancelled. Expansion works on wall clocks (naive
datetimes) with python-dateutil and turns each occurrence into an instant only at the end,
so a weekly 10:00 stays 10:00 across daylight-saving changes.
"""

import datetime as dt
import re
from dataclasses import dataclass

from dateutil import rrule as rr
from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import RRULE_MAX_LENGTH

from .natural_dates import parse_time, parse_when

# Finer frequencies would make a calendar of thousands of entries a day; COUNT and INTERVAL
# are bounded so that a rule always expands in bounded time.
ALLOWED_FREQUENCIES = {rr.DAILY, rr.WEEKLY, rr.MONTHLY, rr.YEARLY}
MAX_COUNT = 1000
MAX_INTERVAL = 100
MAX_PHRASE = 100
# How far a series is looked at for "the next occurrences" when nothing else bounds it.
LOOKAHEAD = dt.timedelta(days=366 * 5)

_CHECK_START = dt.datetime(2000, 1, 3, 12, 0)  # any naive moment: rules are stored without it
_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _refuse(text: str, code: str = "rrule_invalid") -> ValidationFailed:
    return ValidationFailed(
        "The repeat rule {text!r} is not a valid RFC 5545 RRULE.", code=code, text=text[:80]
    )


def _parse(text: str, dtstart: dt.datetime) -> rr.rrule:
    try:
        rule = rr.rrulestr(text, dtstart=dtstart, forceset=False)
    except (ValueError, TypeError, IndexError, KeyError, OverflowError):
        raise _refuse(text) from None
    if not isinstance(rule, rr.rrule):
        raise _refuse(text)
    return rule


def clean_rule(text: str, *, zone_name: str | None = None) -> str:
    """A typed or sent RRULE ("FREQ=WEEKLY;BYDAY=TU", with or without "RRULE:") as stored:
    dateutil's own text of it, without DTSTART. "" stays "" (a one-off event).

    Refused with a reason: what dateutil cannot read, frequencies finer than a day, more
    than MAX_COUNT occurrences, an interval over MAX_INTERVAL. A UTC UNTIL ("...Z") is
    turned into the owner's wall clock."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    if len(text) > RRULE_MAX_LENGTH:
        raise _refuse(text, "rrule_too_long")
    body = text[len("RRULE:") :] if text.upper().startswith("RRULE:") else text
    if ":" in body or "\n" in body:  # DTSTART, EXDATE and friends belong to the event
        raise _refuse(text)
    try:
        rule = _parse(body, _CHECK_START)
    except ValidationFailed:
        # dateutil wants a UTC UNTIL with an aware start only: read it that way, then say
        # it on the owner's clock, as every stored rule does.
        rule = _parse(body, _CHECK_START.replace(tzinfo=dt.UTC))
        until = rule._until
        if until is None:
            raise
        from calendarapp.timezones import zone_of

        local = until.astimezone(zone_of(zone_name or "UTC")).replace(tzinfo=None)
        rule = rule.replace(dtstart=_CHECK_START, until=local)
    several_a_day = any(
        len(part or ()) > 1 for part in (rule._byhour, rule._byminute, rule._bysecond)
    )
    if rule._freq not in ALLOWED_FREQUENCIES or several_a_day:
        raise ValidationFailed(
            "Events repeat at most daily; {text!r} repeats more often.",
            code="rrule_too_frequent",
            text=text[:80],
        )
    if rule._count is not None and not 1 <= rule._count <= MAX_COUNT:
        raise ValidationFailed(
            "A series has at most {limit} occurrences.", code="rrule_count", limit=MAX_COUNT
        )
    if not 1 <= rule._interval <= MAX_INTERVAL:
        raise ValidationFailed(
            "The interval of a series is from 1 to {limit}.",
            code="rrule_interval",
            limit=MAX_INTERVAL,
        )
    return _rule_text(rule)


def _rule_text(rule: rr.rrule) -> str:
    lines = [line for line in str(rule).splitlines() if line.startswith("RRULE:")]
    return lines[0][len("RRULE:") :]


def parts(rule: str) -> dict[str, str]:
    """FREQ=WEEKLY;BYDAY=TU -> {"FREQ": "WEEKLY", "BYDAY": "TU"}."""
    return dict(part.split("=", 1) for part in rule.split(";") if "=" in part)


def series(*, rule: str, date: dt.date, time: dt.time, exdates=()) -> rr.rruleset:
    """The occurrences (naive wall-clock datetimes) of a stored rule starting at date/time."""
    start = dt.datetime.combine(date, time.replace(tzinfo=None))
    occurrences = rr.rruleset(cache=False)
    occurrences.rrule(rr.rrulestr(rule, dtstart=start))
    for day in exdates:
        occurrences.exdate(dt.datetime.combine(dt.date.fromisoformat(day), start.time()))
    return occurrences


def occurrences_between(
    *, rule: str, date: dt.date, time: dt.time, exdates=(), first: dt.datetime, last: dt.datetime
) -> list[dt.datetime]:
    """Wall-clock occurrences from `first` to `last` (inclusive, naive)."""
    return series(rule=rule, date=date, time=time, exdates=exdates).between(first, last, inc=True)


def next_occurrences(
    *, rule: str, date: dt.date, time: dt.time, exdates=(), after: dt.datetime, count: int = 3
) -> list[dt.datetime]:
    """Up to `count` wall-clock occurrences at or after `after` (naive)."""
    found = []
    for moment in series(rule=rule, date=date, time=time, exdates=exdates).xafter(
        after, count=count, inc=True
    ):
        found.append(moment)
    return found


def next_occurrences_kept(
    *,
    rule: str,
    date: dt.date,
    time: dt.time,
    exdates=(),
    overrides=(),
    after: dt.datetime,
    count: int = 3,
) -> list[dt.datetime]:
    """next_occurrences with the series' overrides in place: each of `overrides` (the day
    it stands in for, its own date and time) replaces that day's occurrence, at its own
    moment."""
    replaced = [day.isoformat() for day, _date, _time in overrides]
    found = next_occurrences(
        rule=rule, date=date, time=time, exdates=[*exdates, *replaced], after=after, count=count
    )
    moved = [dt.datetime.combine(day, at) for _replaced, day, at in overrides]
    return sorted([*found, *(moment for moment in moved if moment >= after)])[:count]


def first_on_or_after(*, rule: str, date: dt.date, time: dt.time) -> dt.date | None:
    """The day a rule first falls on at or after `date` (None: it never does): DTSTART must
    be an occurrence itself (RFC 5545 leaves a series with a stray DTSTART undefined)."""
    start = dt.datetime.combine(date, time.replace(tzinfo=None))
    moment = rr.rrulestr(rule, dtstart=start).after(start, inc=True)
    return None if moment is None else moment.date()


# --- phrases ------------------------------------------------------------------------------


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
    options = {"freq": frequency, "interval": interval or 1, "dtstart": _CHECK_START}
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
                date=until.isoformat(),
            )
        options["until"] = dt.datetime.combine(until, dt.time(23, 59, 59))
    try:
        rule = rr.rrule(**options)
    except ValueError:
        raise _not_understood(text) from None
    return Phrase(rule=clean_rule(_rule_text(rule)), time=time)


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


# --- words --------------------------------------------------------------------------------


def _every_weekday(day: int) -> str:
    return [
        _("каждый понедельник"),
        _("каждый вторник"),
        _("каждую среду"),
        _("каждый четверг"),
        _("каждую пятницу"),
        _("каждую субботу"),
        _("каждое воскресенье"),
    ][day]


def _on_weekdays(days: list[int]) -> str:
    names = [
        _("понедельникам"),
        _("вторникам"),
        _("средам"),
        _("четвергам"),
        _("пятницам"),
        _("субботам"),
        _("воскресеньям"),
    ]
    listed = [names[day] for day in days]
    joined = (
        listed[0]
        if len(listed) == 1
        else _("{some} и {last}").format(some=", ".join(listed[:-1]), last=listed[-1])
    )
    return _("по {days}").format(days=joined)


def _nth_weekday(n: int, day: int) -> str:
    # The ordinal agrees with the weekday's gender (вторник, среда, воскресенье).
    gender = {2: 1, 4: 1, 5: 1, 6: 2}.get(day, 0)
    ordinals = {
        1: (_("в первый"), _("в первую"), _("в первое")),
        2: (_("во второй"), _("во вторую"), _("во второе")),
        3: (_("в третий"), _("в третью"), _("в третье")),
        4: (_("в четвёртый"), _("в четвёртую"), _("в четвёртое")),
        -1: (_("в последний"), _("в последнюю"), _("в последнее")),
    }
    names = [
        _("понедельник"),
        _("вторник"),
        _("среду"),
        _("четверг"),
        _("пятницу"),
        _("субботу"),
        _("воскресенье"),
    ]
    if n not in ordinals:
        return ""
    return _("{ordinal} {weekday} месяца").format(ordinal=ordinals[n][gender], weekday=names[day])


def _weekday_list(byday: str) -> list[int] | None:
    codes = byday.split(",")
    if not all(code in _WEEKDAY_CODES for code in codes):
        return None
    return sorted(_WEEKDAY_CODES.index(code) for code in codes)


def _base(rule: dict[str, str], start: dt.date) -> str | None:
    frequency, interval = rule.get("FREQ"), int(rule.get("INTERVAL", "1"))
    known = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL", "WKST"}
    if set(rule) - known:
        return None
    byday, monthday = rule.get("BYDAY"), rule.get("BYMONTHDAY")
    if frequency == "DAILY" and not byday and not monthday:
        if interval == 1:
            return _("каждый день")
        return _("каждый {n}-й день").format(n=interval)
    if frequency == "WEEKLY" and not monthday:
        days = _weekday_list(byday) if byday else [start.weekday()]
        if days is None:
            return None
        if interval == 1:
            if days == [0, 1, 2, 3, 4]:
                return _("по будням")
            if days == [5, 6]:
                return _("по выходным")
            if len(days) == 1:
                return _every_weekday(days[0])
            return _on_weekdays(days)
        return _("каждую {n}-ю неделю {days}").format(n=interval, days=_on_weekdays(days))
    if frequency == "MONTHLY":
        match = re.fullmatch(r"([+-]?\d)(MO|TU|WE|TH|FR|SA|SU)", byday or "")
        if (byday and not match) or (byday and monthday):
            return None
        if match:
            what = _nth_weekday(int(match[1]), _WEEKDAY_CODES.index(match[2]))
            if not what:
                return None
        else:
            day = int(monthday) if monthday else start.day
            if monthday and "," in monthday:
                return None
            if day == -1:
                what = _("в последний день месяца")
            elif day > 0:
                what = _("{day}-го числа").format(day=day)
            else:
                return None
        if interval == 1:
            # «в последнюю пятницу месяца» already says "every month"
            return what if match or day == -1 else _("каждый месяц {what}").format(what=what)
        return _("каждый {n}-й месяц: {what}").format(n=interval, what=what)
    if frequency == "YEARLY" and not byday and not monthday:
        day = start.strftime("%d.%m")
        if interval == 1:
            return _("каждый год {day}").format(day=day)
        return _("каждый {n}-й год {day}").format(n=interval, day=day)
    return None


def describe(rule: str, *, start: dt.date, time: dt.time | None = None) -> str:
    """A stored rule in the active language: «каждый вторник в 10:00, до 01.03.2027»."""
    if not rule:
        return ""
    fields = parts(rule)
    words = _base(fields, start) or _("по правилу {rule}").format(rule=rule)
    if time is not None:
        words = _("{rule} в {time}").format(rule=words, time=time.strftime("%H:%M"))
    if "UNTIL" in fields:
        until = dt.datetime.strptime(fields["UNTIL"][:8], "%Y%m%d").date()
        words = _("{rule}, до {date}").format(rule=words, date=until.strftime("%d.%m.%Y"))
    if "COUNT" in fields:
        words = _("{rule}, повторений: {count}").format(rule=words, count=fields["COUNT"])
    return words
