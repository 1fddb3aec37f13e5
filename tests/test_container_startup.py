"""The web container's start-up, run outside Docker: the command docker-compose.yml gives the
`web` service (migrate, collectstatic, gunicorn) on a fresh database, in production mode, and the
container healthcheck against it. A broken entry point, a missing migration step or a static
files setup that only works with DEBUG on fails here, not on the server.

Runs on SQLite, and on PostgreSQL when the suite itself runs on PostgreSQL (CI does both).
"""

import contextlib
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from django.conf import settings

from tests.support.processes import ROOT, Child, child_env, free_port, manage
from tests.support.waiting import START

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
PUBLIC_HOST = "calendar.example.test"
GUNICORN = [sys.executable, "-m", "gunicorn", "--config", "webapp/gunicorn_conf.py", "webapp.wsgi"]


def base_env(**extra: str) -> dict[str, str]:
    """The test process's environment without any database or deployment settings."""
    env = child_env(
        "DJANGO_",
        "DB_",
        "GUNICORN_",
        "POSTGRES_",
        drop={"DATABASE_URL", "SQLITE_PATH", "SITE_BASE_URL", "WEB_CONCURRENCY"},
    )
    # `python` and `gunicorn` in the container's commands are the ones of this interpreter.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env | extra


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return (
        base_env(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS=PUBLIC_HOST,
            SITE_BASE_URL=f"https://{PUBLIC_HOST}",
            DJANGO_STATIC_ROOT=str(tmp_path / "static"),
            GUNICORN_BIND="127.0.0.1:0",
            WEB_CONCURRENCY="1",
            LOG_LEVEL="WARNING",
        )
        | extra
    )


class Server(Child):
    """A process started from a container command (its output read as it comes)."""

    port: int | None = None

    def wait_until_listening(self) -> int:
        match = self.wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)")[0]
        self.port = int(match.group(1))
        return self.port


@contextlib.contextmanager
def running(argv: list[str], env: dict[str, str]):
    server = Server(argv, env)
    try:
        server.wait_until_listening()
        yield server
    finally:
        server.stop()


def request(port: int, path: str, host: str = PUBLIC_HOST, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": host, **(headers or {})})
        response = conn.getresponse()
        return response.status, response, response.read()
    finally:
        conn.close()


def run_probe(port: int, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The `web` healthcheck exactly as docker-compose.yml declares it."""
    test = COMPOSE["services"]["web"]["healthcheck"]["test"]
    assert test[0] == "CMD"
    return subprocess.run(
        test[1:],
        cwd=ROOT,
        env=env | {"GUNICORN_BIND": f"127.0.0.1:{port}"},
        capture_output=True,
        text=True,
        timeout=START,
    )


# --- databases ---------------------------------------------------------------------------


def suite_uses_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@contextlib.contextmanager
def fresh_postgresql_database():
    """An empty database beside the suite's own, dropped afterwards."""
    import psycopg

    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_startup"
    user, password = db.get("USER") or "", db.get("PASSWORD") or ""
    host, port = db.get("HOST") or "localhost", db.get("PORT") or "5432"
    admin_params = {"host": host, "port": port, "user": user or None, "password": password}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin_params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
    try:
        yield {"DATABASE_URL": f"postgres://{auth}@{host}:{port}/{quote(name, safe='')}"}
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin_params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_env(request, tmp_path_factory):
    if request.param == "sqlite":
        yield {"SQLITE_PATH": str(tmp_path_factory.mktemp("sqlite") / "db.sqlite3")}
    elif not suite_uses_postgresql():
        pytest.skip("the suite runs on SQLite; CI runs it again on PostgreSQL")
    else:
        with fresh_postgresql_database() as env:
            yield env


@pytest.fixture(scope="module")
def production_web(database_env, tmp_path_factory):
    """The `web` service's command, started once per database in production mode."""
    command = COMPOSE["services"]["web"]["command"]
    env = production_env(tmp_path_factory.mktemp("web"), **database_env)
    with running(command, env) as server:
        yield server, env


# --- the web container as compose starts it ---------------------------------------------


def test_healthz_answers_ok_after_start_up(production_web):
    server, _ = production_web
    # Plain HTTP, as a container or load-balancer probe sends it: no redirect to HTTPS.
    status, _, body = request(server.port, "/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok"}


def test_compose_healthcheck_passes(production_web):
    server, env = production_web
    result = run_probe(server.port, env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_healthcheck_explains_a_host_that_allowed_hosts_refuses(production_web):
    server, env = production_web
    result = run_probe(server.port, env | {"SITE_BASE_URL": "https://elsewhere.example.test"})
    assert result.returncode == 1
    assert "DJANGO_ALLOWED_HOSTS" in result.stdout


def test_start_up_applied_every_migration(production_web):
    _, env = production_web
    manage(env, "migrate", "--check")


def test_plain_http_is_redirected_to_https(production_web):
    server, _ = production_web
    status, response, _ = request(server.port, "/admin/login/")
    assert status == 301
    assert response.getheader("Location") == f"https://{PUBLIC_HOST}/admin/login/"


def test_admin_page_over_the_proxy_uses_hashed_static_files(production_web):
    server, _ = production_web
    https = {"X-Forwarded-Proto": "https"}
    status, response, body = request(server.port, "/admin/login/", headers=https)
    assert status == 200
    assert "max-age=3600" in response.getheader("Strict-Transport-Security")
    assert "Secure" in response.getheader("Set-Cookie")  # the CSRF cookie

    stylesheet = re.search(rb'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, "collectstatic's manifest did not give admin's CSS a hashed name"
    status, response, css = request(server.port, stylesheet.group(1).decode(), headers=https)
    assert status == 200
    assert b"body" in css
    assert "immutable" in response.getheader("Cache-Control")


def test_tokens_in_urls_never_reach_the_logs(production_web):
    """Export links and feed URLs are credentials: the access log and Django's own warnings
    show them masked, whatever the answer was."""
    server, _ = production_web
    https = {"X-Forwarded-Proto": "https"}
    export_secret, feed_secret = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    status, _, _ = request(server.port, f"/export/csv/?token=x:{export_secret}:y", headers=https)
    assert status == 403
    status, _, _ = request(server.port, f"/feed/{feed_secret}.ics", headers=https)
    assert status == 404
    server.wait_for(r'"GET /feed/\*\*\*\.ics HTTP/1\.1" 404')  # the access log's line
    server.wait_for(r"Not Found: /feed/\*\*\*\.ics")  # Django's warning
    assert '"GET /export/csv/?token=*** HTTP/1.1" 403' in server.output
    assert export_secret not in server.output
    assert feed_secret not in server.output


def test_unknown_host_is_refused(production_web):
    server, _ = production_web
    status, _, _ = request(server.port, "/healthz", host="evil.example.test")
    assert status == 400


def test_gunicorn_runs_web_concurrency_workers(tmp_path):
    env = production_env(tmp_path, WEB_CONCURRENCY="3", SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    with running(GUNICORN, env) as server:
        workers = server.wait_for(r"Booting worker with pid: (\d+)", count=3, timeout=START)
        assert len({m.group(1) for m in workers}) == 3


# --- the database is down ------------------------------------------------------------------


@pytest.mark.parametrize(
    "unreachable",
    [
        pytest.param(
            lambda tmp: {"SQLITE_PATH": str(tmp / "missing-dir" / "db.sqlite3")}, id="sqlite"
        ),
        pytest.param(
            lambda tmp: {"DATABASE_URL": f"postgres://calendar@127.0.0.1:{free_port()}/calendar"},
            id="postgresql",
        ),
    ],
)
def test_healthz_reports_503_when_the_database_is_unreachable(unreachable, tmp_path):
    env = production_env(tmp_path, **unreachable(tmp_path))
    with running(GUNICORN, env) as server:
        status, response, body = request(server.port, "/healthz")
        assert status == 503
        answer = json.loads(body)
        assert answer["status"] == "error"
        assert "database unavailable" in answer["reason"]
        assert "no-cache" in response.getheader("Cache-Control")

        probe = run_probe(server.port, env)
        assert probe.returncode == 1
        assert "503" in probe.stdout
