"""Events as text: one line in a list, or a full card; and how every answer writes a day and
a time (one format everywhere: 31.12.2026, with the weekday where it helps)."""

import datetime as dt

from calendarapp.bot import texts
from calendarapp.models import Event
from calendarapp.services.recurrence import next_occurrences_kept
from calendarapp.services.recurrence_words import describe
from calendarapp.timezones import clock_change, in_zone, zone_of


def date_text(date: dt.date) -> str:
    return date.strftime(texts.DATE_FORMAT)


def day_and_weekday(date: dt.date) -> str:
    return f"{date_text(date)} ({texts.CAL_WEEKDAYS[date.weekday()].lower()})"


def time_text(time: dt.time | dt.datetime) -> str:
    return f"{time:%H:%M}"


def local_moment_text(instant: dt.datetime, zone_name: str) -> str:
    """An aware instant on the clock of a zone: 31.12.2026 18:00."""
    moment = instant.astimezone(zone_of(zone_name))
    return f"{date_text(moment.date())} {time_text(moment)}"


def seen_by(date: dt.date, time: dt.time, *, written_in: str, read_in: str) -> tuple[str, str]:
    """(day, time) of a moment stored in one zone, shown on the reader's clock."""
    if written_in == read_in:
        return date_text(date), time_text(time)
    moment = in_zone(date=date, time=time, written_in=written_in, read_in=read_in)
    return date_text(moment.date()), time_text(moment)


def event_line(event) -> str:
    """An Event, or one occurrence of a series (selectors.occurrences, marked 🔁)."""
    mark = texts.PUBLIC_MARK if event.is_public else ""
    mark += texts.REPEAT_MARK if getattr(event, "repeats", False) else ""
    return f"#{event.pk} · {date_text(event.date)} {time_text(event.time)} · {event.name}{mark}"


def calendar_line(row: dict) -> str:
    """A row of selectors.calendar.calendar_listing: an own event or an accepted meeting
    (whose moment is in the organiser's zone: shown on the reader's clock)."""
    if not row["kind"]:
        mark = texts.PUBLIC_MARK if row["public"] else ""
        mark += texts.REPEAT_MARK if row.get("repeats") else ""
        when = f"{date_text(row['day'])} {time_text(row['at'])}"
        return f"#{row['ref']} · {when} · {row['title']}{mark}"
    title = row["title"] or texts.MEETING_NO_EVENT
    date, time = seen_by(row["day"], row["at"], written_in=row["zone"], read_in=row["reader_zone"])
    if row["kind"] == 2:  # another person's event, answered «Иду» on its card
        return texts.CALENDAR_GOING_LINE.format(id=row["ref"], date=date, time=time, name=title)
    line = texts.CALENDAR_MEETING_LINE.format(id=row["ref"], date=date, time=time, name=title)
    return line + (texts.REPEAT_MARK if row.get("repeats") else "")


def repeats_text(event: Event, *, now: dt.datetime, overrides=()) -> str:
    """A series in words and its next three occurrences after `now` (the owner's wall
    clock, naive), an occurrence changed on its own at its own date and time (`overrides`:
    selectors.occurrences.overrides_of); "" for a one-off event."""
    if not event.rrule:
        return ""
    rule = describe(event.rrule, start=event.date, time=event.time)
    upcoming = next_occurrences_kept(
        rule=event.rrule, date=event.date, time=event.time, exdates=event.exdates,
        overrides=overrides, after=now,
    )  # fmt: skip
    if not upcoming:
        return texts.REPEATS_OVER.format(rule=rule)
    days = ", ".join(f"{date_text(moment.date())} {time_text(moment)}" for moment in upcoming)
    return texts.REPEATS_LINE.format(rule=rule, next=days)


def event_card(event: Event, *, now: dt.datetime | None = None, overrides=()) -> str:
    """The card; a series also says its rule and next occurrences (after `now`, the
    owner's naive wall clock; see repeats_text)."""
    details = f"{texts.DETAILS_PREFIX}{event.details}" if event.details else str(texts.NO_DETAILS)
    if event.rrule and now is not None:
        details = f"{repeats_text(event, now=now, overrides=overrides)}\n{details}"
    return texts.EVENT_CARD.format(
        id=event.pk,
        name=event.name,
        date=day_and_weekday(event.date),
        time=time_text(event.time),
        access=texts.ACCESS_PUBLIC if event.is_public else texts.ACCESS_PRIVATE,
        details=details,
    )


def clock_change_note(event: Event) -> str:
    """A line for an event at a time the owner's clocks skip or repeat that day ("" if
    neither): what the time will mean, said when it is set. `event.owner` must be loaded."""
    change = clock_change(date=event.date, time=event.time, zone_name=event.owner.timezone)
    if change is None:
        return ""
    kind, instant = change
    template = texts.CLOCKS_SKIP_TIME if kind == "gap" else texts.CLOCKS_REPEAT_TIME
    return template.format(time=time_text(event.time), instant=time_text(instant))
