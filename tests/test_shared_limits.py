"""The abuse limits hold for the whole site, not per gunicorn worker: the counters live in the
cache every process shares (Redis with REDIS_URL, else the database's cache table). With a cache
of each process's own, two workers would let twice the limit through.

Real gunicorn with the container's config and two sync workers. Each request goes on a new
connection while a half-sent request keeps the other worker busy, so the two workers take turns;
the access log says which worker (its pid) answered each request.
"""

import http.client
import itertools
import json
import os
import re
import socket
import sys

import pytest

from calendarapp.devtools.procfs import accept_queue
from tests.support.cache import delete_prefixed, unique_prefix
from tests.support.processes import Child, python, settings_free_env
from tests.support.sqlite import migrated_sqlite
from tests.support.waiting import wait_until
from webapp.secret_urls import mask_secrets

LIMIT = 5
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"
ACCESS_LOG = "%(p)s %(s)s %(m)s %(U)s"  # <worker pid> status method path
GUNICORN = [
    sys.executable,
    "-m",
    "gunicorn",
    "--config",
    "webapp/gunicorn_conf.py",
    "--access-logformat",
    ACCESS_LOG,
    "webapp.wsgi",
]
SEED = """
from rest_framework.authtoken.models import Token
from django.contrib.auth import get_user_model
from calendarapp.services.feeds import get_or_issue_feed
from calendarapp.services.users import TelegramProfile, register_user
register_user(TelegramProfile(tg_id=1001, username="alice", first_name="Alice"))
staff = get_user_model().objects.create_user("service", password="x", is_staff=True)
print(json.dumps({"token": Token.objects.create(user=staff).key,
                  "feed": f"/feed/{get_or_issue_feed(1001).token}.ics"}))
"""


def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis answers at {REDIS_URL} ({exc}); CI's PostgreSQL pass runs one")
    return client


@pytest.fixture(params=["database", "redis"])
def cache_env(request, tmp_path):
    """An environment for the server: a migrated SQLite database, and the cache to share."""
    env = settings_free_env(
        SQLITE_PATH=str(migrated_sqlite(tmp_path / "db.sqlite3")),
        REDIS_URL="",
        CACHE_KEY_PREFIX="",
        API_EXPORT_TOKEN_RATE=f"{LIMIT}/minute",
        FEED_RATE=f"{LIMIT}/hour",
        GUNICORN_BIND="127.0.0.1:0",
        WEB_CONCURRENCY="2",
    )
    if request.param == "database":
        yield env
        return
    client = redis_client()
    prefix = unique_prefix("limits")
    try:
        yield env | {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix}
    finally:
        delete_prefixed(client, prefix)


@pytest.fixture
def server(cache_env):
    seeded = json.loads(python(cache_env, f"import json\n{SEED}").strip().splitlines()[-1])
    with Child(GUNICORN, cache_env) as child:
        port = int(child.wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)")[0].group(1))
        child.wait_for(r"Booting worker with pid: \d+", count=2)
        server = Server(child, port, seeded)
        yield server
        server.release()


class Server:
    def __init__(self, child: Child, port: int, seeded: dict):
        self.child, self.port, self.seeded = child, port, seeded
        self.answered = 0
        self.stall: socket.socket | None = None

    def request(self, method: str, path: str, headers: dict, body=None):
        """One request on a new connection, answered by the other worker than the one before.
        The status, Retry-After and the answering worker's pid."""
        self.hold_the_last_worker()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body, headers={"Connection": "close", **headers})
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
        self.answered += 1
        logged = re.escape(mask_secrets(path))  # the access log masks the feed's token
        line = self.child.wait_for(rf"^<(\d+)> \d+ {method} {logged}", count=self.answered)[-1]
        return response.status, response.getheader("Retry-After"), int(line.group(1))

    def hold_the_last_worker(self) -> None:
        """A sync worker serves one connection at a time. A half-sent request takes the only
        free worker (the one that answered last; the other is held by the previous one), then
        the previous one is finished: the next request can only go to the other worker."""
        stall = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        stall.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        wait_until(lambda: accept_queue(self.port) == 0, message="no worker took the connection")
        self.release()
        self.stall = stall

    def release(self) -> None:
        if self.stall is not None:
            self.stall.sendall(b"Connection: close\r\n\r\n")
            assert self.stall.recv(64).startswith(b"HTTP/1.1 200")
            self.stall.close()
            self.stall = None


def burst(server: Server, method: str, path: str, headers: dict, body=None):
    answers = [server.request(method, path, headers, body) for _ in range(LIMIT + 2)]
    server.release()
    return answers


def assert_exact_limit(answers):
    statuses = [status for status, _, _ in answers]
    assert statuses[:LIMIT] == [statuses[0]] * LIMIT and statuses[0] in {200, 201}, answers
    assert statuses[LIMIT:] == [429, 429], answers
    for _, retry_after, _ in answers[LIMIT:]:
        assert retry_after and int(retry_after) > 0
    # The workers took turns: each let some through, and each refused once the limit was
    # reached by both together.
    pids = [pid for _, _, pid in answers]
    assert len(set(pids)) == 2 and all(a != b for a, b in itertools.pairwise(pids)), answers


def test_export_token_limit_is_exact_across_workers(server):
    headers = {
        "Authorization": f"Token {server.seeded['token']}",
        "Content-Type": "application/json",
    }
    body = json.dumps({"tg_user_id": 1001})
    assert_exact_limit(burst(server, "POST", "/api/export/token/", headers, body))


def test_feed_limit_is_exact_across_workers(server):
    assert_exact_limit(burst(server, "GET", server.seeded["feed"], {}))
