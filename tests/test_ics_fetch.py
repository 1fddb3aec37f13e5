"""Downloading a calendar from a URL (services.ics_fetch) against a real HTTP server on
loopback: refused by default (loopback is not public), allowed on the test server's own
port only by a test setting, and then: a redirect to another loopback port or to a private
address refused, too many redirects, a slow server and a trickling one timed out, oversized
bodies cut off while they stream."""

import http.server
import pathlib
import threading
import time

import pytest
from django.test import override_settings

from calendarapp.exceptions import ValidationFailed
from calendarapp.services.ics_fetch import MAX_REDIRECTS, fetch_ics, parse_url
from calendarapp.services.ics_read import MAX_ICS_BYTES
from tests.support.processes import free_port

ICS = (pathlib.Path(__file__).parent / "data" / "ics" / "google.ics").read_bytes()


class Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.seen.append(self.path)
        route = self.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_error(404)
            return
        route(self)


def _send(handler, body: bytes, *, length: bool = True, status: int = 200):
    handler.send_response(status)
    handler.send_header("Content-Type", "text/calendar")
    if length:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _redirect(location: str):
    def route(handler):
        handler.send_response(302)
        port = handler.server.server_port
        other = port + 1 if port < 65535 else port - 1
        handler.send_header("Location", location.format(other=other))
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def _slow(handler):
    time.sleep(1.5)
    _send(handler, ICS)


def _trickle(handler):
    handler.send_response(200)
    handler.end_headers()
    for _ in range(30):  # a byte every 0.1 s: no single read times out, the whole does
        handler.wfile.write(b"B")
        handler.wfile.flush()
        time.sleep(0.1)


def _endless(handler):
    handler.send_response(200)
    handler.end_headers()  # no Content-Length: the body ends when the server closes
    chunk = b"X" * 65536
    try:
        for _ in range(MAX_ICS_BYTES // len(chunk) + 50):
            handler.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client stopped reading at the limit, as it should


Handler.routes = {
    "/cal.ics": lambda h: _send(h, ICS),
    "/hop": _redirect("/cal.ics"),
    "/to-other-loopback": _redirect("http://127.0.0.1:{other}/cal.ics"),
    "/to-localhost": _redirect("http://localhost:1/cal.ics"),
    "/to-metadata": _redirect("http://169.254.169.254/latest/meta-data/"),
    "/to-private": _redirect("http://10.0.0.1/cal.ics"),
    "/loop": _redirect("/loop"),
    "/slow": _slow,
    "/trickle": _trickle,
    "/big-declared": lambda h: _send(h, b"BEGIN:VCALENDAR\r\n" + b"X" * (MAX_ICS_BYTES + 10)),
    "/big-streamed": _endless,
    "/missing": lambda h: _send(h, b"gone", status=404),
}


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that stops reading at the size limit resets the connection: meant


@pytest.fixture
def server():
    httpd = Server(("127.0.0.1", free_port()), Handler)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def allowed(server):
    """The test server's port let through, and plain http (it has no certificate)."""
    with override_settings(
        ICS_IMPORT_ALLOW_HTTP=True,
        ICS_IMPORT_LOOPBACK_PORTS=(server.server_port,),
        ICS_IMPORT_READ_TIMEOUT=0.5,
        ICS_IMPORT_TOTAL_TIMEOUT=1.5,
    ):
        yield f"http://127.0.0.1:{server.server_port}"


def refused(url: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as error:
        fetch_ics(url)
    return error.value


def test_loopback_is_refused_before_any_connection(server):
    with override_settings(ICS_IMPORT_ALLOW_HTTP=True):
        error = refused(f"http://127.0.0.1:{server.server_port}/cal.ics")
        assert error.code == "import_url_private"
        assert refused(f"http://localhost:{server.server_port}/cal.ics").code == (
            "import_url_private"
        )
        assert refused(f"http://[::1]:{server.server_port}/cal.ics").code == "import_url_private"
        assert refused("http://[::ffff:127.0.0.1]/cal.ics").code == "import_url_private"
        for private in ("10.1.2.3", "192.168.0.1", "172.16.5.4", "169.254.169.254", "0.0.0.0"):  # noqa: S104 - refused, never bound
            assert refused(f"http://{private}/x.ics").code == "import_url_private"
    assert server.seen == []


def test_only_https_without_the_test_setting():
    assert refused("http://example.com/cal.ics").code == "import_url_scheme"
    assert refused("ftp://example.com/cal.ics").code == "import_url_scheme"
    assert refused("file:///etc/passwd").code == "import_url_scheme"
    assert parse_url("webcal://example.com/c.ics").scheme == "https"
    assert refused("not a url").code == "import_url_scheme"
    for bad in ("", "https://", "https://user:pw@example.com/", "https://a\x00b/"):
        assert refused(bad).code == "import_url_invalid"


def test_the_calendar_downloads_from_an_allowed_server(allowed, server):
    assert fetch_ics(f"{allowed}/cal.ics") == ICS
    assert fetch_ics(f"{allowed}/hop") == ICS  # a redirect to an allowed place is followed
    assert server.seen == ["/cal.ics", "/hop", "/cal.ics"]


@pytest.mark.parametrize(
    "path", ["/to-other-loopback", "/to-localhost", "/to-metadata", "/to-private"]
)
def test_a_redirect_into_the_machine_or_a_private_network_is_refused(allowed, server, path):
    assert refused(f"{allowed}{path}").code == "import_url_private"
    assert server.seen == [path]  # the redirect's target was never asked


def test_too_many_redirects(allowed, server):
    error = refused(f"{allowed}/loop")
    assert (error.code, error.params["limit"]) == ("import_url_redirects", MAX_REDIRECTS)
    assert len(server.seen) == MAX_REDIRECTS + 1


def test_a_slow_server_times_out(allowed):
    started = time.monotonic()
    assert refused(f"{allowed}/slow").code == "import_url_timeout"
    assert time.monotonic() - started < 1.4


def test_a_trickling_server_hits_the_deadline_for_the_whole_download(allowed):
    started = time.monotonic()
    assert refused(f"{allowed}/trickle").code == "import_url_timeout"
    assert time.monotonic() - started < 2.5


def test_oversized_bodies_are_refused_declared_or_streamed(allowed):
    assert refused(f"{allowed}/big-declared").code == "ics_too_large"
    assert refused(f"{allowed}/big-streamed").code == "ics_too_large"


def test_an_error_status_and_a_closed_port(allowed):
    error = refused(f"{allowed}/missing")
    assert (error.code, error.params["status"]) == ("import_url_status", 404)
    closed = free_port()
    with override_settings(ICS_IMPORT_LOOPBACK_PORTS=(closed,)):
        assert refused(f"http://127.0.0.1:{closed}/x.ics").code == "import_url_unreachable"
