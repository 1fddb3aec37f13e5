"""Meetings: invitations, answers and cancellations, with their notifications.

The same rules serve the bot's /invite dialog and `POST /api/appointments/`.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from calendarapp.exceptions import Conflict, NotFound, ValidationFailed
from calendarapp.models import (
    APPOINTMENT_DETAILS_MAX_LENGTH,
    Appointment,
    Event,
    Invitation,
    TgUser,
)
from calendarapp.selectors.events import get_own_event
from calendarapp.text import clean_text
from calendarapp.timezones import starts_at

from . import outbox
from .dates import ensure_date_in_range
from .recurrence import series
from .statistics import bump_daily_statistics

# Kinds of outbox messages the bot knows how to render.
INVITATION = "invitation"
INVITATION_ANSWERED = "invitation_answered"
APPOINTMENT_CANCELLED = "appointment_cancelled"
INVITATION_UNDELIVERED = "invitation_undelivered"
MEETING_MOVED = "meeting_moved"


def clean_appointment_details(details: str) -> str:
    details = clean_text(details, multiline=True).strip()
    if len(details) > APPOINTMENT_DETAILS_MAX_LENGTH:
        raise ValidationFailed(
            "The comment is longer than {limit} characters.",
            code="comment_too_long",
            limit=APPOINTMENT_DETAILS_MAX_LENGTH,
        )
    return details


def _participant_busy(*, participant_id: int, instant: dt.datetime) -> bool:
    """Busy: a pending or confirmed meeting at that instant, as guest or as organiser (9:00
    in New York and 9:00 in Novosibirsk are different moments)."""
    return Appointment.objects.filter(
        Q(participant_id=participant_id) | Q(organizer_id=participant_id),
        starts_at=instant,
        status__in=Appointment.ACTIVE_STATUSES,
    ).exists()


def _refuse_self(*, organizer_tg_id: int, participant_tg_id: int) -> None:
    if organizer_tg_id == participant_tg_id:
        raise ValidationFailed("You cannot invite yourself.", code="invite_self")


def check_invitee(*, organizer_tg_id: int, participant_tg_id: int, lock: bool = False) -> TgUser:
    """The person to invite, if they can be invited at all (the dialog checks early, the
    invitation itself again): not oneself, and known. Someone the bot cannot write to yet
    (a profile made through the API, or who blocked the bot) is invited by a link
    (services.invitations) instead of a message."""
    _refuse_self(organizer_tg_id=organizer_tg_id, participant_tg_id=participant_tg_id)
    queryset = TgUser.objects.filter(pk=participant_tg_id)
    if lock:  # invitations to one person are serialised, so the busy check holds
        queryset = queryset.select_for_update()
    participant = queryset.first()
    if participant is None:
        raise NotFound(
            "Participant {tg_id} is not registered.",
            code="participant_not_found",
            tg_id=participant_tg_id,
        )
    return participant


def _checked_invitation(
    *,
    organizer_tg_id: int,
    participant_tg_id: int,
    event_id: int,
    lock: bool,
    date: dt.date | None = None,
    time: dt.time | None = None,
):
    """Every rule of an invitation; returns (organizer, event, participant, date, time)."""
    _refuse_self(organizer_tg_id=organizer_tg_id, participant_tg_id=participant_tg_id)
    organizer = TgUser.objects.filter(pk=organizer_tg_id).first()
    if organizer is None:
        raise NotFound(
            "Organizer {tg_id} is not registered.",
            code="organizer_not_found",
            tg_id=organizer_tg_id,
        )
    event = get_own_event(owner_tg_id=organizer_tg_id, event_id=event_id)
    participant = check_invitee(
        organizer_tg_id=organizer_tg_id, participant_tg_id=participant_tg_id, lock=lock
    )
    date = date or event.date
    # The events' range; past dates stay allowed, as in the original project.
    ensure_date_in_range(user=organizer, date=date)
    time = (time or event.time).replace(second=0, microsecond=0, tzinfo=None)
    if Appointment.objects.filter(
        event=event, participant=participant, status__in=Appointment.ACTIVE_STATUSES
    ).exists():
        raise Conflict(
            "Participant {tg_id} is already invited to this event.",
            code="already_invited",
            tg_id=participant_tg_id,
        )
    instant = starts_at(date=date, time=time, zone_name=organizer.timezone)
    if _participant_busy(participant_id=participant.pk, instant=instant):
        raise Conflict(
            "Participant {tg_id} already has a meeting on {date} at {time}.",
            code="participant_busy",
            tg_id=participant_tg_id,
            date=date.isoformat(),
            time=time.strftime("%H:%M"),
        )
    return organizer, event, participant, date, time


def check_invitation(*, organizer_tg_id: int, participant_tg_id: int, event_id: int) -> Event:
    """Would this invitation be accepted now? (The dialog asks before the comment.)"""
    checked = _checked_invitation(
        organizer_tg_id=organizer_tg_id,
        participant_tg_id=participant_tg_id,
        event_id=event_id,
        lock=False,
    )
    return checked[1]


def add_meeting(
    *,
    organizer_tg_id: int,
    participant_tg_id: int,
    event_id: int,
    details: str,
    date: dt.date | None = None,
    time: dt.time | None = None,
    answer: bool | None = None,
) -> Appointment:
    """A new meeting that passed every rule of an invitation, pending or (`answer`) already
    answered; counted in today's statistics. The participant's row is locked, so two
    invitations for the same moment cannot both pass the busy check (PostgreSQL). Callers
    run it inside their transaction and tell whoever must be told."""
    organizer, event, participant, date, time = _checked_invitation(
        organizer_tg_id=organizer_tg_id,
        participant_tg_id=participant_tg_id,
        event_id=event_id,
        date=date,
        time=time,
        lock=True,
    )
    status = Appointment.Status.PENDING
    if answer is not None:
        status = Appointment.Status.CONFIRMED if answer else Appointment.Status.CANCELLED
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                event=event,
                organizer=organizer,
                participant=participant,
                date=date,
                time=time,
                details=details,
                status=status,
                responded_at=None if answer is None else timezone.now(),
            )
    except IntegrityError:
        raise Conflict(
            "Participant {tg_id} is already invited to this event.",
            code="already_invited",
            tg_id=participant_tg_id,
        ) from None
    bump_daily_statistics(appointment_count=1)
    return appointment


def tell_organizer_the_answer(appointment: Appointment, *, accept: bool) -> None:
    outbox.enqueue(
        chat_id=appointment.organizer_id,
        kind=INVITATION_ANSWERED,
        appointment_id=appointment.pk,
        accepted=accept,
    )


@transaction.atomic
def create_appointment(
    *,
    organizer_tg_id: int,
    participant_tg_id: int,
    event_id: int,
    details: str = "",
    date: dt.date | None = None,
    time: dt.time | None = None,
) -> Appointment:
    """Invite a participant to one of the organiser's events; the invitation goes out
    through the outbox in the same transaction, or, to someone the bot cannot write to yet,
    waits for their first /start with a link the organiser can forward
    (`appointment.invitation`)."""
    appointment = add_meeting(
        organizer_tg_id=organizer_tg_id,
        participant_tg_id=participant_tg_id,
        event_id=event_id,
        details=clean_appointment_details(details),
        date=date,
        time=time,
    )
    participant = appointment.participant
    if participant.can_receive_messages:
        outbox.enqueue(chat_id=participant.pk, kind=INVITATION, appointment_id=appointment.pk)
    else:
        Invitation.issue(
            event=appointment.event,
            organizer=appointment.organizer,
            invitee_tg_id=participant.pk,
            appointment=appointment,
            details=appointment.details,
        )
    return appointment


@transaction.atomic
def respond_to_invitation(
    *, participant_tg_id: int, appointment_id: int, accept: bool
) -> Appointment:
    """Accept or decline a pending invitation exactly once.

    The row is locked, so two presses at once make one transition; a later press raises
    Conflict with the status already recorded (`params["status"]`).
    """
    appointment = (
        Appointment.objects.select_for_update()
        .filter(pk=appointment_id, participant_id=participant_tg_id)
        .first()
    )
    if appointment is None:
        raise NotFound(
            "Invitation {appointment_id} was not found.",
            code="appointment_not_found",
            appointment_id=appointment_id,
        )
    if appointment.status != Appointment.Status.PENDING:
        raise Conflict(
            "This invitation was already answered ({status}).",
            code="already_answered",
            status=appointment.status,
        )
    appointment.status = Appointment.Status.CONFIRMED if accept else Appointment.Status.CANCELLED
    appointment.responded_at = timezone.now()
    appointment.save(update_fields=["status", "responded_at", "updated_at"])
    tell_organizer_the_answer(appointment, accept=accept)
    return appointment


@transaction.atomic
def cancel_appointment(*, actor_tg_id: int, appointment_id: int) -> Appointment:
    """Either side cancels an active meeting; the other side is told."""
    appointment = Appointment.objects.select_for_update().filter(pk=appointment_id).first()
    if appointment is None or actor_tg_id not in (
        appointment.organizer_id,
        appointment.participant_id,
    ):
        raise NotFound(
            "Meeting {appointment_id} was not found.",
            code="appointment_not_found",
            appointment_id=appointment_id,
        )
    if appointment.status == Appointment.Status.CANCELLED:
        raise Conflict(
            "This meeting is already cancelled.",
            code="already_cancelled",
            status=appointment.status,
        )
    appointment.status = Appointment.Status.CANCELLED
    appointment.save(update_fields=["status", "updated_at"])
    other = (
        appointment.participant_id
        if actor_tg_id == appointment.organizer_id
        else appointment.organizer_id
    )
    outbox.enqueue(
        chat_id=other,
        kind=APPOINTMENT_CANCELLED,
        appointment_id=appointment.pk,
        cancelled_by=actor_tg_id,
    )
    return appointment


@transaction.atomic
def cancel_undelivered_invitation(appointment_id: int) -> Appointment | None:
    """The participant blocked the bot before the invitation reached them: the pending
    meeting is cancelled and the organiser told. Answered meetings stay as they are."""
    appointment = (
        Appointment.objects.select_for_update()
        .filter(pk=appointment_id, status=Appointment.Status.PENDING)
        .first()
    )
    if appointment is None:
        return None
    appointment.status = Appointment.Status.CANCELLED
    appointment.save(update_fields=["status", "updated_at"])
    outbox.enqueue(
        chat_id=appointment.organizer_id, kind=INVITATION_UNDELIVERED, appointment_id=appointment.pk
    )
    return appointment


def _on_days(first: dt.date | None, last: dt.date | None) -> Q:
    days = Q()
    if first is not None:
        days &= Q(date__gte=first)
    if last is not None:
        days &= Q(date__lte=last)
    return days


def cancel_meetings_of_deleted_event(
    event: Event, *, first: dt.date | None = None, last: dt.date | None = None
) -> int:
    """The organiser deletes the event (or a series' occurrences on the days first..last):
    its pending and confirmed meetings are cancelled and each guest told (the message keeps
    the event's name: the event row may be about to go)."""
    active = list(
        Appointment.objects.select_for_update()
        .filter(_on_days(first, last), event=event, status__in=Appointment.ACTIVE_STATUSES)
        .values_list("pk", "participant_id")
    )
    if not active:
        return 0
    Appointment.objects.filter(pk__in=[pk for pk, _ in active]).update(
        status=Appointment.Status.CANCELLED, updated_at=timezone.now()
    )
    for pk, participant_id in active:
        outbox.enqueue(
            chat_id=participant_id,
            kind=APPOINTMENT_CANCELLED,
            appointment_id=pk,
            cancelled_by=event.owner_id,
            event_name=event.name,
        )
    return len(active)


def follow_organizer_zone(organizer: TgUser) -> None:
    """The organiser changed zones: their meetings' wall clocks now mean other instants."""
    meetings = Appointment.objects.filter(organizer=organizer).only("pk", "date", "time")
    changed = []
    for meeting in meetings.iterator(chunk_size=2000):
        meeting.starts_at = starts_at(
            date=meeting.date, time=meeting.time, zone_name=organizer.timezone
        )
        changed.append(meeting)
    Appointment.objects.bulk_update(changed, ["starts_at"], batch_size=500)


def hand_meetings_over(
    *, event: Event, to: Event, first: dt.date, last: dt.date | None = None
) -> int:
    """A series' meetings on the days first..last now belong to `to`: the series' rest
    after a split, or the override of one day (which then moves them as it moves)."""
    return Appointment.objects.filter(_on_days(first, last), event=event).update(
        event=to, updated_at=timezone.now()
    )


def _on_occurrences(event: Event, old_date: dt.date, old_time: dt.time, rows) -> list:
    """Of a series' meetings at its old time, the ones on its occurrences as they were."""
    start = dt.datetime.combine(old_date, old_time)
    days = {row[2] for row in rows}
    if not days:
        return []
    happens = {
        moment.date()
        for moment in series(rule=event.rrule, date=old_date, time=old_time).between(
            start, dt.datetime.combine(max(days), old_time), inc=True
        )
    }
    return [row for row in rows if row[2] in happens]


def move_meetings_of_moved_event(*, event: Event, old_date: dt.date, old_time: dt.time) -> int:
    """The organiser moved the event: its pending and confirmed meetings that were at the
    event's old moment move with it, and each guest is told; a series' meetings on its
    later occurrences move by as many days, to its new time. A meeting set for another
    moment of its own stays where it was."""
    rows = list(
        Appointment.objects.select_for_update()
        .filter(
            Q(date__gte=old_date) if event.rrule else Q(date=old_date),
            event=event,
            status__in=Appointment.ACTIVE_STATUSES,
            time=old_time,
        )
        .values_list("pk", "participant_id", "date")
    )
    if event.rrule:
        rows = _on_occurrences(event, old_date, old_time, rows)
    if not rows:
        return 0
    now, shift = timezone.now(), event.date - old_date
    # The organiser is the event's owner: the meetings' wall clock is the event's.
    for pk, _participant, date in rows:
        day = date + shift
        Appointment.objects.filter(pk=pk).update(
            date=day,
            time=event.time,
            starts_at=starts_at(date=day, time=event.time, zone_name=event.owner.timezone),
            updated_at=now,
        )
    for pk, participant_id, _date in rows:
        outbox.enqueue(chat_id=participant_id, kind=MEETING_MOVED, appointment_id=pk)
    return len(rows)
