from django.db.models import QuerySet

from calendarapp.models import Event


def events_of(owner_tg_id: int) -> QuerySet[Event]:
    """A user's own events, soonest first."""
    return Event.objects.filter(owner_id=owner_tg_id).order_by("date", "time", "id")


def public_events_of(owner_tg_id: int) -> QuerySet[Event]:
    return events_of(owner_tg_id).filter(is_public=True)


def public_events() -> QuerySet[Event]:
    return (
        Event.objects.filter(is_public=True).select_related("owner").order_by("date", "time", "id")
    )
