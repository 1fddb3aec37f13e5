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
    code = "invalid"
    message = "The request is invalid."

    def __init__(self, message: str | None = None, *, code: str | None = None, **params):
        self.code = code or self.code
        self.params = {key: _plain(value) for key, value in params.items()}
        self.message = (message or self.message).format(**self.params)
        super().__init__(self.message)


class ValidationFailed(DomainError):
    """Input that can never be accepted as it is (format, length, range)."""


class NotFound(DomainError):
    """Missing, or belonging to someone else: the two are indistinguishable on purpose."""

    code = "not_found"
    message = "Not found."


class NotRegistered(DomainError):
    """The Telegram user has not started the bot, nor been added through the API."""

    code = "not_registered"
    message = "This Telegram user is not registered."


class Conflict(DomainError):
    """The request is valid but clashes with the current state."""

    code = "conflict"
    message = "The request conflicts with the current state."


class PermissionDenied(DomainError):
    """The caller may not do this with a row it may otherwise see."""

    code = "forbidden"
    message = "You may not do this."
