from django.db.models import QuerySet

from calendarapp.models import Appointment


def all_appointments() -> QuerySet[Appointment]:
    """Every meeting, newest first; rows carry ids only, so no joins are needed."""
    return Appointment.objects.order_by("-date", "-time", "-id")


def confirmed_meetings_of(participant_tg_id: int) -> QuerySet[Appointment]:
    """Meetings a user accepted, soonest first, with the event and organiser in one query.

    Their date and time are wall-clock values in the organiser's time zone.
    """
    return (
        Appointment.objects.filter(
            participant_id=participant_tg_id, status=Appointment.Status.CONFIRMED
        )
        .select_related("event", "organizer")
        .order_by("date", "time", "id")
    )
