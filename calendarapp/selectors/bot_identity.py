from django.conf import settings

from calendarapp.models import BotIdentity


def bot_username() -> str:
    """The bot's Telegram username without "@", or "" when nobody knows it yet.

    TELEGRAM_BOT_USERNAME wins (set it when the web side runs without a bot, or before the
    bot's first start); otherwise the name the bot stored after asking Telegram.
    """
    if settings.TELEGRAM_BOT_USERNAME:
        return settings.TELEGRAM_BOT_USERNAME
    stored = BotIdentity.objects.values_list("username", flat=True).first()
    return stored or ""
