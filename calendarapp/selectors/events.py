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


def public_events_listing() -> QuerySet[Event]:
    """Public events for a paginated list: owners come in one extra query for the page
    (prefetch), so deep OFFSETs skip event rows only instead of joining every skipped row."""
    from django.db.models import Prefetch

    from calendarapp.models import TgUser

    owners = Prefetch("owner", queryset=TgUser.objects.only("tg_id", "username"))
    return (
        Event.objects.filter(is_public=True).prefetch_related(owners).order_by("date", "time", "id")
    )
