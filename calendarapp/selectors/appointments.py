from django.db.models import Q, QuerySet

from calendarapp.models import Appointment


def all_appointments() -> QuerySet[Appointment]:
    """Every meeting, newest first; rows carry ids and, joined in the same query, the
    invitation link of a meeting whose guest has not opened the bot yet."""
    return Appointment.objects.select_related("invitation").order_by("-date", "-time", "-id")


def get_appointment(appointment_id: int) -> Appointment | None:
    """One meeting with its event and both people (for notifications)."""
    return (
        Appointment.objects.filter(pk=appointment_id)
        .select_related("event", "organizer", "participant")
        .first()
    )


def active_meetings_of(tg_id: int) -> QuerySet[Appointment]:
    """Pending and confirmed meetings a user organises or is invited to, soonest first."""
    return (
        Appointment.objects.filter(
            Q(organizer_id=tg_id) | Q(participant_id=tg_id),
            status__in=Appointment.ACTIVE_STATUSES,
        )
        .select_related("event", "organizer", "participant")
        .order_by("date", "time", "id")
    )


def active_guests_of(event_id: int) -> list[Appointment]:
    """An event's pending and confirmed invitations with their guests, in invitation order
    (what deleting the event would cancel)."""
    return list(
        Appointment.objects.filter(event_id=event_id, status__in=Appointment.ACTIVE_STATUSES)
        .select_related("participant")
        .order_by("id")
    )
