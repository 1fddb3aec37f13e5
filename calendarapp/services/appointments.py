"""Meetings: invitations, answers and cancellations, with their notifications.

The same rules serve the bot's /invite dialog and `POST /api/appointments/`.
"""

import datetime as dt
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone

from calendarapp.exceptions import Conflict, NotFound, ValidationFailed
from calendarapp.models import (
    APPOINTMENT_DETAILS_MAX_LENGTH,
    Appointment,
    Event,
    Invitation,
    TgUser,
)
from calendarapp.selectors.busy import meeting_instants, participant_busy
from calendarapp.selectors.events import get_own_event
from calendarapp.selectors.occurrences import occurrence_event

from . import outbox
from .dates import ensure_date_in_range
from .lengths import clean_multiline
from .statistics import bump_daily_statistics

# Kinds of outbox messages the bot knows how to render.
INVITATION = "invitation"
INVITATION_ANSWERED = "invitation_answered"
APPOINTMENT_CANCELLED = "appointment_cancelled"
INVITATION_UNDELIVERED = "invitation_undelivered"
MEETING_MOVED = "meeting_moved"


def clean_appointment_details(details: str) -> str:
    return clean_multiline(details, limit=APPOINTMENT_DETAILS_MAX_LENGTH, code="comment_too_long")


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


class _Invitation(NamedTuple):
    """An invitation that passed every rule: on an overridden day, the override's event,
    date and time."""

    organizer: TgUser
    event: Event
    participant: TgUser
    date: dt.date
    time: dt.time


def _checked_invitation(
    *,
    organizer_tg_id: int,
    participant_tg_id: int,
    event_id: int,
    lock: bool = False,
    date: dt.date | None = None,
    time: dt.time | None = None,
    whole_series: bool = False,
) -> _Invitation:
    """Every rule of an invitation (`lock`: the participant's row, as the write does).
    On a series the date must be an occurrence (an overridden day's meeting is on its
    override), or `whole_series` invites to every occurrence."""
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
    if whole_series and (date is not None or time is not None):
        raise ValidationFailed(
            "A whole-series invitation takes the series' own dates and times.",
            code="whole_series_with_date",
        )
    date = date or event.date
    on = occurrence_event(event=event, date=date, whole_series=whole_series)
    if on is not event:  # an overridden day: the override's own date and time
        event, date, time = on, on.date, time or on.time
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
    instants = meeting_instants(
        event=event, organizer=organizer, date=date, time=time, whole_series=whole_series
    )
    if participant_busy(participant_id=participant.pk, instants=instants):
        raise Conflict(
            "Participant {tg_id} already has a meeting on {date} at {time}.",
            code="participant_busy",
            tg_id=participant_tg_id,
            date=date,
            time=time,
        )
    return _Invitation(organizer, event, participant, date, time)


def check_invitation(
    *,
    organizer_tg_id: int,
    participant_tg_id: int,
    event_id: int,
    date: dt.date | None = None,
    whole_series: bool = False,
) -> Event:
    """Would this invitation be accepted now? (The dialog asks before the comment.)"""
    return _checked_invitation(
        organizer_tg_id=organizer_tg_id,
        participant_tg_id=participant_tg_id,
        event_id=event_id,
        date=date,
        whole_series=whole_series,
    ).event


def add_meeting(
    *,
    organizer_tg_id: int,
    participant_tg_id: int,
    event_id: int,
    details: str,
    date: dt.date | None = None,
    time: dt.time | None = None,
    whole_series: bool = False,
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
        whole_series=whole_series,
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
                whole_series=whole_series,
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


@transaction.atomic
def create_appointment(
    *,
    organizer_tg_id: int,
    participant_tg_id: int,
    event_id: int,
    details: str = "",
    date: dt.date | None = None,
    time: dt.time | None = None,
    whole_series: bool = False,
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
        whole_series=whole_series,
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


def tell_organizer_the_answer(appointment: Appointment, *, accept: bool) -> None:
    outbox.enqueue(
        chat_id=appointment.organizer_id,
        kind=INVITATION_ANSWERED,
        appointment_id=appointment.pk,
        accepted=accept,
    )


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
