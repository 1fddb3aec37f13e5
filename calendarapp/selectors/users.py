import datetime as dt

from django.db.models import Count, QuerySet

from calendarapp.exceptions import NotRegistered
from calendarapp.models import TgUser
from calendarapp.services.dates import user_now


def get_user(tg_id: int) -> TgUser | None:
    return TgUser.objects.filter(pk=tg_id).first()


def registered_user(tg_id: int) -> TgUser:
    """The user's row, or NotRegistered: what every action of a registered person starts with."""
    user = get_user(tg_id)
    if user is None:
        raise NotRegistered()
    return user


def user_row(user: TgUser | int) -> TgUser:
    """Readers take the row when the caller has it (the bot keeps it for a minute), else the
    id of a registered user."""
    return user if isinstance(user, TgUser) else registered_user(user)


def local_now(owner: TgUser | int) -> dt.datetime:
    """The user's wall-clock now: what "today" and "tomorrow" mean to them."""
    return user_now(user_row(owner))


def find_user_by_username(username: str) -> TgUser | None:
    username = username.strip().removeprefix("@")
    # Control characters, NUL or lone surrogates are in no name (and PostgreSQL refuses NUL).
    if not username or len(username) > 64 or not username.isprintable():
        return None
    return TgUser.objects.filter(username__iexact=username).order_by("tg_id").first()


def users_with_event_counts() -> QuerySet[TgUser]:
    return TgUser.objects.annotate(event_total=Count("events", distinct=True))


def all_users() -> QuerySet[TgUser]:
    return TgUser.objects.order_by("tg_id")
