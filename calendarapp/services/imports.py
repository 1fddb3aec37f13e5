"""Importing an .ics file into a person's calendar: a preview first, then the import.

The file is read by services.ics_read (bounded cost, a reason for every event left out).
Each imported event keeps the file's UID (`Event.ics_uid`, unique per owner), so importing
the same file again updates those events instead of adding them twice; the UIDs of our own
export (`event-<id>@calendar-bot`) find the owner's own events. An event the file leaves
as it is keeps its row and its reminders untouched (none is sent again). A VEVENT's VALARMs
(services.ics_read) are its lead times, for a new event and an updated one alike; without
them a new event gets the owner's default lead time and an existing one keeps its own. A
moved event keeps its lead times, due for its new moments.

Between the preview and «Импортировать» the file waits in an `ImportDraft` (one per person,
the newest wins), so a restart in between loses nothing.
"""

import datetime as dt
import secrets
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from calendarapp.exceptions import DomainError, ValidationFailed
from calendarapp.models import Event, ImportDraft, TgUser
from calendarapp.selectors.users import registered_user
from calendarapp.timezones import starts_at

from . import outbox
from .appointment_cascades import move_meetings_of_moved_event
from .ics_read import Entry, Reading, read_ics
from .reminder_claims import reschedule_reminders
from .reminders import remind_new_events, set_leads
from .statistics import bump_daily_statistics

DRAFT_MAX_AGE = dt.timedelta(days=1)
SOURCE_MAX_LENGTH = 300
_COMPARED = ("name", "details", "date", "time", "rrule", "exdates")
_WRITTEN = [*_COMPARED, "starts_at", "updated_at"]
_OVERRIDE_FIELDS = ["recurrence_of", "recurrence_id"]
_MOMENTS = ("date", "time", "rrule", "exdates")  # what the reminders' schedule follows


@dataclass
class Summary:
    """What a file holds for its reader (a preview), or what importing it did."""

    events: int = 0  # one-off events, moved occurrences included
    series: int = 0
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    new: int = 0
    existing: int = 0  # already in the calendar from an earlier import: updated
    unchanged: int = 0  # of those, the ones the file leaves as they are
    skipped: dict = field(default_factory=dict)  # reason code -> count
    skipped_examples: dict = field(default_factory=dict)  # reason code -> a few names
    # all_day, shortened, override, other_zone, rdate; alarm_adjusted, alarm_merged,
    # alarm_absolute, alarm_after_start, alarm_unsupported (VALARMs, services.ics_read)
    notes: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.events + self.series

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("first_date", "last_date"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def _matches(owner: TgUser, entries: list[Entry]) -> dict[int, Event]:
    """entry index -> the owner's event it updates."""
    keys = {entry.key for entry in entries}
    by_key = {}
    for start in range(0, len(entries), 500):
        chunk = [entry.key for entry in entries[start : start + 500]]
        for event in Event.objects.filter(owner=owner, ics_uid__in=chunk).prefetch_related(
            "reminders"
        ):
            by_key[event.ics_uid] = event
    own_ids = [entry.own_id for entry in entries if entry.own_id and entry.key not in by_key]
    by_id = {
        event.pk: event
        for event in Event.objects.filter(owner=owner, pk__in=own_ids)
        .exclude(ics_uid__in=keys)
        .prefetch_related("reminders")
    }
    found = {}
    for index, entry in enumerate(entries):
        event = by_key.get(entry.key) or by_id.get(entry.own_id)
        if event is not None:
            found[index] = event
    return found


def _series(owner: TgUser, entries: list[Entry], matches: dict[int, Event]) -> dict:
    """Override entry index -> its series: the owner's event, or the index of the file's
    entry that becomes it. An override whose series is in neither stays a one-off event."""
    in_file = {entry.key: index for index, entry in enumerate(entries) if not entry.series_key}
    elsewhere = [entry for entry in entries if entry.series_key not in in_file]
    keys = {entry.series_key for entry in elsewhere if entry.series_key}
    ids = {entry.series_own_id for entry in elsewhere if entry.series_own_id}
    stored = Event.objects.filter(owner=owner).exclude(rrule="")
    by_key = {event.ics_uid: event for event in stored.filter(ics_uid__in=keys)}
    by_id = {event.pk: event for event in stored.filter(pk__in=ids)}
    found = {}
    for index, entry in enumerate(entries):
        if not entry.series_key:
            continue
        if entry.series_key in in_file:
            master = in_file[entry.series_key]
            found[index] = matches.get(master, master)
        elif series := by_key.get(entry.series_key) or by_id.get(entry.series_own_id):
            found[index] = series
    return found


def _overrides_in_place(owner: TgUser, entries: list[Entry], matches: dict, series: dict) -> None:
    """Overrides the calendar already has for an entry's day of a series (an occurrence
    edited in the bot, our own export read back) are the ones the entries update."""
    known = {
        index: row
        for index, row in series.items()
        if isinstance(row, Event) and index not in matches
    }
    if not known:
        return
    rows = Event.objects.filter(
        owner=owner,
        recurrence_of__in=[row.pk for row in known.values()],
        recurrence_id__in={entries[index].recurrence_id for index in known},
    ).prefetch_related("reminders")
    by_day = {(row.recurrence_of_id, row.recurrence_id): row for row in rows}
    for index, row in known.items():
        override = by_day.get((row.pk, entries[index].recurrence_id))
        if override is not None:
            matches[index] = override


def _plan(owner: TgUser, entries: list[Entry]) -> tuple[dict[int, Event], dict]:
    matches = _matches(owner, entries)
    series = _series(owner, entries, matches)
    _overrides_in_place(owner, entries, matches, series)
    return matches, series


def _same(event: Event, entry: Entry, series: Event | int | None = None) -> bool:
    """Nothing to write: the same fields, and the same series (an int: one still to come)."""
    if isinstance(series, int):
        return False
    linked = (series.pk, entry.recurrence_id) if series is not None else (None, None)
    if (event.recurrence_of_id, event.recurrence_id) != linked:
        return False
    if entry.leads is not None and entry.leads != event.leads:
        return False
    return all(getattr(event, name) == getattr(entry, name) for name in _COMPARED)


def _summary(reading: Reading, matches: dict[int, Event], of_series: dict) -> Summary:
    entries = reading.entries
    dates = [entry.date for entry in entries]
    series = sum(1 for entry in entries if entry.rrule)
    unchanged = sum(
        1 for index, event in matches.items() if _same(event, entries[index], of_series.get(index))
    )
    return Summary(
        events=len(entries) - series,
        series=series,
        first_date=min(dates, default=None),
        last_date=max(dates, default=None),
        new=len(entries) - len(matches),
        existing=len(matches),
        unchanged=unchanged,
        skipped=dict(reading.skipped),
        skipped_examples=dict(reading.examples),
        notes=dict(reading.notes),
    )


def preview_ics(*, owner_tg_id: int, data: bytes) -> Summary:
    """What importing `data` would do, without doing it."""
    owner = registered_user(owner_tg_id)
    reading = read_ics(data=data, owner=owner)
    return _summary(reading, *_plan(owner, reading.entries))


def _fill(
    event: Event, entry: Entry, *, zone_name: str, now: dt.datetime, series: Event | None
) -> None:
    for name in _COMPARED:
        setattr(event, name, getattr(entry, name))
    event.recurrence_of = series
    event.recurrence_id = entry.recurrence_id if series is not None else None
    event.starts_at = starts_at(date=entry.date, time=entry.time, zone_name=zone_name)
    event.updated_at = now


@transaction.atomic
def import_ics(*, owner_tg_id: int, data: bytes) -> Summary:
    """Import `data` into the owner's calendar: new events get their VALARMs' lead times
    (else the owner's default), events from an earlier import of the same UIDs are updated.
    Returns what was done."""
    registered_user(owner_tg_id)
    # One import of a person at a time: two at once would both insert the same UIDs.
    owner = TgUser.objects.select_for_update().get(pk=owner_tg_id)
    reading = read_ics(data=data, owner=owner)
    matches, of_series = _plan(owner, reading.entries)
    summary = _summary(reading, matches, of_series)
    now = timezone.now()
    created, updated, moved, rescheduled = [], [], [], []
    new_leads, changed_leads = [], []
    default = [owner.default_reminder_minutes] if owner.default_reminder_minutes else []
    rows: dict[int, Event] = {}
    # Series and one-off events first (their own batch), so that each override's series
    # has its id when the overrides are inserted.
    plain = [index for index in range(len(reading.entries)) if index not in of_series]
    for batch in (plain, list(of_series)):
        inserted = []
        for index in batch:
            entry, event = reading.entries[index], matches.get(index)
            series = of_series.get(index)
            series = rows[series] if isinstance(series, int) else series
            if event is None:
                event = Event(owner=owner, ics_uid=entry.key, created_at=now)
                _fill(event, entry, zone_name=owner.timezone, now=now, series=series)
                inserted.append(event)
                new_leads.append(default if entry.leads is None else entry.leads)
            elif not _same(event, entry, series):
                before = (event.date, event.time)
                moments = [getattr(event, name) for name in _MOMENTS]
                event.owner = owner
                _fill(event, entry, zone_name=owner.timezone, now=now, series=series)
                updated.append(event)
                if moments != [getattr(event, name) for name in _MOMENTS]:
                    rescheduled.append(event)
                if before != (event.date, event.time):
                    moved.append((event, *before))
                if entry.leads is not None and entry.leads != event.leads:
                    changed_leads.append((event, entry.leads))
            rows[index] = event
        Event.objects.bulk_create(inserted, batch_size=500)
        created += inserted
    Event.objects.bulk_update(updated, [*_WRITTEN, *_OVERRIDE_FIELDS], batch_size=500)
    remind_new_events(events=created, leads=new_leads, now=now)
    # After the rows are written, so that new lead times are scheduled for the new moments.
    for event, leads in changed_leads:
        set_leads(event=event, leads=leads, now=now)
    reschedule_reminders(events=rescheduled, now=now)
    for event, old_date, old_time in moved:
        move_meetings_of_moved_event(event=event, old_date=old_date, old_time=old_time)
    if created:
        TgUser.objects.filter(pk=owner.pk).update(events_created=F("events_created") + len(created))
        bump_daily_statistics(event_count=len(created))
    return summary


# --- the preview's file, kept until «Импортировать» ---------------------------------------


def offer_import(*, owner_tg_id: int, data: bytes, source: str) -> tuple[Summary, str]:
    """Preview `data` and keep it for confirm_import; returns the preview and the token the
    buttons carry (a newer preview replaces this one, and its token)."""
    summary = preview_ics(owner_tg_id=owner_tg_id, data=data)
    token = secrets.token_urlsafe(9)
    ImportDraft.objects.update_or_create(
        owner_id=owner_tg_id,
        defaults={
            "token": token,
            "source": source[:SOURCE_MAX_LENGTH],
            "content": data.decode("utf-8", errors="replace"),
        },
    )
    return summary, token


def _draft(owner_tg_id: int, token: str) -> ImportDraft:
    draft = ImportDraft.objects.select_for_update().filter(owner_id=owner_tg_id).first()
    if (
        draft is None
        or not secrets.compare_digest(draft.token, token)
        or draft.created_at < timezone.now() - DRAFT_MAX_AGE
    ):
        raise ValidationFailed(
            "This import preview is no longer valid; send the file again.",
            code="import_draft_gone",
        )
    return draft


@transaction.atomic
def confirm_import(*, owner_tg_id: int, token: str) -> tuple[Summary, str]:
    """«Импортировать»: import the file kept by offer_import (once). Returns what was done
    and where the file came from."""
    draft = _draft(owner_tg_id, token)
    summary = import_ics(owner_tg_id=owner_tg_id, data=draft.content.encode("utf-8"))
    source = draft.source
    draft.delete()
    return summary, source


@transaction.atomic
def drop_import(*, owner_tg_id: int, token: str) -> None:
    """«Отмена»: forget the kept file."""
    _draft(owner_tg_id, token).delete()


# --- the bot's way: the file is fetched outside the update, the preview sent by the outbox --

IMPORT_PREVIEW = "import_preview"
IMPORT_FAILED = "import_failed"


@transaction.atomic
def announce_import(*, owner_tg_id: int, data: bytes, source: str) -> None:
    """offer_import, and its preview queued for the person (the outbox sends it, with the
    buttons' token); a file refused as a whole queues the reason instead."""
    try:
        with transaction.atomic():
            summary, token = offer_import(owner_tg_id=owner_tg_id, data=data, source=source)
    except ValidationFailed as error:
        announce_failure(owner_tg_id=owner_tg_id, error=error, source=source)
        return
    outbox.enqueue(
        chat_id=owner_tg_id,
        kind=IMPORT_PREVIEW,
        token=token,
        source=source[:SOURCE_MAX_LENGTH],
        summary=summary.as_dict(),
    )


def announce_failure(*, owner_tg_id: int, error: DomainError, source: str) -> None:
    outbox.enqueue(
        chat_id=owner_tg_id,
        kind=IMPORT_FAILED,
        code=error.code,
        params=error.params,
        source=source[:SOURCE_MAX_LENGTH],
    )
