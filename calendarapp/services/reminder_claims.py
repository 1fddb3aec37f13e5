"""When reminders fall due, and claiming them into the outbox exactly once.

Each `Reminder` row (an event and a lead time) keeps the next occurrence not reminded yet
and the instant that reminder is due. The bot runs `claim_all_due_reminders` every few
seconds: one short transaction locks due rows (`skip_locked`, so two bot processes never
take the same one), writes one outbox row per recipient and moves each row to its next
occurrence. A crash before the commit leaves the rows due; after it, the outbox has the
messages. So every (event, occurrence, lead) is queued once, across restarts too. A bot
that was down sends what is still of use (occurrences not begun) and drops the rest.

Occurrences are expanded on the owner's wall clock (services.recurrence) and turned into
instants last, so a 10:00 series is reminded at 09:50 in summer and winter alike. The claim
does not trust the stored occurrence blindly: it takes the series' first occurrence on or
after that day, so a day cancelled since (EXDATE), one given to an override since, or a rule
changed underneath is skipped.
Writers that move an event's moments call `reschedule_event_reminders`.
"""

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from calendarapp.models import Appointment, Event, OutboxMessage, Reminder, SnoozedReminder
from calendarapp.selectors.occurrences import overridden_days
from calendarapp.timezones import starts_at, zone_of

from .recurrence import series

REMINDER = "reminder"


class Occurrences:
    """An event's occurrences on its owner's wall clock (naive), and their instants.

    A series leaves out the days its overrides stand in for: such a day is reminded through
    its override row (an event of its own, with its own reminders), so once. `replaced`:
    those days (ISO) when the caller read them already (None: one query here)."""

    def __init__(self, event: Event, *, replaced=None):
        self.event = event
        self.zone = event.owner.timezone
        self.start = dt.datetime.combine(event.date, event.time)
        self._rules = None
        if event.rrule:
            if replaced is None:
                replaced = overridden_days([event.pk]).get(event.pk, ()) if event.pk else ()
            self._rules = series(
                rule=event.rrule,
                date=event.date,
                time=event.time,
                exdates=[*event.exdates, *replaced],
            )

    def after(self, moment: dt.datetime, *, inclusive: bool = False) -> dt.datetime | None:
        if self._rules is None:
            later = self.start > moment or (inclusive and self.start == moment)
            return self.start if later else None
        return self._rules.after(moment, inc=inclusive)

    def on_or_after(self, day: dt.date) -> dt.datetime | None:
        return self.after(dt.datetime.combine(day, dt.time.min), inclusive=True)

    def instant(self, moment: dt.datetime) -> dt.datetime:
        return starts_at(date=moment.date(), time=moment.time(), zone_name=self.zone)

    def reminder_at(self, moment: dt.datetime, minutes: int) -> dt.datetime:
        """When a reminder `minutes` before the occurrence is due. Whole days count on the
        wall clock: "a day before" a 10:00 is 10:00 the day before, also across a
        daylight-saving change (23 or 25 hours then)."""
        days, rest = divmod(minutes, 1440)
        if rest == 0:
            earlier = moment - dt.timedelta(days=days)
            return starts_at(date=earlier.date(), time=earlier.time(), zone_name=self.zone)
        return self.instant(moment) - dt.timedelta(minutes=minutes)

    def is_occurrence(self, day: dt.date) -> bool:
        found = self.on_or_after(day)
        return found is not None and found.date() == day

    def first_starting_after(self, now: dt.datetime, *, after: dt.datetime | None = None):
        """The first occurrence (later than `after`, if given) that starts after `now`."""
        local = now.astimezone(zone_of(self.zone)).replace(tzinfo=None)
        # The owner's wall clock minus a day: any offset change is within it, and the loop
        # below settles the exact instant.
        moment = local - dt.timedelta(days=1)
        inclusive = after is None
        if after is not None and after >= moment:
            moment = after
        while (found := self.after(moment, inclusive=inclusive)) is not None:
            if self.instant(found) > now:
                return found
            moment, inclusive = found, False
        return None


def _next_due(reminder: Reminder, occurrences: Occurrences, moment, now) -> None:
    """Point the row at `moment` (an occurrence, or None: nothing left)."""
    if moment is None:
        reminder.occurrence = reminder.next_at = None
        return
    reminder.occurrence = moment.date()
    reminder.next_at = occurrences.reminder_at(moment, reminder.minutes)


def schedule(reminder: Reminder, occurrences: Occurrences, *, now: dt.datetime) -> None:
    """The first occurrence whose reminder is still ahead: one whose lead time has begun is
    not reminded (the person is looking at the event right now)."""
    moment = occurrences.first_starting_after(now)
    while moment is not None and occurrences.reminder_at(moment, reminder.minutes) <= now:
        moment = occurrences.after(moment)
    _next_due(reminder, occurrences, moment, now)


def reschedule_event_reminders(*, event: Event, now: dt.datetime | None = None) -> None:
    """After the event's moment, rule, exceptions, overrides or owner's zone changed."""
    reschedule_reminders(events=[event], now=now)


def reschedule_reminders(*, events: list[Event], now: dt.datetime | None = None) -> None:
    """reschedule_event_reminders for many events (an import) in a few statements a
    chunk; the events' owners must be loaded."""
    now = now or timezone.now()
    by_id = {event.pk: event for event in events}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        rows = list(Reminder.objects.filter(event_id__in=ids[start : start + 500]))
        if not rows:
            continue
        replaced = overridden_days(
            list({row.event_id for row in rows if by_id[row.event_id].rrule})
        )
        timelines: dict[int, Occurrences] = {}
        for row in rows:
            event = by_id[row.event_id]
            occurrences = timelines.get(event.pk) or timelines.setdefault(
                event.pk, Occurrences(event, replaced=replaced.get(event.pk, ()))
            )
            schedule(row, occurrences, now=now)
        _move_on(rows)


def claim_due_reminders(*, now: dt.datetime | None = None, limit: int = 100) -> int:
    """Queue the reminders that are due (one batch); returns how many messages were queued.

    A reminder whose occurrence has already started is dropped without a message: it is no
    longer useful (the bot was down past it)."""
    return _claim_batch(now=now or timezone.now(), limit=limit)[1]


def claim_all_due_reminders(
    *, now: dt.datetime | None = None, limit: int = 100, max_batches: int = 50
) -> int:
    """Queue everything due, a batch (one short transaction) at a time; a burst of reminders
    is queued at once and paced by the outbox dispatcher, not by this job's interval."""
    now = now or timezone.now()
    queued = 0
    for _ in range(max_batches):
        claimed, batch_queued = _claim_batch(now=now, limit=limit)
        queued += batch_queued
        if claimed < limit:
            break
    return queued + _claim_snoozed(now=now, limit=limit * max_batches)


def _guests(event_ids) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for event_id, participant_id in Appointment.objects.filter(
        event_id__in=event_ids, status=Appointment.Status.CONFIRMED
    ).values_list("event_id", "participant_id"):
        found.setdefault(event_id, []).append(participant_id)
    return found


def message(*, chat_id: int, event_id: int, day: dt.date, **extra) -> OutboxMessage:
    payload = {"event_id": event_id, "on": day.isoformat(), **extra}
    return OutboxMessage(chat_id=chat_id, kind=REMINDER, payload=payload)


@transaction.atomic
def _claim_batch(*, now: dt.datetime, limit: int) -> tuple[int, int]:
    """(reminders claimed, messages queued) for one locked batch of due rows."""
    due = list(
        Reminder.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(next_at__lte=now)
        .select_related("event__owner")
        .order_by("next_at", "id")[:limit]
    )
    if not due:
        return 0, 0
    guests = _guests({reminder.event_id for reminder in due})
    replaced = overridden_days(list({r.event_id for r in due if r.event.rrule}))
    timelines: dict[int, Occurrences] = {}
    messages = []
    for reminder in due:
        event = reminder.event
        occurrences = timelines.get(event.pk) or timelines.setdefault(
            event.pk, Occurrences(event, replaced=replaced.get(event.pk, ()))
        )
        moment = occurrences.on_or_after(reminder.occurrence or event.date)
        # The row's instant says when, as long as its day is still an occurrence; a day
        # cancelled since is passed over, and the next one's time is computed afresh.
        trusted = moment is not None and moment.date() == reminder.occurrence
        # Several of this row's reminders may be due at once (a bot down for days, a lead
        # longer than the series' interval): each occurrence not yet begun is reminded once.
        while moment is not None and (
            trusted or occurrences.reminder_at(moment, reminder.minutes) <= now
        ):
            trusted = False
            if occurrences.instant(moment) > now:
                messages += [
                    message(
                        chat_id=chat_id, event_id=event.pk, day=moment.date(), lead=reminder.minutes
                    )
                    for chat_id in [event.owner_id, *guests.get(event.pk, [])]
                ]
                moment = occurrences.after(moment)
            else:
                moment = occurrences.first_starting_after(now, after=moment)
        _next_due(reminder, occurrences, moment, now)
    OutboxMessage.objects.bulk_create(messages)
    _move_on(due)
    return len(due), len(messages)


def _move_on(rows: list[Reminder]) -> None:
    """Write each row's new occurrence and instant in one statement. Django's bulk_update
    builds a CASE per row and field, which cost more than the rest of the claim."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE calendarapp_reminder AS r"
                " SET occurrence = v.occurrence, next_at = v.next_at"
                " FROM unnest(%s::bigint[], %s::date[], %s::timestamptz[])"
                " AS v(id, occurrence, next_at) WHERE r.id = v.id",
                [
                    [row.pk for row in rows],
                    [row.occurrence for row in rows],
                    [row.next_at for row in rows],
                ],
            )
        return
    groups: dict[tuple, list[int]] = {}
    for row in rows:  # rows due together mostly move to the same values
        groups.setdefault((row.occurrence, row.next_at), []).append(row.pk)
    for (occurrence, next_at), ids in groups.items():
        Reminder.objects.filter(pk__in=ids).update(occurrence=occurrence, next_at=next_at)


def _claim_snoozed(*, now: dt.datetime, limit: int) -> int:
    """Reminders put off until now: queued once each, like the others."""
    waiting = SnoozedReminder.objects.filter(queued_at__isnull=True, due_at__lte=now)
    # Usually none: learn that with a plain read, without locks (on SQLite every
    # transaction takes the write lock).
    if not waiting.exists():
        return 0
    with transaction.atomic():
        due = list(waiting.select_for_update(skip_locked=True).order_by("due_at", "id")[:limit])
        OutboxMessage.objects.bulk_create(
            message(chat_id=row.chat_id, event_id=row.event_id, day=row.occurrence, snoozed=True)
            for row in due
        )
        SnoozedReminder.objects.filter(pk__in=[row.pk for row in due]).update(queued_at=now)
    return len(due)
