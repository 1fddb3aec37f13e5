"""Events: create, edit, delete, publish. Another user's event behaves as a missing one."""

import datetime as dt

from django.db import transaction

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import EVENT_DETAILS_MAX_LENGTH, EVENT_NAME_MAX_LENGTH, Event, TgUser
from calendarapp.selectors.events import get_own_event
from calendarapp.selectors.users import registered_user, user_row
from calendarapp.text import clean_text
from calendarapp.timezones import starts_at, user_now

from .appointment_cascades import (
    cancel_meetings_of_deleted_event,
    move_meetings_of_moved_event,
)
from .dates import ensure_date_not_past, ensure_not_past
from .lengths import at_most, clean_multiline
from .natural_dates import When, parse_time_on, parse_when
from .recurrence import clean_rule, first_on_or_after, next_occurrences, series
from .recurrence_phrases import parse_phrase
from .reminder_claims import reschedule_event_reminders
from .reminders import clean_leads, remind_new_event
from .reminders import set_event_reminder as set_event_reminder
from .rsvp_notices import event_cancelled, event_changed
from .statistics import bump_daily_statistics, bump_user_counter

USER_DEFAULT = object()  # "use the owner's default reminder"
UNCHANGED = object()  # update_event: leave this field as it is


def storable(text: str) -> str:
    """One line of typed text as the database and every export can keep it."""
    return clean_text(text, multiline=False)


def clean_name(name: str) -> str:
    name = " ".join(storable(name).split())
    if not name:
        raise ValidationFailed("The event name must not be empty.", code="name_empty")
    return at_most(name, limit=EVENT_NAME_MAX_LENGTH, code="name_too_long")


def clean_details(details: str) -> str:
    return clean_multiline(details, limit=EVENT_DETAILS_MAX_LENGTH, code="details_too_long")


def parse_event_when(*, owner: TgUser | int, text: str) -> When:
    """A typed day (maybe with a time) for a new event, relative to the owner's own now.

    A day that is over, or a moment that has passed, is refused.
    """
    owner = user_row(owner)
    when = parse_when(text=text, now=user_now(owner))
    if when.time is None:
        ensure_date_not_past(user=owner, date=when.date)
    else:
        ensure_not_past(user=owner, date=when.date, time=when.time)
    return when


def parse_series_when(*, owner: TgUser | int, text: str) -> tuple[When, str]:
    """A series typed where a day is asked («каждый вторник в 10:00», "every monday"): its
    first occurrence from the owner's now on (the time too, if the phrase named one) and
    the rule."""
    owner = user_row(owner)
    now = user_now(owner).replace(tzinfo=None)
    phrase = parse_phrase(text=text, start=now.date(), today=now.date())
    if phrase.time is None:
        first = first_on_or_after(rule=phrase.rule, date=now.date(), time=dt.time(0, 0))
        upcoming = [] if first is None else [dt.datetime.combine(first, dt.time(0, 0))]
    else:
        upcoming = next_occurrences(
            rule=phrase.rule, date=now.date(), time=phrase.time, after=now, count=1
        )
    if not upcoming:
        raise ValidationFailed(
            "The rule {rule!r} has no occurrence on or after {date}.",
            code="rrule_empty",
            rule=phrase.rule,
            date=now.date(),
        )
    return When(upcoming[0].date(), phrase.time), phrase.rule


def check_event_date(*, owner: TgUser | int, date: dt.date) -> dt.date:
    """A day picked in the month calendar: refuse one that is over (buttons can be old)."""
    ensure_date_not_past(user=user_row(owner), date=date)
    return date


def parse_event_time(*, owner: TgUser | int, date: dt.date, text: str) -> When:
    """The time step: "18:30", "в 18:00", "3pm" on `date`; a phrase naming a day too
    ("next friday 12:30") comes back with that day. Refused if that moment has passed."""
    owner = user_row(owner)
    when = parse_time_on(text=text, date=date, now=user_now(owner))
    ensure_not_past(user=owner, date=when.date, time=when.time)
    return when


def create_event(
    *,
    owner_tg_id: int,
    name: str,
    date: dt.date,
    time: dt.time,
    details: str = "",
    is_public: bool = False,
    reminder_minutes: int | object | None = USER_DEFAULT,
    leads: list[int] | None = None,
    rrule: str = "",
) -> Event:
    """Create an event; the reminder defaults to the owner's choice in /settings, or is one
    lead time (`reminder_minutes`, None: none) or several (`leads`, minutes). With an
    `rrule` it is a series whose first occurrence is `date` (see set_event_rule)."""
    owner = registered_user(owner_tg_id)
    name = clean_name(name)
    details = clean_details(details)
    time = time.replace(second=0, microsecond=0, tzinfo=None)
    ensure_not_past(user=owner, date=date, time=time)
    if reminder_minutes is USER_DEFAULT:
        reminder_minutes = owner.default_reminder_minutes
    leads = clean_leads([reminder_minutes] if leads is None else leads)
    event = Event(
        owner=owner,
        name=name,
        date=date,
        time=time,
        details=details,
        is_public=is_public,
        rrule=clean_rule(rrule, zone_name=owner.timezone),
    )
    _ensure_series_starts_on(event, date=date, time=time)
    # Every refusal above comes before the first write, so the writes need no savepoint of
    # their own inside a caller's transaction (the bot's update): two round trips fewer.
    # A failure among them fails that whole transaction, as it should.
    with transaction.atomic(savepoint=False):
        event.save()
        remind_new_event(event=event, leads=leads)
        bump_user_counter(tg_id=owner_tg_id, counter="events_created")
        bump_daily_statistics(event_count=1)
    return event


def _ensure_series_starts_on(event: Event, *, date: dt.date, time: dt.time) -> None:
    """A series' first occurrence (`date`) is one of the days its rule gives."""
    if event.rrule and first_on_or_after(rule=event.rrule, date=date, time=time) != date:
        raise ValidationFailed(
            "The rule {rule!r} does not fall on {date}, the first occurrence.",
            code="rrule_not_on_start",
            rule=event.rrule,
            date=date,
        )


@transaction.atomic
def update_event(
    *,
    owner_tg_id: int,
    event_id: int,
    name=UNCHANGED,
    date=UNCHANGED,
    time=UNCHANGED,
    details=UNCHANGED,
) -> Event:
    """Change some fields of an own event with the rules of create_event: a new moment must
    not have passed, the reminder is scheduled again for it, and the meetings at the old
    moment move with it (their guests told)."""
    event = get_own_event(owner_tg_id=owner_tg_id, event_id=event_id, for_update=True)
    changed = []
    if name is not UNCHANGED:
        event.name = clean_name(name)
        changed.append("name")
    if details is not UNCHANGED:
        event.details = clean_details(details)
        changed.append("details")
    if date is not UNCHANGED or time is not UNCHANGED:
        date = event.date if date is UNCHANGED else date
        if time is UNCHANGED:
            time = event.time
        time = time.replace(second=0, microsecond=0, tzinfo=None)
        owner = registered_user(owner_tg_id)
        ensure_not_past(user=owner, date=date, time=time)
        _ensure_series_starts_on(event, date=date, time=time)  # a moved first one too
        old_date, old_time = event.date, event.time
        event.date, event.time = date, time
        changed += ["date", "time"]
    event.save(update_fields=[*changed, "updated_at"])
    if "date" in changed:
        reschedule_event_reminders(event=event)
    if "date" in changed and (old_date, old_time) != (event.date, event.time):
        move_meetings_of_moved_event(event=event, old_date=old_date, old_time=old_time)
    if changed:
        event_changed(event=event)  # the cards and everyone who answered them
    bump_user_counter(tg_id=owner_tg_id, counter="events_edited")
    bump_daily_statistics(edited_events=1)
    return event


def follow_owner_zone(owner: TgUser) -> None:
    """The owner changed zones: their events' wall clocks now mean other instants."""
    events = Event.objects.filter(owner=owner).only("pk", "date", "time")
    changed = []
    for event in events.iterator(chunk_size=2000):
        event.starts_at = starts_at(date=event.date, time=event.time, zone_name=owner.timezone)
        changed.append(event)
    Event.objects.bulk_update(changed, ["starts_at"], batch_size=500)


@transaction.atomic
def set_event_rule(*, owner_tg_id: int, event_id: int, rule: str) -> Event:
    """Make an own event a series (RRULE text, see services.recurrence) or, with "", a
    one-off again. The event's day becomes the rule's first day on or after it, since the
    first occurrence is the event itself (DTSTART); a rule that never falls there again
    is refused."""
    event = get_own_event(owner_tg_id=owner_tg_id, event_id=event_id, for_update=True)
    rule = clean_rule(rule, zone_name=event.owner.timezone)
    changed = ["rrule", "exdates"]
    if rule:
        first = first_on_or_after(rule=rule, date=event.date, time=event.time)
        if first is None:
            raise ValidationFailed(
                "The rule {rule!r} has no occurrence on or after {date}.",
                code="rrule_empty",
                rule=rule,
                date=event.date,
            )
        if first != event.date:
            event.date = first
            changed.append("date")
    event.rrule, event.exdates = rule, []
    event.save(update_fields=[*changed, "updated_at"])
    reschedule_event_reminders(event=event)
    return event


@transaction.atomic
def repeat_event_by_phrase(*, owner_tg_id: int, event_id: int, text: str) -> Event:
    """«каждый вторник в 10:00», "every 2 weeks until March" typed for an own event: the
    rule from the event's day on, and the time too if the phrase names one."""
    event = get_own_event(owner_tg_id=owner_tg_id, event_id=event_id, for_update=True)
    today = user_now(event.owner).date()
    phrase = parse_phrase(text=text, start=max(event.date, today), today=today)
    if phrase.time is not None and phrase.time != event.time:
        update_event(owner_tg_id=owner_tg_id, event_id=event_id, time=phrase.time)
    return set_event_rule(owner_tg_id=owner_tg_id, event_id=event_id, rule=phrase.rule)


def update_event_details(*, owner_tg_id: int, event_id: int, details: str) -> Event:
    return update_event(owner_tg_id=owner_tg_id, event_id=event_id, details=details)


@transaction.atomic
def delete_event(*, owner_tg_id: int, event_id: int) -> Event:
    """Delete the event; meetings keep their history (the link is cleared by SET_NULL), and
    the active ones are cancelled with their guests told."""
    event = get_own_event(owner_tg_id=owner_tg_id, event_id=event_id, for_update=True)
    cancel_meetings_of_deleted_event(event)
    event_cancelled(event=event)  # before the delete takes the answers with it
    _forget_override(event)
    event.delete()
    event.pk = event_id  # keep the id on the returned copy for the confirmation message
    bump_user_counter(tg_id=owner_tg_id, counter="events_cancelled")
    bump_daily_statistics(cancelled_events=1)
    return event


def _forget_override(event: Event) -> None:
    """A deleted override must not give its day back to the series: that day is cancelled."""
    if event.recurrence_of_id is None:
        return
    parent = (
        Event.objects.select_related("owner")
        .select_for_update(of=("self",))
        .filter(pk=event.recurrence_of_id)
        .first()
    )
    if parent is not None:
        parent.exdates = sorted({*parent.exdates, event.recurrence_id.isoformat()})
        parent.save(update_fields=["exdates", "updated_at"])


@transaction.atomic
def skip_occurrence(*, owner_tg_id: int, event_id: int, date: dt.date) -> Event:
    """Cancel one occurrence of a series (an EXDATE): the rest of the series stays."""
    event = get_own_event(owner_tg_id=owner_tg_id, event_id=event_id, for_update=True)
    start = dt.datetime.combine(date, event.time)
    if not event.rrule or start not in series(
        rule=event.rrule, date=event.date, time=event.time, exdates=event.exdates
    ).between(start, start, inc=True):
        raise ValidationFailed(
            "Event {event_id} does not happen on {date}.",
            code="not_an_occurrence",
            event_id=event_id,
            date=date,
        )
    event.exdates = sorted({*event.exdates, date.isoformat()})
    event.save(update_fields=["exdates", "updated_at"])
    reschedule_event_reminders(event=event)
    return event


def set_own_event_flag(
    *, owner_tg_id: int, event_id: int, field: str, value: bool
) -> tuple[Event, bool]:
    """One yes/no field of the owner's event set (the row locked; call in a transaction);
    returns (event, whether it changed)."""
    event = get_own_event(owner_tg_id=owner_tg_id, event_id=event_id, for_update=True)
    if getattr(event, field) == value:
        return event, False
    setattr(event, field, value)
    event.save(update_fields=[field, "updated_at"])
    return event, True


@transaction.atomic
def set_event_visibility(*, owner_tg_id: int, event_id: int, is_public: bool) -> Event:
    return set_own_event_flag(
        owner_tg_id=owner_tg_id, event_id=event_id, field="is_public", value=is_public
    )[0]
