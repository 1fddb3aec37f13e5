"""A stored rule said back in the active language: «каждый вторник в 10:00, до 01.03.2027»."""

import datetime as dt
import re

from django.utils.translation import gettext as _

from .recurrence import parts

_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


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
