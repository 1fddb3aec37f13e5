"""The texts of meeting notifications, rendered when the outbox sends them (sync, on the ORM
thread; registered by kind with outbox/notifications.py)."""

from collections.abc import Callable, Iterable

from calendarapp.bot import texts
from calendarapp.bot.outbox.notifications import Notification, renderer, undeliverable
from calendarapp.bot.ui.meeting_cards import answer_buttons, invitation_text, when
from calendarapp.models import Appointment
from calendarapp.selectors.appointments import get_appointment
from calendarapp.services import appointments as meetings


def _appointment_of(message) -> Appointment | None:
    appointment_id = message.payload.get("appointment_id")
    return get_appointment(appointment_id) if isinstance(appointment_id, int) else None


def _meeting_renderer(kind: str, *, statuses: Iterable[str] | None = None):
    """The renderer of a notification about a meeting: `render(message, appointment)`. A
    meeting that is gone, or (`statuses`) no longer in one of them, is not told about."""

    def register(render: Callable[..., Notification]):
        @renderer(kind)
        def render_if_current(message) -> Notification | None:
            appointment = _appointment_of(message)
            if appointment is None or (statuses is not None and appointment.status not in statuses):
                return None
            return render(message, appointment)

        return render_if_current

    return register


# Cancelled before it could be delivered: nothing to answer.
@_meeting_renderer(meetings.INVITATION, statuses=[Appointment.Status.PENDING])
def render_invitation(message, appointment: Appointment) -> Notification:
    return Notification(invitation_text(appointment), answer_buttons(appointment.pk))


@undeliverable(meetings.INVITATION)
def invitation_undeliverable(message) -> None:
    appointment_id = message.payload.get("appointment_id")
    if isinstance(appointment_id, int):
        meetings.cancel_undelivered_invitation(appointment_id)


@_meeting_renderer(meetings.INVITATION_ANSWERED)
def render_answer(message, appointment: Appointment) -> Notification:
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


@_meeting_renderer(meetings.APPOINTMENT_CANCELLED)
def render_cancelled(message, appointment: Appointment) -> Notification:
    by = message.payload.get("cancelled_by")
    who, reader = (appointment.organizer, appointment.participant)
    if by != appointment.organizer_id:
        who, reader = reader, who
    moment = when(appointment, reader)
    if appointment.event is None and message.payload.get("event_name"):
        moment["name"] = str(message.payload["event_name"])  # the event itself was deleted
    return Notification(texts.MEETING_CANCELLED_BY.format(who=who.display_name, **moment))


# Cancelled meanwhile: the cancellation says what matters.
@_meeting_renderer(meetings.MEETING_MOVED, statuses=Appointment.ACTIVE_STATUSES)
def render_moved(message, appointment: Appointment) -> Notification:
    guest = appointment.participant
    return Notification(
        texts.MEETING_MOVED_BY.format(
            who=appointment.organizer.display_name, **when(appointment, guest)
        )
    )


@_meeting_renderer(meetings.INVITATION_UNDELIVERED)
def render_undelivered(message, appointment: Appointment) -> Notification:
    return Notification(
        texts.INVITATION_UNDELIVERED.format(
            who=appointment.participant.display_name, **when(appointment, appointment.organizer)
        )
    )
