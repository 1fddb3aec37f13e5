import datetime as dt

from django.db.models import QuerySet

from calendarapp.exceptions import NotRegistered
from calendarapp.models import TgUser
from calendarapp.selectors.rows import by_primary_key
from calendarapp.timezones import user_now


def get_user(tg_id: int) -> TgUser | None:
    return by_primary_key(TgUser, tg_id)


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


def find_user(who: int | str) -> TgUser | None:
    """The person `parsing.parse_telegram_user` read: by Telegram id, or by username
    (case-insensitive; the oldest account wins if two ever share one)."""
    if isinstance(who, int):
        return get_user(who)
    return TgUser.objects.filter(username__iexact=who).order_by("tg_id").first()


def all_users() -> QuerySet[TgUser]:
    return TgUser.objects.order_by("tg_id")
