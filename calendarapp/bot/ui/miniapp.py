"""Buttons that open the Mini App (/app/, calendarapp/miniapp). Telegram opens Mini Apps
from https addresses only, so on a plain-http site (a newcomer's localhost) there is no
button, and /app says why."""

from django.conf import settings
from telegram import InlineKeyboardButton, WebAppInfo

from calendarapp.bot import texts


def app_url(*, event_id: int | None = None) -> str | None:
    """The app's address (opening one event when given), or None where Telegram cannot open it."""
    if not settings.SITE_BASE_URL.startswith("https://"):
        return None
    url = f"{settings.SITE_BASE_URL}/app/"
    return f"{url}?event={event_id}" if event_id is not None else url


def open_app_button(*, event_id: int | None = None) -> InlineKeyboardButton | None:
    url = app_url(event_id=event_id)
    return InlineKeyboardButton(str(texts.BTN_OPEN_APP), web_app=WebAppInfo(url)) if url else None
