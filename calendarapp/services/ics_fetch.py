"""Downloading a calendar from a URL a person gave, without letting the URL reach inside.

A URL is someone else's choice of where our server connects (SSRF): each hop's host is
resolved here, every address it has must be public (not private, loopback, link-local,
reserved, multicast...), and the connection goes to exactly the address that was checked,
so a second DNS answer cannot swap it. Redirects are followed by hand, each hop checked the
same way, at most MAX_REDIRECTS. Connect and read timeouts, a deadline for the whole
download, and a size limit counted while the body streams (a missing or false
Content-Length changes nothing) bound what one URL costs. Standard library only.

Tests: settings.ICS_IMPORT_ALLOW_HTTP allows http://, and ICS_IMPORT_LOOPBACK_PORTS lets
loopback addresses through on the listed ports only (a local test server), never in
production, where both are off.
"""

import http.client
import ipaddress
import socket
import ssl
import time
import urllib.parse
from dataclasses import dataclass

import certifi
from django.conf import settings

from calendarapp.exceptions import ValidationFailed
from calendarapp.text import clean_text

from .ics_read import MAX_ICS_BYTES, check_size

MAX_REDIRECTS = 3
MAX_URL_LENGTH = 2000
CHUNK = 64 * 1024
_REDIRECTS = {301, 302, 303, 307, 308}
_USER_AGENT = "CalendarBot-import/1.0"


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def _limits() -> tuple[float, float, float]:
    return (
        settings.ICS_IMPORT_CONNECT_TIMEOUT,
        settings.ICS_IMPORT_READ_TIMEOUT,
        settings.ICS_IMPORT_TOTAL_TIMEOUT,
    )


def _shown(url: str) -> str:
    return clean_text(url, multiline=False)[:100]


def parse_url(url: str) -> Target:
    """An address to download from: https:// (webcal:// is a calendar's https), a host."""
    url = (url or "").strip()
    invalid = ValidationFailed(
        "{url!r} is not a web address.", code="import_url_invalid", url=_shown(url)
    )
    if not url or len(url) > MAX_URL_LENGTH or not url.isprintable():
        raise invalid
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        raise invalid from None
    scheme = "https" if parts.scheme.lower() == "webcal" else parts.scheme.lower()
    allowed = {"https", "http"} if settings.ICS_IMPORT_ALLOW_HTTP else {"https"}
    if scheme not in allowed:
        raise ValidationFailed(
            "Only https:// addresses can be imported, not {url!r}.",
            code="import_url_scheme",
            url=_shown(url),
        )
    if not host or parts.username is not None or parts.password is not None:
        raise invalid
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return Target(scheme, host, port or (443 if scheme == "https" else 80), path)


def _public(address: str, port: int) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not _public(str(embedded), port):
            return False
    if ip.is_loopback and port in settings.ICS_IMPORT_LOOPBACK_PORTS:
        return True
    return ip.is_global and not ip.is_multicast


def resolve(target: Target) -> str:
    """The address to connect to; refused unless every address of the host is public."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise ValidationFailed(
            "Could not find the server {host}.", code="import_url_unreachable", host=target.host
        ) from None
    addresses = [info[4][0] for info in infos]
    if not addresses or not all(_public(address, target.port) for address in addresses):
        raise ValidationFailed(
            "{host} is a private or local address; only public addresses can be imported.",
            code="import_url_private",
            host=target.host,
        )
    return addresses[0]


class _Pinned:
    """http.client connections that connect to the checked address, not to a new lookup
    of the host; TLS still checks the certificate against the host name."""

    def __init__(self, address: str, connect_timeout: float):
        self.address, self.connect_timeout = address, connect_timeout

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.connect_timeout)
        sock.settimeout(self.timeout)  # from here on, the read timeout
        if isinstance(self, http.client.HTTPSConnection):
            sock = self._context.wrap_socket(sock, server_hostname=self.host)
        # Kept apart: http.client drops `sock` when the response takes the connection over.
        self.sock = self.pinned_socket = sock


class _PinnedHTTP(_Pinned, http.client.HTTPConnection):
    def __init__(self, target: Target, address: str, connect_timeout: float):
        http.client.HTTPConnection.__init__(self, target.host, target.port)
        _Pinned.__init__(self, address, connect_timeout)


class _PinnedHTTPS(_Pinned, http.client.HTTPSConnection):
    def __init__(self, target: Target, address: str, connect_timeout: float):
        context = ssl.create_default_context(cafile=certifi.where())
        http.client.HTTPSConnection.__init__(self, target.host, target.port, context=context)
        _Pinned.__init__(self, address, connect_timeout)


def _timed_out(target: Target) -> ValidationFailed:
    return ValidationFailed(
        "The server {host} did not answer in time.", code="import_url_timeout", host=target.host
    )


def _read(connection, response, target: Target, *, deadline: float, read_timeout: float) -> bytes:
    try:
        declared = int(response.getheader("Content-Length") or 0)
    except ValueError:
        declared = 0
    check_size(declared or None)
    body, size = [], 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _timed_out(target)
        connection.pinned_socket.settimeout(min(read_timeout, left))
        chunk = response.read1(CHUNK)
        if not chunk:
            return b"".join(body)
        size += len(chunk)
        if size > MAX_ICS_BYTES:
            check_size(size)
        body.append(chunk)


def _get(target: Target, *, deadline: float):
    connect_timeout, read_timeout, _total = _limits()
    address = resolve(target)
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = kind(target, address, min(connect_timeout, max(deadline - time.monotonic(), 0)))
    connection.timeout = read_timeout
    headers = {"User-Agent": _USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    headers["Accept-Encoding"] = "identity"  # a compressed body would bypass the size limit
    connection.request("GET", target.path, headers=headers)
    return connection, connection.getresponse()


def fetch_ics(url: str) -> bytes:
    """The body of the calendar at `url` (at most MAX_ICS_BYTES), or a ValidationFailed that
    says why not: a bad or non-https address, a private one (also after a redirect), too
    many redirects, a timeout, an error status, a body over the limit."""
    _connect, read_timeout, total = _limits()
    deadline = time.monotonic() + total
    for _hop in range(MAX_REDIRECTS + 1):
        target = parse_url(url)
        connection = None
        try:
            connection, response = _get(target, deadline=deadline)
            if response.status in _REDIRECTS and response.getheader("Location"):
                url = urllib.parse.urljoin(url, response.getheader("Location"))
                continue
            if response.status != 200:
                raise ValidationFailed(
                    "The server {host} answered {status} instead of a calendar.",
                    code="import_url_status",
                    host=target.host,
                    status=response.status,
                )
            return _read(connection, response, target, deadline=deadline, read_timeout=read_timeout)
        except TimeoutError:
            raise _timed_out(target) from None
        except (OSError, http.client.HTTPException) as error:
            raise ValidationFailed(
                "Could not download from {host}: {reason}",
                code="import_url_unreachable",
                host=target.host,
                reason=clean_text(str(error), multiline=False)[:100],
            ) from None
        finally:
            if connection is not None:
                connection.close()
    raise ValidationFailed(
        "The address redirects more than {limit} times.",
        code="import_url_redirects",
        limit=MAX_REDIRECTS,
    )
