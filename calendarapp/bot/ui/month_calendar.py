"""An inline month calendar to tap a date: ‹ month › navigation, past days greyed out.

Built with the standard library's `calendar` (weeks start on Monday, as in Russia).
Callback data is short ASCII (`cal:d:2026-12-31` is 16 bytes, far below Telegram's 64) and is
parsed strictly: a forged or stale button gets a refusal, never an exception.
"""

import calendar
import datetime as dt
import functools
import re

from django.utils import translation
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.runtime.profiles import owner_of
from calendarapp.bot.ui import keyboards
from calendarapp.bot.ui.dialog import db, deliver, remember_markup, stops
from calendarapp.selectors.users import local_now

CB_PREFIX = "cal:"
CB_MONTH = "cal:m:"  # cal:m:YYYY-MM — show that month
CB_DAY = "cal:d:"  # cal:d:YYYY-MM-DD — pick that day
CB_NOOP = "cal:x"  # headers, blanks and past days
MONTHS_AHEAD = 60  # how far forward the arrows go; typed dates have no such limit
_MONTH = re.compile(r"^cal:m:(\d{4})-(\d{2})$")
_DAY = re.compile(r"^cal:d:(\d{4})-(\d{2})-(\d{2})$")

_weeks = calendar.Calendar(firstweekday=calendar.MONDAY)


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def _noop(label: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=CB_NOOP)


def month_keyboard(today: dt.date, month: dt.date | None = None) -> InlineKeyboardMarkup:
    """The month of `month` (default: this month), relative to the user's `today`."""
    return _month_keyboard(today, (month or today).replace(day=1), translation.get_language())


@functools.lru_cache(maxsize=256)
def _month_keyboard(today: dt.date, month: dt.date, language: str) -> InlineKeyboardMarkup:
    """Built once per day, month and language (a keyboard is immutable; ~45 buttons took
    0.3 ms to build for every date question)."""
    index, first = _month_index(month), _month_index(today)
    header = []
    if index > first:
        header.append(
            InlineKeyboardButton(
                texts.BTN_CAL_PREV, callback_data=f"{CB_MONTH}{_month_start(index - 1):%Y-%m}"
            )
        )
    header.append(_noop(f"{texts.CAL_MONTHS[month.month - 1]} {month.year}"))
    if index < first + MONTHS_AHEAD:
        header.append(
            InlineKeyboardButton(
                texts.BTN_CAL_NEXT, callback_data=f"{CB_MONTH}{_month_start(index + 1):%Y-%m}"
            )
        )
    rows = [header, [_noop(name) for name in texts.CAL_WEEKDAYS]]
    for week in _weeks.monthdatescalendar(month.year, month.month):
        row = []
        for day in week:
            if day.month != month.month:
                row.append(_noop(" "))
            elif day < today:
                row.append(_noop(texts.CAL_PAST_DAY))
            else:
                row.append(InlineKeyboardButton(str(day.day), callback_data=f"{CB_DAY}{day}"))
        rows.append(row)
    rows.append([InlineKeyboardButton(texts.BTN_CANCEL, callback_data=keyboards.CB_CANCEL)])
    return keyboards.BuiltOnce(rows)


def parse_month(data: str, today: dt.date) -> dt.date | None:
    """The month a navigation button asks for, or None if forged or out of range."""
    match = _MONTH.match(data or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        return None
    index = year * 12 + month - 1
    if not _month_index(today) <= index <= _month_index(today) + MONTHS_AHEAD:
        return None
    return dt.date(year, month, 1)


def parse_day(data: str) -> dt.date | None:
    """The day a date button names, or None if the data is not a real date."""
    match = _DAY.match(data or "")
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


@stops
async def month_turned(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """‹ › under any date question: that month, in place; a bad answer re-asks with it."""
    query = update.callback_query
    now = await db(local_now)(owner_of(update))
    month = parse_month(query.data, now.date())
    if month is None:
        await query.answer(texts.CAL_OUT_OF_RANGE)
        return None
    markup = month_keyboard(now.date(), month)
    remember_markup(context, markup)
    await query.answer()
    await deliver(lambda: query.edit_message_reply_markup(markup))
    return None


@stops
async def header_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    await update.callback_query.answer()
    return None


def navigation_handlers() -> list[CallbackQueryHandler]:
    """Month switching and the inert buttons (headers, past days), for a date step's state."""
    return [
        CallbackQueryHandler(month_turned, pattern=f"^{CB_MONTH}"),
        CallbackQueryHandler(header_pressed, pattern=f"^{CB_NOOP}$"),
    ]
