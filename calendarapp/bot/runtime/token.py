"""Where the bot token comes from: TELEGRAM_BOT_TOKEN, else bot_secrets.API_TOKEN."""

import importlib

from django.conf import settings


def bot_token() -> str:
    if settings.TELEGRAM_BOT_TOKEN:
        return settings.TELEGRAM_BOT_TOKEN
    try:
        secrets = importlib.import_module("bot_secrets")
    except ImportError:
        return ""
    return str(getattr(secrets, "API_TOKEN", "") or "").strip()
