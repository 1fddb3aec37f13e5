"""Invitation links: a meeting offered to someone who may never have used the bot.

`https://t.me/<bot>?start=i-<code>` opens the bot with `/start i-<code>`; the person sees the
invitation and answers it with a button. Two kinds:

- open (from /invite's «Ссылка-приглашение»): anyone with the link may answer; the first
  answer binds them and creates their meeting;
- addressed (an invitation to a known Telegram id the bot cannot write to yet, from /invite
  or `POST /api/appointments/`): the pending meeting exists at once; only that person may
  answer, and it is delivered by the outbox when they first start the bot.

Each refusal has its own code: unknown or forged, expired, revoked, already answered, for
someone else.
"""

import re

from django.db import transaction
from django.utils import timezone

from calendarapp.exceptions import Conflict, NotFound, PermissionDenied
from calendarapp.models import UNDELIVERED_INVITATIONS, Appointment, Invitation
from calendarapp.selectors.bot_identity import bot_username
from calendarapp.selectors.events import get_own_event

from . import outbox
from .appointments import (
    INVITATION,
    add_meeting,
    clean_appointment_details,
    respond_to_invitation,
    tell_organizer_the_answer,
)

START_PREFIX = "i-"
_PAYLOAD = re.compile(r"^i-([A-Za-z0-9_-]{22})$")


def start_payload(invitation: Invitation) -> str:
    return f"{START_PREFIX}{invitation.code}"


def invitation_code(payload: str) -> str | None:
    """The code in a `/start` payload, or None when the payload is not an invitation's."""
    match = _PAYLOAD.match(payload or "")
    return match.group(1) if match else None


def is_invitation_payload(payload: str) -> bool:
    return (payload or "").startswith(START_PREFIX)


def invite_url(invitation: Invitation, *, username: str | None = None) -> str | None:
    """The t.me link, or None while the bot's username is unknown (it is stored at start)."""
    username = bot_username() if username is None else username
    return f"https://t.me/{username}?start={start_payload(invitation)}" if username else None


@transaction.atomic
def issue_open_invitation(*, organizer_tg_id: int, event_id: int, details: str = "") -> Invitation:
    """A link to one of the organiser's events that anyone may answer, once."""
    event = get_own_event(owner_tg_id=organizer_tg_id, event_id=event_id)
    return Invitation.issue(
        event=event, organizer_id=organizer_tg_id, details=clean_appointment_details(details)
    )


def _checked(invitation: Invitation | None, *, tg_id: int) -> Invitation:
    if invitation is None:
        raise NotFound("This invitation link is not valid.", code="invitation_unknown")
    if invitation.status == Invitation.Status.REVOKED or invitation.event_id is None:
        raise Conflict("The organiser withdrew this invitation.", code="invitation_revoked")
    if invitation.invitee_tg_id is not None and invitation.invitee_tg_id != tg_id:
        raise PermissionDenied(
            "This invitation is for someone else.", code="invitation_for_someone_else"
        )
    if invitation.status != Invitation.Status.OPEN:
        raise Conflict(
            "This invitation was already answered ({status}).",
            code="invitation_answered",
            status=invitation.status,
        )
    if invitation.appointment_id is not None and (
        invitation.appointment.status != Appointment.Status.PENDING
    ):
        raise Conflict(
            "This invitation was already answered ({status}).",
            code="invitation_answered",
            status=invitation.appointment.status,
        )
    if invitation.expires_at <= timezone.now():
        raise Conflict("This invitation link has expired.", code="invitation_expired")
    return invitation


def _by_code(code: str | None, *, lock: bool = False) -> Invitation | None:
    if not code:
        return None
    queryset = Invitation.objects.select_related(
        "event", "organizer", "appointment", "appointment__participant"
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.filter(code=code).first()


@transaction.atomic
def open_invitation(*, payload: str, tg_id: int) -> Invitation:
    """Someone opened a link: the invitation they may answer (or the refusal's reason).
    An addressed invitation counts as delivered: the outbox will not send it again."""
    invitation = _checked(_by_code(invitation_code(payload), lock=True), tg_id=tg_id)
    if invitation.delivered_at is None:
        invitation.delivered_at = timezone.now()
        invitation.save(update_fields=["delivered_at", "updated_at"])
    return invitation


@transaction.atomic
def answer_invitation(*, code: str, tg_id: int, accept: bool) -> Appointment:
    """Accept or decline through a link, exactly once (the invitation row is locked: two
    people pressing an open link at once, one gets the meeting, the other "answered").
    The person must be registered (the bot registers whoever presses)."""
    invitation = _checked(_by_code(code, lock=True), tg_id=tg_id)
    if invitation.appointment_id is not None:
        appointment = respond_to_invitation(
            participant_tg_id=tg_id, appointment_id=invitation.appointment_id, accept=accept
        )
        appointment.event = invitation.event  # loaded already: callers show its name
    else:
        appointment = add_meeting(
            organizer_tg_id=invitation.organizer_id,
            participant_tg_id=tg_id,
            event_id=invitation.event_id,
            details=invitation.details,
            answer=accept,
        )
        tell_organizer_the_answer(appointment, accept=accept)
        invitation.appointment = appointment
    invitation.status = Invitation.Status.ACCEPTED if accept else Invitation.Status.DECLINED
    invitation.save(update_fields=["appointment", "status", "updated_at"])
    return appointment


@transaction.atomic
def revoke_invitation(*, organizer_tg_id: int, code: str) -> Invitation:
    """The organiser withdraws an unanswered link; another person's link is "not found"."""
    invitation = _by_code(code, lock=True)
    if invitation is None or invitation.organizer_id != organizer_tg_id:
        raise NotFound("This invitation link is not valid.", code="invitation_unknown")
    if invitation.status == Invitation.Status.OPEN:
        invitation.status = Invitation.Status.REVOKED
        invitation.save(update_fields=["status", "updated_at"])
    return invitation


@transaction.atomic
def deliver_waiting_invitations(tg_id: int) -> int:
    """The person can be written to now (their first /start): the pending meetings that
    waited for it go out through the outbox, each once."""
    waiting = list(
        Invitation.objects.select_for_update()
        .filter(
            UNDELIVERED_INVITATIONS,
            invitee_tg_id=tg_id,
            appointment__status=Appointment.Status.PENDING,
        )
        .values_list("pk", "appointment_id")
    )
    for _pk, appointment_id in waiting:
        outbox.enqueue(chat_id=tg_id, kind=INVITATION, appointment_id=appointment_id)
    Invitation.objects.filter(pk__in=[pk for pk, _ in waiting]).update(
        delivered_at=timezone.now(), updated_at=timezone.now()
    )
    return len(waiting)
