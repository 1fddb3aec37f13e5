"""The texts the people around an event's card get through the outbox (services.
rsvp_notices writes them): rendered at send time, in the recipient's language."""

import datetime as dt

from calendarapp.bot import texts
from calendarapp.bot.outbox.notifications import Notification, renderer
from calendarapp.bot.ui.event_card import names_line
from calendarapp.bot.ui.formatting import date_text, time_text
from calendarapp.models import Event, Rsvp
from calendarapp.selectors.rsvp import CARD_NAMES, answer_counts, shown_name
from calendarapp.services import rsvp_notices
from calendarapp.timezones import offset_name

_HEADS = {
    Rsvp.Answer.GOING: texts.CARD_GOING,
    Rsvp.Answer.MAYBE: texts.CARD_MAYBE,
    Rsvp.Answer.NOT_GOING: texts.CARD_NOT_GOING,
    Rsvp.Answer.WAITING: texts.CARD_WAITING,
}


def _event_of(message) -> Event | None:
    event_id = message.payload.get("event_id")
    if not isinstance(event_id, int):
        return None
    return Event.objects.select_related("owner").filter(pk=event_id).first()


def _moment(event: Event) -> dict:
    return {
        "name": event.name,
        "date": date_text(event.date),
        "time": time_text(event.time),
        "zone": offset_name(event.owner.timezone),
    }


@renderer(rsvp_notices.MOVED_UP)
def render_moved_up(message) -> Notification | None:
    event = _event_of(message)
    if event is None:
        return None
    answer = Rsvp.objects.filter(event=event, person_id=message.chat_id).values_list(
        "answer", flat=True
    )
    if list(answer) != [Rsvp.Answer.GOING]:
        return None  # left again meanwhile
    return Notification(texts.MOVED_UP.format(**_moment(event)))


@renderer(rsvp_notices.EVENT_CHANGED)
def render_event_changed(message) -> Notification | None:
    event = _event_of(message)
    if event is None:
        return None  # cancelled meanwhile: the cancellation says what matters
    details = f"\n{event.details}" if event.details else ""
    return Notification(texts.EVENT_CHANGED.format(details=details, **_moment(event)))


@renderer(rsvp_notices.EVENT_CANCELLED)
def render_event_cancelled(message) -> Notification | None:
    payload = message.payload
    try:
        date = dt.date.fromisoformat(str(payload["date"]))
    except (KeyError, ValueError):
        return None
    return Notification(
        texts.EVENT_CANCELLED.format(
            name=str(payload.get("event_name", "")),
            date=date_text(date),
            time=str(payload.get("time", "")),
            zone=offset_name(str(payload.get("zone", "UTC"))),
        )
    )


@renderer(rsvp_notices.DIGEST)
def render_digest(message) -> Notification | None:
    """Who answered what since the digest began, then the totals."""
    event, since = _event_of(message), rsvp_notices.digest_since(message)
    if event is None or since is None:
        return None
    new = (
        Rsvp.objects.filter(event=event, answered_at__gte=since)
        .exclude(person_id=event.owner_id)
        .order_by("answered_at", "id")
        .values_list("answer", "person__first_name", "person__username", "person_id")
    )
    names: dict[str, list[str]] = {}
    for answer, *person in new:
        names.setdefault(answer, []).append(shown_name(*person))
    if not names:
        return None  # changed back meanwhile: nothing new to say
    lines = [
        names_line(
            str(head.format(count=len(names[answer]))),
            names[answer][:CARD_NAMES],
            len(names[answer]),
        )
        for answer, head in _HEADS.items()
        if answer in names
    ]
    counts = answer_counts([event.pk])[event.pk]
    totals = "; ".join(str(head.format(count=counts[answer])) for answer, head in _HEADS.items())
    return Notification(texts.DIGEST.format(name=event.name, lines="\n".join(lines), totals=totals))
