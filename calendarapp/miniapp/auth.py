"""Who is asking: the Telegram user named in a Mini App's `initData`, checked on every request.

Telegram signs `initData` with HMAC-SHA256 keyed by HMAC-SHA256("WebAppData", bot token)
(core.telegram.org/bots/webapps, "Validating data received via the Mini App");
telegram-webapp-auth implements that check. The app sends the string in
`Authorization: tma <initData>`, a header no browser adds by itself: another site cannot make
a request on someone's behalf (nothing rides on a cookie, so there is nothing for CSRF to
forge), and every request proves itself afresh.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from telegram_webapp_auth.auth import TelegramAuthenticator, generate_secret_key
from telegram_webapp_auth.errors import ExpiredInitDataError, InvalidInitDataError

from calendarapp.bot.runtime.token import bot_token
from calendarapp.models import TgUser
from calendarapp.selectors.users import get_user

KEYWORD = "tma"  # the scheme Telegram's Mini App examples use for initData


@dataclass(frozen=True)
class MiniAppUser:
    """`request.user` of the Mini App's views: the registered person behind the initData."""

    profile: TgUser
    is_authenticated: bool = True

    @property
    def tg_id(self) -> int:
        return self.profile.tg_id


class InitDataFailed(exceptions.AuthenticationFailed):
    """A 401 with a stable code the page can act on."""

    def __init__(self, detail: str, code: str):
        super().__init__(detail=detail, code=code)


class NotStarted(exceptions.PermissionDenied):
    default_detail = "Press /start in the bot first: this Telegram account is not registered."
    default_code = "not_registered"


def verified_telegram_id(init_data: str) -> int:
    """The Telegram user id an initData string vouches for, or InitDataFailed (401)."""
    token = bot_token()
    if not token:
        # Without the token nothing can be verified: refuse instead of trusting anyone.
        raise InitDataFailed("The Mini App is not configured on this server.", "not_configured")
    authenticator = TelegramAuthenticator(generate_secret_key(token))
    max_age = dt.timedelta(seconds=settings.MINIAPP_INIT_DATA_MAX_AGE)
    try:
        data = authenticator.validate(init_data, expr_in=max_age)
    except ExpiredInitDataError as exc:
        raise InitDataFailed(
            "The Mini App's sign-in is too old: close the app and open it again.",
            "init_data_expired",
        ) from exc
    except (InvalidInitDataError, ValueError) as exc:
        raise InitDataFailed(
            "The Mini App's sign-in data is not valid.", "init_data_invalid"
        ) from exc
    if data.user is None or not data.user.id:
        raise InitDataFailed("The sign-in data names no Telegram user.", "init_data_invalid")
    return int(data.user.id)


class InitDataAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split(maxsplit=1)
        if not header or header[0].decode("latin-1").lower() != KEYWORD:
            return None  # DRF answers 401 "not authenticated"
        if len(header) != 2:
            raise InitDataFailed("The sign-in data is missing.", "init_data_invalid")
        try:
            init_data = header[1].decode("ascii")
        except UnicodeDecodeError as exc:  # initData is URL-encoded ASCII
            raise InitDataFailed(
                "The Mini App's sign-in data is not valid.", "init_data_invalid"
            ) from exc
        profile = get_user(verified_telegram_id(init_data))
        if profile is None:
            raise NotStarted()
        return MiniAppUser(profile=profile), init_data

    def authenticate_header(self, request) -> str:
        return KEYWORD  # makes DRF answer 401, not 403, when the header is missing
