"""Parsing of what people type: ids and Telegram users.

Kept apart from the bot so the same rules serve every client (the bot, the API's filters,
the services). Dates and times are `services.natural_dates`' job. Every failure is a
`ValidationFailed` with a code.
"""

from calendarapp.exceptions import ValidationFailed

MAX_ID = 2**63 - 1  # the largest key a 64-bit database column holds
MAX_TELEGRAM_ID = MAX_ID  # Telegram ids are keys of that size
MAX_TELEGRAM_ID_DIGITS = len(str(MAX_TELEGRAM_ID))  # 19
USERNAME_MAX_LENGTH = 64  # TgUser.username; Telegram's own names are shorter still
USERNAME_TYPED_MAX_LENGTH = USERNAME_MAX_LENGTH + 1  # with its "@"


def parse_id(text: str) -> int:
    """A positive integer id, as typed (`5`, `#5`)."""
    text = (text or "").strip().removeprefix("#")
    if not text.isdecimal() or not text.isascii():
        raise ValidationFailed("Expected a number.", code="id_format")
    value = int(text)
    if value > MAX_ID:  # no row can have it: "not found", not "not a number"
        shown = text if len(text) <= 30 else text[:29] + "…"
        raise ValidationFailed("No object has the number {text}.", code="id_too_large", text=shown)
    if value == 0:
        raise ValidationFailed("Expected a number.", code="id_format")
    return value


def validate_tg_id(tg_id: int) -> int:
    """A Telegram id given as a number (a profile, a token, a request)."""
    if isinstance(tg_id, bool) or not isinstance(tg_id, int) or not 0 < tg_id <= MAX_TELEGRAM_ID:
        raise ValidationFailed("A Telegram id is a positive 64-bit integer.", code="invalid_tg_id")
    return tg_id


def parse_username(text: str) -> str:
    """A typed Telegram username, "@bob" or "bob", -> "bob"; a name no account can have
    (empty, too long, with spaces or control characters) is refused."""
    name = (text or "").strip().removeprefix("@")
    if (
        not name
        or len(name) > USERNAME_MAX_LENGTH
        or not name.isprintable()
        or any(char.isspace() for char in name)
    ):
        raise ValidationFailed(
            "Not a Telegram username.", code="username_invalid", limit=USERNAME_MAX_LENGTH
        )
    return name


def parse_telegram_user(text: str) -> int | str:
    """Whom a person means: a typed Telegram id (digits) -> int, else a @username -> the
    name without its "@" (a username never starts with a digit, so "@123" is a name)."""
    text = (text or "").strip()
    if text.isdecimal() and text.isascii():
        if len(text) > MAX_TELEGRAM_ID_DIGITS:  # more than any 64-bit id, whatever its value
            raise ValidationFailed(
                "A Telegram id is a positive 64-bit integer.", code="invalid_tg_id"
            )
        return validate_tg_id(int(text))
    return parse_username(text)
