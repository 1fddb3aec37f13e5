"""The length rule of typed text: at most so many characters, or a ValidationFailed that
names the limit (the bot, the API and the Mini App map the code to their words)."""

from calendarapp.exceptions import ValidationFailed
from calendarapp.text import clean_text

# The API's English message of each "too long" code.
TOO_LONG = {
    "name_too_long": "The event name is longer than {limit} characters.",
    "details_too_long": "The details are longer than {limit} characters.",
    "comment_too_long": "The comment is longer than {limit} characters.",
}


def at_most(text: str, *, limit: int, code: str) -> str:
    """`text` itself when it has at most `limit` characters."""
    if len(text) > limit:
        raise ValidationFailed(TOO_LONG[code], code=code, limit=limit)
    return text


def clean_multiline(text: str, *, limit: int, code: str) -> str:
    """A multi-line text (details, a comment) as it is kept: cleaned, stripped, not too long."""
    return at_most(clean_text(text, multiline=True).strip(), limit=limit, code=code)
