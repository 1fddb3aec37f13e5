"""Events as text: one line in a list, or a full card."""

from calendarapp.bot import texts
from calendarapp.models import Event


def event_line(event: Event) -> str:
    mark = texts.PUBLIC_MARK if event.is_public else ""
    return f"#{event.pk} · {event.date:%Y-%m-%d} {event.time:%H:%M} · {event.name}{mark}"


def calendar_line(row: dict) -> str:
    """A row of selectors.calendar.calendar_listing: an own event or an accepted meeting."""
    if not row["kind"]:
        mark = texts.PUBLIC_MARK if row["public"] else ""
        return f"#{row['ref']} · {row['day']:%Y-%m-%d} {row['at']:%H:%M} · {row['title']}{mark}"
    title = row["title"] or texts.MEETING_NO_EVENT
    return texts.CALENDAR_MEETING_LINE.format(
        id=row["ref"], date=f"{row['day']:%Y-%m-%d}", time=f"{row['at']:%H:%M}", name=title
    )


def event_card(event: Event) -> str:
    details = f"{texts.DETAILS_PREFIX}{event.details}" if event.details else str(texts.NO_DETAILS)
    return texts.EVENT_CARD.format(
        id=event.pk,
        name=event.name,
        date=f"{event.date:%Y-%m-%d}",
        time=f"{event.time:%H:%M}",
        access=texts.ACCESS_PUBLIC if event.is_public else texts.ACCESS_PRIVATE,
        details=details,
    )
