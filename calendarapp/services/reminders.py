"""Reminders: the lead times a person can choose, typed or by buttons, and which of them an
event has (one `Reminder` row per lead time, for every occurrence of a series).

When they fall due and how they are claimed into the outbox: services.reminder_claims.
"""

import datetime as dt
import re

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import REMINDER_CHOICES, Event, Reminder, TgUser
from calendarapp.selectors.events import get_own_event

from .reminder_claims import REMINDER as REMINDER
from .reminder_claims import Occurrences, reschedule_reminders, schedule
from .reminder_claims import claim_all_due_reminders as claim_all_due_reminders
from .reminder_claims import claim_due_reminders as claim_due_reminders

# The lead times a person can choose, in minutes (None: no reminder), in the order offered:
# the model's choices are the one list; buttons, texts and typed answers follow it.
LEAD_TIMES: tuple[int | None, ...] = tuple(minutes for minutes, _label in REMINDER_CHOICES)


def _invalid_lead_time() -> ValidationFailed:
    return ValidationFailed(
        "A reminder can be set {choices} minutes before.",
        code="reminder_invalid",
        choices=[minutes for minutes in LEAD_TIMES if minutes],
    )


def clean_reminder_minutes(minutes: int | None) -> int | None:
    if isinstance(minutes, bool) or minutes not in LEAD_TIMES:
        raise _invalid_lead_time()
    return minutes


# Typed answers to "remind me how long before?", besides the buttons (Russian and English).
_OFF_WORDS = {
    "нет",
    "не надо",
    "не напоминать",
    "без напоминания",
    "выкл",
    "off",
    "no",
    "none",
    "never",
    "no reminder",
    "0",
}
_UNITS = {
    **dict.fromkeys(("м", "мин", "минута", "минуту", "минуты", "минут"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 1),
    **dict.fromkeys(("ч", "час", "часа", "часов"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 60),
    **dict.fromkeys(("д", "день", "дня", "дней", "сутки", "суток"), 1440),
    **dict.fromkeys(("d", "day", "days"), 1440),
}
_HALF_HOUR = {"полчаса", "half an hour", "half hour"}
_ONE = {"a", "an", "one", "один", "одна", "одни", "одну"}
_AMOUNT = re.compile(r"^(\d{1,5}|[a-zа-яё]+)?\s*([a-zа-яё]+)?$")


def _minutes_typed(key: str) -> int | None:
    """ "30", "30 минут", "1 hour", "an hour", "day", "10min" -> minutes; None if not a span."""
    if key in _HALF_HOUR:
        return 30
    match = _AMOUNT.match(key)
    if match is None or not key:
        return None
    amount, unit = match.groups()
    if unit is None and amount is not None and amount.isdigit():
        return int(amount)  # a bare number counts minutes
    if unit is None:  # one word: a unit alone ("час", "day") means one of it
        amount, unit = "1", amount
    if amount is None or amount in _ONE:
        amount = "1"
    if not amount.isdigit() or unit not in _UNITS:
        return None
    return int(amount) * _UNITS[unit]


def parse_lead_time(text: str) -> int | None:
    """A typed lead time ("30", "за 1 час", "1 hour", "10 minutes", "нет"); None means no
    reminder. Only the offered lead times are accepted."""
    key = " ".join((text or "").lower().split()).strip(" .!")
    key = key.removeprefix("за ").removesuffix(" before").removesuffix(" до").strip()
    if key in _OFF_WORDS:
        return None
    minutes = _minutes_typed(key)
    if minutes is None or minutes not in LEAD_TIMES:
        raise _invalid_lead_time()
    return minutes


def set_default_reminder(*, tg_id: int, minutes: int | None) -> None:
    minutes = clean_reminder_minutes(minutes)
    TgUser.objects.filter(pk=tg_id).update(default_reminder_minutes=minutes)


def reschedule_user_reminders(user: TgUser) -> None:
    """Recompute pending reminders after the user's time zone changed: the wall clocks
    stay, the instants they mean move."""
    events = Event.objects.filter(owner=user, reminders__isnull=False).distinct()
    reschedule_reminders(events=list(events.select_related("owner")))


def clean_leads(leads) -> list[int]:
    """Several lead times (no reminder: an empty list), each one offered, each once."""
    cleaned = {clean_reminder_minutes(minutes) for minutes in leads}
    return sorted(minutes for minutes in cleaned if minutes is not None)


def set_leads(*, event: Event, leads, now: dt.datetime | None = None) -> list[int]:
    """Keep exactly these lead times for the event; a lead kept keeps its schedule (its
    reminders already sent stay sent), a new one starts from now."""
    leads = clean_leads(leads)
    now = now or timezone.now()
    Reminder.objects.filter(event=event).exclude(minutes__in=leads).delete()
    have = set(Reminder.objects.filter(event=event).values_list("minutes", flat=True))
    occurrences = Occurrences(event)
    added = []
    for minutes in leads:
        if minutes not in have:
            reminder = Reminder(event=event, minutes=minutes)
            schedule(reminder, occurrences, now=now)
            added.append(reminder)
    Reminder.objects.bulk_create(added)
    # The caller shows the event with its reminders next: read them once, here.
    getattr(event, "_prefetched_objects_cache", {}).pop("reminders", None)
    prefetch_related_objects([event], "reminders")
    return leads


@transaction.atomic
def toggle_event_reminder(*, owner_tg_id: int, event_id: int, minutes: int | None) -> Event:
    """A lead-time button under an event: switch that lead on or off (None: all off)."""
    minutes = clean_reminder_minutes(minutes)
    event = get_own_event(owner_tg_id=owner_tg_id, event_id=event_id, for_update=True)
    leads = set(event.leads)
    if minutes is None:
        leads = set()
    else:
        leads ^= {minutes}
    set_leads(event=event, leads=leads)
    return event


@transaction.atomic
def set_event_reminder(*, owner_tg_id: int, event_id: int, minutes: int | None) -> Event:
    """One lead time for the event instead of whatever it had (None: no reminder): what a
    client with a single choice (the Mini App) sets."""
    minutes = clean_reminder_minutes(minutes)
    event = get_own_event(owner_tg_id=owner_tg_id, event_id=event_id, for_update=True)
    set_leads(event=event, leads=[] if minutes is None else [minutes])
    return event


def remind_new_events(*, events: list[Event], leads: list, now: dt.datetime) -> list[Reminder]:
    """Lead times for events just created in bulk (an import; `leads[i]` for `events[i]`,
    an empty list for none), in one statement a batch. New rows have no overrides yet."""
    rows = [
        Reminder(event=event, minutes=minutes)
        for event, event_leads in zip(events, leads, strict=True)
        for minutes in clean_leads(event_leads)
    ]
    for row in rows:
        schedule(row, Occurrences(row.event, replaced=()), now=now)
    Reminder.objects.bulk_create(rows, batch_size=500)
    return rows


def remind_new_event(*, event: Event, leads) -> None:
    """set_leads for an event just created: it has no reminders to read or delete yet, so
    its rows are one INSERT, and they are its reminders as the caller shows them next
    (three queries fewer on the last step of /create_event)."""
    rows = remind_new_events(events=[event], leads=[leads], now=timezone.now())
    # What prefetch_related_objects leaves behind, without reading back what was written.
    reminders = event.reminders.all()
    reminders._result_cache, reminders._prefetch_done = rows, True
    cache = getattr(event, "_prefetched_objects_cache", None)
    if cache is None:
        cache = event._prefetched_objects_cache = {}
    cache["reminders"] = reminders


def pending_reminders(event: Event) -> list[Reminder]:
    return [reminder for reminder in event.reminders.all() if reminder.next_at is not None]
