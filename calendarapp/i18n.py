"""Which language a person reads: their explicit choice, else their Telegram client's.

Russian is the source language of every text (the msgids) and the default; English is used
when chosen with /language or when Telegram says the client is set to English (`en`, `en-GB`
...). The bot activates the language for the whole handling of an update; code that writes
to someone else (notifications, reminders) wraps its rendering in `recipient_language(user)`.
"""

from contextlib import AbstractContextManager

from django.conf import settings
from django.utils import translation

DEFAULT_LANGUAGE = settings.LANGUAGE_CODE
SUPPORTED_LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
LANGUAGE_NAMES = dict(settings.LANGUAGES)  # each language's own name, for buttons


def language_from_telegram(language_code: str | None) -> str:
    """Telegram's IETF tag (`en`, `en-US`, `ru`, ...) -> a language the bot speaks."""
    primary = (language_code or "").strip().lower().replace("_", "-").split("-", 1)[0]
    if primary != DEFAULT_LANGUAGE and primary in SUPPORTED_LANGUAGES:
        return primary
    return DEFAULT_LANGUAGE


def resolve_language(chosen: str | None, telegram_code: str | None) -> str:
    """An explicit choice wins; otherwise the Telegram client's language decides."""
    if chosen in SUPPORTED_LANGUAGES:
        return chosen
    return language_from_telegram(telegram_code)


def language_for(user) -> str:
    """The language to write to this TgUser in (also when they are not the one talking)."""
    if user is None:
        return DEFAULT_LANGUAGE
    return resolve_language(user.language, user.language_code)


def recipient_language(user) -> AbstractContextManager:
    """`with recipient_language(user): text = str(texts.X)`: render for that person."""
    return translation.override(language_for(user))
