"""Every error of the API and the downloads is JSON in the documented shape (`detail`, `code`),
whoever made it (Django's URL resolver, a crash, an oversized or hostile body), with DEBUG on as
in development and off as in production; the HTML pages keep their HTML errors."""

import http.client
import json
import secrets
import socket

import pytest
from django.test import Client, override_settings

from tests.support.processes import Child, settings_free_env
from tests.support.sqlite import migrated_sqlite
from tests.test_shared_limits import GUNICORN

MODES = [pytest.param(True, id="debug"), pytest.param(False, id="production")]


def assert_json_error(response, status: int, code: str):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.fixture(params=MODES)
def client_in_mode(request, db):
    with override_settings(DEBUG=request.param):
        yield Client(raise_request_exception=False)


@pytest.mark.parametrize("path", ["/api/nope/", "/api/users/1/", "/export/nope/", "/app/api/nope"])
def test_unknown_paths_answer_json_404(client_in_mode, path):
    assert_json_error(client_in_mode.get(path), 404, "not_found")
    # Even for a browser; the pages elsewhere keep their HTML errors.
    assert_json_error(client_in_mode.get(path, headers={"Accept": "text/html"}), 404, "not_found")
    page = client_in_mode.get("/no-such-page/")
    assert (page.status_code, page["Content-Type"].split(";")[0]) == (404, "text/html")
    # The browsable API, which a browser asks for, still shows an error next to its form.
    page = client_in_mode.get("/api/users/", headers={"Accept": "text/html"})
    assert (page.status_code, page["Content-Type"].split(";")[0]) == (401, "text/html")


@pytest.mark.urls("tests.failing_urls")
@pytest.mark.parametrize("path", ["/api/broken/", "/export/broken/"])
def test_a_crash_answers_json_500(client_in_mode, path, caplog):
    body = assert_json_error(client_in_mode.get(path), 500, "server_error")
    assert "a bug in a view" not in json.dumps(body)  # no traceback, even with DEBUG
    # The crash is still logged for the developers.
    assert any("a bug in a view" in str(r.exc_info) for r in caplog.records if r.exc_info)


def test_a_body_over_the_limit_is_a_json_413(client_in_mode, staff_token, settings):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    big = json.dumps({"tg_id": 5, "username": "x" * limit})
    response = client_in_mode.post(
        "/api/users/",
        big,
        content_type="application/json",
        headers={"Authorization": f"Token {staff_token}"},
    )
    body = assert_json_error(response, 413, "payload_too_large")
    assert str(limit) in body["detail"]


def test_a_form_over_the_limit_is_a_json_413(client_in_mode, staff_token, settings):
    response = client_in_mode.post(
        "/api/users/",
        {"tg_id": "5", "username": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
        headers={"Authorization": f"Token {staff_token}"},
    )
    assert_json_error(response, 413, "payload_too_large")


@pytest.mark.parametrize("depth", [100, 10_000])
def test_deeply_nested_json_is_a_400_saying_why(client_in_mode, staff_token, depth):
    nested = "[" * depth + "]" * depth
    response = client_in_mode.post(
        "/api/users/",
        f'{{"tg_id": 5, "username": {nested}}}',
        content_type="application/json",
        headers={"Authorization": f"Token {staff_token}"},
    )
    body = assert_json_error(response, 400, "parse_error")
    assert "nested deeper than" in body["detail"]
    # Brackets inside a string are text, not nesting.
    text = "[{" * 100 + '"\\'
    response = client_in_mode.post(
        "/api/users/",
        json.dumps({"tg_id": 5, "username": "", "first_name": text}),
        content_type="application/json",
        headers={"Authorization": f"Token {staff_token}"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["first_name"] == text


# --- the same through gunicorn in production ------------------------------------------
@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    env = settings_free_env(
        SQLITE_PATH=str(migrated_sqlite(tmp_path_factory.mktemp("db") / "db.sqlite3")),
        REDIS_URL="",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_BIND="127.0.0.1:0",
        WEB_CONCURRENCY="1",
    )
    with Child(GUNICORN, env) as child:
        yield int(child.wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)")[0].group(1))


def raw_request(port: int, method: str, path: str):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, headers={"Connection": "close"})
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        conn.close()


def test_gunicorn_in_production_answers_json_errors(production_server):
    status, content_type, body = raw_request(production_server, "GET", "/api/nope/")
    assert (status, content_type, json.loads(body)["code"]) == (
        404,
        "application/json",
        "not_found",
    )

    # A 10 MB body announced: the answer comes before a byte of it is sent (the client may
    # stop there), so nothing of it is read, parsed or kept in memory.
    with socket.create_connection(("127.0.0.1", production_server), timeout=60) as sock:
        sock.sendall(
            b"POST /api/users/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n"
        )
        response = http.client.HTTPResponse(sock)
        response.begin()
        assert (response.status, response.getheader("Content-Type")) == (413, "application/json")
        assert json.loads(response.read())["code"] == "payload_too_large"
