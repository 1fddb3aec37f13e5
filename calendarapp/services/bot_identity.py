"""The bot's own username, stored for the web side (which never holds the bot's token)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from calendarapp.models import BotIdentity


def remember_bot_username(*, username: str) -> None:
    """Store the username getMe returned; called once each time the bot starts.

    Several bot processes may start at once (`runbot --workers N`): the UPDATE is the common
    case, and a concurrent first insert is absorbed by updating instead.
    """
    username = username.strip().removeprefix("@")
    if not username:
        raise ValueError("The bot's username is empty")
    values = {"username": username, "updated_at": timezone.now()}
    rows = BotIdentity.objects.filter(pk=BotIdentity.SINGLETON_ID)
    if rows.update(**values):
        return
    try:
        with transaction.atomic():
            BotIdentity.objects.create(pk=BotIdentity.SINGLETON_ID, **values)
    except IntegrityError:
        rows.update(**values)
