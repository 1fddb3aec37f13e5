"""The calendar's date rules, shared by events and meetings: how far ahead a date may be,
and that a new moment must not have passed (both on the person's own clock)."""

import datetime as dt

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import TgUser
from calendarapp.timezones import user_now

MAX_YEARS_AHEAD = 100


def ensure_not_too_far(*, user: TgUser, date: dt.date) -> None:
    """A calendar has no use for the year 9999, and its last day breaks date arithmetic
    (an hour's event, a zone's offset to UTC run past the largest datetime)."""
    today = user_now(user).date()
    latest = dt.date(min(today.year + MAX_YEARS_AHEAD, dt.MAXYEAR - 1), 12, 31)
    if date > latest:
        raise ValidationFailed(
            "{date} is too far ahead; the latest date is {latest}.",
            code="date_too_far",
            date=date.isoformat(),
            latest=latest.isoformat(),
        )


def ensure_not_past(*, user: TgUser, date: dt.date, time: dt.time) -> None:
    ensure_not_too_far(user=user, date=date)
    now = user_now(user)
    if dt.datetime.combine(date, time) < now.replace(tzinfo=None, second=0, microsecond=0):
        raise ValidationFailed(
            "{date} {time} is in the past.",
            code="in_past",
            date=date.isoformat(),
            time=time.strftime("%H:%M"),
        )


def ensure_date_not_past(*, user: TgUser, date: dt.date) -> None:
    """A dialog asks the date before the time: refuse a day that is already over."""
    ensure_not_too_far(user=user, date=date)
    if date < user_now(user).date():
        raise ValidationFailed("{date} is in the past.", code="date_in_past", date=date.isoformat())
