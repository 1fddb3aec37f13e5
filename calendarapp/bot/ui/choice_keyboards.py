"""Buttons for reminder lead times and time zones, and strict parsing of what they send back.

Callback data: `<prefix>off`, `<prefix>10`... for lead times (`rem:<event id>:` under a
created event, `rmk:<event id>:` under an event's reminders opened from its card, where
each lead is switched on or off; `set:rem:` in /settings, one default), `rs:<outbox message
id>:<10m|1h|tm|ok>` under a delivered reminder, `tz:<IANA name>` for zones (the longest
common name is 16 bytes). Whatever arrives is validated again by the services.
"""

import datetime as dt

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from calendarapp.bot import texts
from calendarapp.bot.ui import keyboards
from calendarapp.bot.ui.miniapp import open_app_button
from calendarapp.services.reminders import LEAD_TIMES
from calendarapp.timezones import COMMON_TIMEZONES, zone_of

CB_REMIND = "rem:"
CB_EVENT_REMINDER = r"^rem:(\d{1,18}):(\w{1,8})$"
CB_CARD_REMIND = "rmk:"
CB_CARD_REMINDER = r"^rmk:(\d{1,18})(?::(\w{1,8}))?$"
CB_SETTINGS_REMIND = "set:rem:"
CB_REMINDER_ACTION = r"^rs:(\d{1,18}):(\w{1,4})$"
DONE = "ok"
CB_TIMEZONE = "tz:"
OFF = "off"
INVALID = object()  # a forged lead time


def reminder_phrase(minutes: int | None) -> str:
    return texts.REMINDER_PHRASES.get(minutes, texts.REMINDER_PHRASES[None])


def leads_phrase(leads) -> str:
    """Several lead times in a sentence, the earliest reminder first ("за 1 день, за 10
    минут"); none: "без напоминания"."""
    if not leads:
        return reminder_phrase(None)
    return ", ".join(str(reminder_phrase(minutes)) for minutes in sorted(leads, reverse=True))


def _lead_buttons(prefix: str, chosen) -> list[list[InlineKeyboardButton]]:
    """`chosen`: the lead in force (one), or the set of those switched on (none: off)."""
    on = chosen if isinstance(chosen, set | frozenset) else {chosen}
    buttons = [
        InlineKeyboardButton(
            (texts.CHOSEN_MARK if minutes in on or (minutes is None and not on) else "")
            + texts.REMINDER_BUTTONS[minutes],
            callback_data=f"{prefix}{OFF if minutes is None else minutes}",
        )
        for minutes in LEAD_TIMES
    ]
    return [buttons[:1], buttons[1:3], buttons[3:]]


def event_reminders(
    event_id: int, leads, *, prefix: str = CB_REMIND, app: bool = True
) -> InlineKeyboardMarkup:
    """Under an event: its lead times, those switched on marked, and the event in the
    Mini App where Telegram can open it."""
    rows = _lead_buttons(f"{prefix}{event_id}:", frozenset(leads))
    if app and (button := open_app_button(event_id=event_id)):
        rows = [*rows, [button]]
    return InlineKeyboardMarkup(rows)


def reminder_actions(message_id: int) -> InlineKeyboardMarkup:
    """Under a delivered reminder: put it off, or done."""

    def action(label, code: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=f"rs:{message_id}:{code}")

    return InlineKeyboardMarkup(
        [
            [action(texts.BTN_SNOOZE_10M, "10m"), action(texts.BTN_SNOOZE_1H, "1h")],
            [action(texts.BTN_SNOOZE_TOMORROW, "tm"), action(texts.BTN_REMINDER_DONE, DONE)],
        ]
    )


def settings_reminders(current: int | None) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(_lead_buttons(CB_SETTINGS_REMIND, current))


def parse_lead(data: str, prefix: str):
    """None for "off", the minutes for a lead time, INVALID for anything else."""
    value = (data or "").removeprefix(prefix)
    if value == OFF:
        return None
    if value.isdecimal() and value.isascii() and len(value) <= 5:
        return int(value)  # the service refuses lead times it does not offer
    return INVALID


def utc_offset(zone_name: str, now: dt.datetime) -> str:
    offset = now.astimezone(zone_of(zone_name)).utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02}" if rest else "")


def timezone_choice(now: dt.datetime) -> InlineKeyboardMarkup:
    """Common zones, two per row, labelled with a city and today's UTC offset."""
    buttons = [
        InlineKeyboardButton(
            f"{texts.TIMEZONE_CITIES.get(name, name)} ({utc_offset(name, now)})",
            callback_data=f"{CB_TIMEZONE}{name}",
        )
        for name in COMMON_TIMEZONES
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(texts.BTN_CANCEL, callback_data=keyboards.CB_CANCEL)])
    return InlineKeyboardMarkup(rows)
