"""Webhook mode: Telegram POSTs updates to us instead of the bot long polling for them.

On only when `TELEGRAM_WEBHOOK_URL` is set. The secret is required and never derived: a
secret computed from the bot token would leak with the token and could not be rotated alone,
so a missing or weak one stops the bot at start-up with a message saying how to make one.
Telegram sends the secret in `X-Telegram-Bot-Api-Secret-Token`; the replica's server
(bot/replicas.py) answers 403 to any request without it, so a forged update never reaches a
handler.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

MIN_SECRET_LENGTH = 32
# Telegram's rule for secret_token: 1-256 characters, A-Z, a-z, 0-9, _ and -.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
HOW_TO_MAKE_ONE = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"


class WebhookConfigError(ValueError):
    """The webhook settings cannot work; the message says what to change."""


@dataclass(frozen=True)
class WebhookConfig:
    url: str  # public HTTPS URL Telegram posts to (the reverse proxy)
    secret: str
    listen: str
    port: int

    @property
    def url_path(self) -> str:
        """The proxy forwards the public path unchanged, so the bot serves that same path."""
        return urlsplit(self.url).path.strip("/")


def webhook_config() -> WebhookConfig | None:
    """The webhook settings, or None for long polling (no TELEGRAM_WEBHOOK_URL)."""
    url = settings.TELEGRAM_WEBHOOK_URL.strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise WebhookConfigError(
            f"TELEGRAM_WEBHOOK_URL must be a public https:// URL (Telegram refuses others), "
            f"got {url!r}."
        )
    secret = settings.TELEGRAM_WEBHOOK_SECRET.strip()
    if not secret:
        raise WebhookConfigError(
            "TELEGRAM_WEBHOOK_URL is set but TELEGRAM_WEBHOOK_SECRET is not. Without it anyone "
            f"who finds the URL could post fake updates. Make one with: {HOW_TO_MAKE_ONE}"
        )
    if len(secret) < MIN_SECRET_LENGTH or not SECRET_PATTERN.fullmatch(secret):
        raise WebhookConfigError(
            f"TELEGRAM_WEBHOOK_SECRET must be {MIN_SECRET_LENGTH}-256 characters of A-Z, a-z, "
            f"0-9, _ and - (Telegram's rule). Make one with: {HOW_TO_MAKE_ONE}"
        )
    port = settings.TELEGRAM_WEBHOOK_PORT
    if not 0 < port < 65536:
        raise WebhookConfigError(f"TELEGRAM_WEBHOOK_PORT must be 1-65535, got {port}.")
    return WebhookConfig(url, secret, settings.TELEGRAM_WEBHOOK_LISTEN or "0.0.0.0", port)  # noqa: S104
