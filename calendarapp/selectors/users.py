from django.db.models import Count, QuerySet

from calendarapp.models import TgUser


def get_user(tg_id: int) -> TgUser | None:
    return TgUser.objects.filter(pk=tg_id).first()


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
