"""The calendar's date rules, shared by events and meetings: the range a date must lie in
(from 1900 to a hundred years ahead), and that a new event's moment must not have passed
(on the person's own clock)."""

import datetime as dt

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import EARLIEST_DATE, TgUser
from calendarapp.timezones import user_now

MAX_YEARS_AHEAD = 100


def ensure_date_in_range(*, user: TgUser, date: dt.date) -> None:
    """A calendar has no use for the year 9999, and its last day breaks date arithmetic
    (an hour's event, a zone's offset to UTC run past the largest datetime). Nor for a
    meeting before 1900 (a past meeting may be recorded, but not in the year 1): zones then
    kept local mean time, which calendar programs read differently or not at all."""
    if date < EARLIEST_DATE:
        raise ValidationFailed(
            "{date} is too early; the earliest date is {earliest}.",
            code="date_too_early",
            date=date,
            earliest=EARLIEST_DATE,
        )
    today = user_now(user).date()
    latest = dt.date(min(today.year + MAX_YEARS_AHEAD, dt.MAXYEAR - 1), 12, 31)
    if date > latest:
        raise ValidationFailed(
            "{date} is too far ahead; the latest date is {latest}.",
            code="date_too_far",
            date=date,
            latest=latest,
        )


def ensure_not_past(*, user: TgUser, date: dt.date, time: dt.time) -> None:
    ensure_date_in_range(user=user, date=date)
    now = user_now(user)
    if dt.datetime.combine(date, time) < now.replace(tzinfo=None, second=0, microsecond=0):
        raise ValidationFailed(
            "{date} {time} is in the past.", code="in_past", date=date, time=time
        )


def ensure_date_not_past(*, user: TgUser, date: dt.date) -> None:
    """A dialog asks the date before the time: refuse a day that is already over."""
    ensure_date_in_range(user=user, date=date)
    if date < user_now(user).date():
        raise ValidationFailed("{date} is in the past.", code="date_in_past", date=date)
