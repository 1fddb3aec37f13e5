"""Text as the calendar keeps it: what people type, and what Telegram, the API and the admin
send, cleaned once where it enters.

Control characters have no meaning in a name or a comment and break the files we write: a
bare CR ends an iCalendar line (a client then reads the rest as properties of its own), NUL
is refused by PostgreSQL, a lone surrogate (a JSON escape such as \\ud800) cannot be encoded
at all, and bidi overrides let a name show something else than it says ("Trojan Source").
Pure functions, no database.
"""

import re

# Every way of ending a line: CRLF first, so it counts once.
_LINE_BREAK = re.compile("\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
# C0 and C1 controls (tab and the line breaks above are handled on their own), DEL, bidi
# embeddings, overrides and isolates, and lone surrogates.
_CONTROL = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def clean_text(value: str | None, *, multiline: bool) -> str:
    """`value` without control characters. A multi-line field (details, comments) keeps its
    line breaks, each written as \\n, and its tabs; a single-line one (names) gets a space
    for each line break or tab. Leading and trailing space is kept: length and emptiness
    rules are the caller's."""
    text = _CONTROL.sub("", value or "")
    if multiline:
        return _LINE_BREAK.sub("\n", text)
    return _LINE_BREAK.sub(" ", text).replace("\t", " ")


def is_clean(value: str, *, multiline: bool) -> bool:
    return clean_text(value, multiline=multiline) == value
