"""Short-lived signed export links: `django.core.signing` with its own salt.

A token carries the Telegram id and the signing time; it is valid for
`settings.EXPORT_TOKEN_MAX_AGE` seconds. No database row is needed to check it.
"""

import datetime as dt
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.utils import timezone

from calendarapp.exceptions import DomainError, NotFound, ValidationFailed
from calendarapp.models import TgUser
from calendarapp.parsing import validate_tg_id

EXPORT_TOKEN_SALT = "calendarapp.export"  # noqa: S105 - a namespace, not a secret
EXPORT_FORMATS = ("csv", "json", "ics")
_signer = signing.TimestampSigner(salt=EXPORT_TOKEN_SALT)
# Clocks of the processes that sign and check tokens may differ this much.
CLOCK_SKEW_SECONDS = 60


class ExportTokenInvalid(DomainError):
    """The token was forged, tampered with or has expired (HTTP 403)."""

    code = "token_invalid"
    message = "The export link is invalid."


@dataclass(frozen=True)
class ExportToken:
    token: str
    tg_id: int
    expires_at: dt.datetime

    def url(self, fmt: str) -> str:
        return export_url(token=self.token, fmt=fmt)


def issue_export_token(tg_id: int) -> ExportToken:
    validate_tg_id(tg_id)
    token = _signer.sign_object({"tg_user_id": tg_id}, compress=False)
    expires_at = timezone.now() + dt.timedelta(seconds=settings.EXPORT_TOKEN_MAX_AGE)
    return ExportToken(token=token, tg_id=tg_id, expires_at=expires_at)


def read_export_token(token: str | None) -> int:
    """Return the Telegram id a token was issued for.

    Raises ValidationFailed for a missing or malformed token (HTTP 400), ExportTokenInvalid
    for an expired (code `token_expired`) or forged one (HTTP 403).
    """
    if not token or len(token) > 512 or token.count(":") != 2:
        raise ValidationFailed("The export token is missing or malformed.", code="token_malformed")
    try:
        payload = _signer.unsign_object(token, max_age=settings.EXPORT_TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise ExportTokenInvalid(
            "The export link has expired; ask the bot for a new one.", code="token_expired"
        ) from None
    except (signing.BadSignature, ValueError, UnicodeError):
        raise ExportTokenInvalid() from None
    if _signed_at(token) > time.time() + CLOCK_SKEW_SECONDS:
        # Signed "in the future": issued by a server whose clock runs ahead, or a key leak
        # used to mint long-lived links. Either way max_age would not bound its life.
        raise ExportTokenInvalid()
    tg_id = payload.get("tg_user_id") if isinstance(payload, dict) else None
    if isinstance(tg_id, bool) or not isinstance(tg_id, int):
        raise ExportTokenInvalid()
    return tg_id


def _signed_at(token: str) -> int:
    """The signing time (Unix seconds) that TimestampSigner put into the token."""
    return signing.b62_decode(token.split(":")[1])


def export_url(*, token: str, fmt: str) -> str:
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format: {fmt}")
    return f"{settings.SITE_BASE_URL}/export/{fmt}/?{urlencode({'token': token})}"


def issue_export_token_for_user(tg_id: int) -> ExportToken:
    """Issue a token only for a registered user (the API's rule: no links to nothing)."""
    validate_tg_id(tg_id)
    if not TgUser.objects.filter(pk=tg_id).exists():
        raise NotFound("User {tg_id} is not registered.", code="user_not_found", tg_id=tg_id)
    return issue_export_token(tg_id)
