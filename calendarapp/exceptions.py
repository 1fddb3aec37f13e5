"""Domain errors raised by services and selectors.

Each error has a stable `code` that presentation layers map to their own words (the bot's
Russian texts live in `calendarapp.bot.texts`); `message` is the English wording used by the
REST API. `params` carries the values a message needs (limits, dates).
"""

import datetime as dt


def _plain(value):
    """A param as every reader takes it (the API's message, the bot's texts, the outbox's
    JSON): a date as ISO text, a time as HH:MM."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return value


class DomainError(Exception):
    """A refusal; a kind of refusal names its own default code and message in its class
    line (`class NotFound(DomainError, code=..., message=...)`)."""

    code = "invalid"
    message = "The request is invalid."

    def __init_subclass__(cls, *, code: str = "", message: str = "", **kwargs):
        super().__init_subclass__(**kwargs)
        cls.code = code or cls.code
        cls.message = message or cls.message

    def __init__(self, message: str | None = None, *, code: str | None = None, **params):
        self.code = code or self.code
        self.params = {key: _plain(value) for key, value in params.items()}
        self.message = (message or self.message).format(**self.params)
        super().__init__(self.message)


class ValidationFailed(DomainError):
    """Input that can never be accepted as it is (format, length, range)."""


class NotFound(DomainError, code="not_found", message="Not found."):
    """Missing, or belonging to someone else: the two are indistinguishable on purpose."""


class NotRegistered(
    DomainError, code="not_registered", message="This Telegram user is not registered."
):
    """The Telegram user has not started the bot, nor been added through the API."""


class Conflict(
    DomainError, code="conflict", message="The request conflicts with the current state."
):
    """The request is valid but clashes with the current state."""


class PermissionDenied(DomainError, code="forbidden", message="You may not do this."):
    """The caller may not do this with a row it may otherwise see."""
