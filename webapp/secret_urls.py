"""Credentials that travel in URLs never reach a log.

Export links carry a signed token in the query string (`/export/csv/?token=...`) and a
calendar subscription is its token (`/feed/<token>.ics`): whoever reads the access log or
Django's "Not Found: /feed/..." lines could download the calendar. Both are masked wherever
a request line is logged: gunicorn's access log (`GunicornLogger`, named in
webapp/gunicorn_conf.py) and every record of the project's own logging (`MaskSecrets`, the
console handler's filter in settings.LOGGING).
"""

import logging
import re

from gunicorn.glogging import Logger

MASK = "***"
_SECRETS = [
    (re.compile(r"([?&]token=)[^&\s\"']*"), rf"\g<1>{MASK}"),
    (re.compile(r"(/feed/)[^/\s\"'?]+?(\.ics)"), rf"\g<1>{MASK}\g<2>"),
]


def mask_secrets(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class MaskSecrets(logging.Filter):
    """Rewrites a record's message with its secrets masked (the record stays, text only)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class GunicornLogger(Logger):
    """gunicorn's logger with the request line, path and query string of each access-log
    entry masked (the atoms `%(r)s`, `%(U)s`, `%(q)s` of access_log_format)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = mask_secrets(atoms[key])
        return atoms
