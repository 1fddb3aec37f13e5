"""The texts of meeting notifications, rendered when the outbox sends them (sync, on the ORM
thread; registered by kind with outbox/notifications.py)."""

from calendarapp.bot import texts
from calendarapp.bot.outbox.notifications import Notification, renderer, undeliverable
from calendarapp.bot.ui.meeting_cards import answer_buttons, invitation_text, when
from calendarapp.models import Appointment
from calendarapp.selectors.appointments import get_appointment
from calendarapp.services import appointments as meetings


def _appointment_of(message) -> Appointment | None:
    appointment_id = message.payload.get("appointment_id")
    return get_appointment(appointment_id) if isinstance(appointment_id, int) else None


@renderer(meetings.INVITATION)
def render_invitation(message) -> Notification | None:
    appointment = _appointment_of(message)
    if appointment is None or appointment.status != Appointment.Status.PENDING:
        return None  # cancelled before it could be delivered
    return Notification(invitation_text(appointment), answer_buttons(appointment.pk))


@undeliverable(meetings.INVITATION)
def invitation_undeliverable(message) -> None:
    appointment_id = message.payload.get("appointment_id")
    if isinstance(appointment_id, int):
        meetings.cancel_undelivered_invitation(appointment_id)


@renderer(meetings.INVITATION_ANSWERED)
def render_answer(message) -> Notification | None:
    appointment = _appointment_of(message)
    if appointment is None:
        return None
    accepted = message.payload.get("accepted")
    if accepted is None:
        accepted = appointment.status == Appointment.Status.CONFIRMED
    template = texts.ANSWER_ACCEPTED if accepted else texts.ANSWER_DECLINED
    return Notification(
        template.format(
            who=appointment.participant.display_name,
            **when(appointment, appointment.organizer),
        )
    )


@renderer(meetings.APPOINTMENT_CANCELLED)
def render_cancelled(message) -> Notification | None:
    appointment = _appointment_of(message)
    if appointment is None:
        return None
    by = message.payload.get("cancelled_by")
    who, reader = (appointment.organizer, appointment.participant)
    if by != appointment.organizer_id:
        who, reader = reader, who
    moment = when(appointment, reader)
    if appointment.event is None and message.payload.get("event_name"):
        moment["name"] = str(message.payload["event_name"])  # the event itself was deleted
    return Notification(texts.MEETING_CANCELLED_BY.format(who=who.display_name, **moment))


@renderer(meetings.MEETING_MOVED)
def render_moved(message) -> Notification | None:
    appointment = _appointment_of(message)
    if appointment is None or appointment.status not in Appointment.ACTIVE_STATUSES:
        return None  # cancelled meanwhile: the cancellation says what matters
    guest = appointment.participant
    return Notification(
        texts.MEETING_MOVED_BY.format(
            who=appointment.organizer.display_name, **when(appointment, guest)
        )
    )


@renderer(meetings.INVITATION_UNDELIVERED)
def render_undelivered(message) -> Notification | None:
    appointment = _appointment_of(message)
    if appointment is None:
        return None
    return Notification(
        texts.INVITATION_UNDELIVERED.format(
            who=appointment.participant.display_name, **when(appointment, appointment.organizer)
        )
    )
