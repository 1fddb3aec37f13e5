"""Events: create, edit, delete, publish. Another user's event behaves as a missing one."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from calendarapp.exceptions import NotFound, NotRegistered, ValidationFailed
from calendarapp.models import EVENT_DETAILS_MAX_LENGTH, EVENT_NAME_MAX_LENGTH, Event, TgUser

from .natural_dates import When, parse_time_on, parse_when
from .reminders import clean_reminder_minutes, remind_at
from .statistics import bump_daily_statistics, bump_user_counter
from .timezones import zone_of

USER_DEFAULT = object()  # "use the owner's default reminder"
UNCHANGED = object()  # update_event: leave this field as it is


def storable(text: str) -> str:
    """Text as the database can keep it: PostgreSQL refuses NUL characters, and a lone
    surrogate (a JSON escape like \\ud800, never valid UTF-8) cannot be encoded at all."""
    text = (text or "").replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8")


def clean_name(name: str) -> str:
    name = " ".join(storable(name).split())
    if not name:
        raise ValidationFailed("The event name must not be empty.", code="name_empty")
    if len(name) > EVENT_NAME_MAX_LENGTH:
        raise ValidationFailed(
            "The event name is longer than {limit} characters.",
            code="name_too_long",
            limit=EVENT_NAME_MAX_LENGTH,
        )
    return name


def clean_details(details: str) -> str:
    details = storable(details).strip()
    if len(details) > EVENT_DETAILS_MAX_LENGTH:
        raise ValidationFailed(
            "The details are longer than {limit} characters.",
            code="details_too_long",
            limit=EVENT_DETAILS_MAX_LENGTH,
        )
    return details


def user_now(user: TgUser) -> dt.datetime:
    """The current wall-clock time in the user's zone (falls back to the server's zone)."""
    return timezone.now().astimezone(zone_of(user.timezone))


MAX_YEARS_AHEAD = 100


def ensure_not_too_far(user: TgUser, date: dt.date) -> None:
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


def ensure_not_past(user: TgUser, date: dt.date, time: dt.time) -> None:
    ensure_not_too_far(user, date)
    now = user_now(user)
    if dt.datetime.combine(date, time) < now.replace(tzinfo=None, second=0, microsecond=0):
        raise ValidationFailed(
            "{date} {time} is in the past.",
            code="in_past",
            date=date.isoformat(),
            time=time.strftime("%H:%M"),
        )


def ensure_date_not_past(user: TgUser, date: dt.date) -> None:
    """A dialog asks the date before the time: refuse a day that is already over."""
    ensure_not_too_far(user, date)
    if date < user_now(user).date():
        raise ValidationFailed("{date} is in the past.", code="date_in_past", date=date.isoformat())


def _registered(tg_id: int) -> TgUser:
    user = TgUser.objects.filter(pk=tg_id).first()
    if user is None:
        raise NotRegistered()
    return user


def _owner(owner: TgUser | int) -> TgUser:
    """Readers below take the owner's row when the caller has it (the bot keeps it for a
    minute), else the id; writers always read the row themselves."""
    return owner if isinstance(owner, TgUser) else _registered(owner)


def local_now(owner: TgUser | int) -> dt.datetime:
    """The user's wall-clock now: what "today" and "tomorrow" mean to them."""
    return user_now(_owner(owner))


def parse_event_when(owner: TgUser | int, text: str) -> When:
    """A typed day (maybe with a time) for a new event, relative to the owner's own now.

    A day that is over, or a moment that has passed, is refused.
    """
    owner = _owner(owner)
    when = parse_when(text, user_now(owner))
    if when.time is None:
        ensure_date_not_past(owner, when.date)
    else:
        ensure_not_past(owner, when.date, when.time)
    return when


def check_event_date(owner: TgUser | int, date: dt.date) -> dt.date:
    """A day picked in the month calendar: refuse one that is over (buttons can be old)."""
    ensure_date_not_past(_owner(owner), date)
    return date


def parse_event_time(owner: TgUser | int, date: dt.date, text: str) -> When:
    """The time step: "18:30", "в 18:00", "3pm" on `date`; a phrase naming a day too
    ("next friday 12:30") comes back with that day. Refused if that moment has passed."""
    owner = _owner(owner)
    when = parse_time_on(text, date=date, now=user_now(owner))
    ensure_not_past(owner, when.date, when.time)
    return when


def get_own_event(owner_tg_id: int, event_id: int, *, for_update: bool = False) -> Event:
    queryset = Event.objects.filter(owner_id=owner_tg_id, pk=event_id)
    if for_update:
        queryset = queryset.select_for_update()
    event = queryset.first()
    if event is None:
        raise NotFound("Event {event_id} was not found.", code="event_not_found", event_id=event_id)
    return event


def _schedule_reminder(event: Event, zone_name: str) -> None:
    """When the event's reminder goes out, for a new event or one moved to another moment."""
    event.remind_at = remind_at(event, zone_name)
    event.reminder_sent_at = None
    if event.remind_at is not None and event.remind_at <= timezone.now():
        # The lead time has already begun: the person is looking at the event right now,
        # a reminder a second later would be noise.
        event.reminder_sent_at = timezone.now()


@transaction.atomic
def create_event(
    owner_tg_id: int,
    *,
    name: str,
    date: dt.date,
    time: dt.time,
    details: str = "",
    is_public: bool = False,
    reminder_minutes=USER_DEFAULT,
) -> Event:
    """Create an event; the reminder defaults to the owner's choice in /settings."""
    owner = _registered(owner_tg_id)
    name = clean_name(name)
    details = clean_details(details)
    time = time.replace(second=0, microsecond=0, tzinfo=None)
    ensure_not_past(owner, date, time)
    if reminder_minutes is USER_DEFAULT:
        reminder_minutes = owner.default_reminder_minutes
    event = Event(
        owner=owner,
        name=name,
        date=date,
        time=time,
        details=details,
        is_public=is_public,
        reminder_minutes=clean_reminder_minutes(reminder_minutes),
    )
    _schedule_reminder(event, owner.timezone)
    event.save()
    bump_user_counter(owner_tg_id, "events_created")
    bump_daily_statistics(event_count=1)
    return event


def _schedule_reminder(event: Event, zone_name: str) -> None:
    event.remind_at = remind_at(event, zone_name)
    now = timezone.now()
    # A lead time that has already begun: the person is looking at the event right now, a
    # reminder a second later would be noise. Otherwise the reminder is (again) to come.
    due = event.remind_at is not None and event.remind_at <= now
    event.reminder_sent_at = now if due else None


@transaction.atomic
def set_event_reminder(*, owner_tg_id: int, event_id: int, minutes: int | None) -> Event:
    """Change how long before its start the owner is reminded of an event (None: never)."""
    minutes = clean_reminder_minutes(minutes)
    event = get_own_event(owner_tg_id, event_id, for_update=True)
    event.reminder_minutes = minutes
    _schedule_reminder(event, _owner(owner_tg_id).timezone)
    event.save(update_fields=["reminder_minutes", "remind_at", "reminder_sent_at", "updated_at"])
    return event


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
    not have passed, and the reminder is scheduled again for it."""
    event = get_own_event(owner_tg_id, event_id, for_update=True)
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
        owner = _registered(owner_tg_id)
        ensure_not_past(owner, date, time)
        event.date, event.time = date, time
        _schedule_reminder(event, owner.timezone)
        changed += ["date", "time", "remind_at", "reminder_sent_at"]
    event.save(update_fields=[*changed, "updated_at"])
    bump_user_counter(owner_tg_id, "events_edited")
    bump_daily_statistics(edited_events=1)
    return event


def update_event_details(owner_tg_id: int, event_id: int, details: str) -> Event:
    return update_event(owner_tg_id=owner_tg_id, event_id=event_id, details=details)


@transaction.atomic
def delete_event(owner_tg_id: int, event_id: int) -> Event:
    """Delete the event; meetings keep their history (the link is cleared by SET_NULL), and
    the active ones are cancelled with their guests told."""
    from .appointments import cancel_meetings_of_deleted_event

    event = get_own_event(owner_tg_id, event_id, for_update=True)
    cancel_meetings_of_deleted_event(event)
    event.delete()
    event.pk = event_id  # keep the id on the returned copy for the confirmation message
    bump_user_counter(owner_tg_id, "events_cancelled")
    bump_daily_statistics(cancelled_events=1)
    return event


@transaction.atomic
def set_event_visibility(owner_tg_id: int, event_id: int, *, is_public: bool) -> Event:
    event = get_own_event(owner_tg_id, event_id, for_update=True)
    if event.is_public != is_public:
        event.is_public = is_public
        event.save(update_fields=["is_public", "updated_at"])
    return event
