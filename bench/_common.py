"""Shared bits of the benchmarks: a private PostgreSQL database and the result table.

Each bench records its figures with `record(...)`; `bench/run_all.py` (`make bench`) sets
BENCH_RESULTS to a file and prints every bench's rows as one table at the end.

The benches run as scripts (`python bench/x.py`), so bench/ is on sys.path and this module is
found; importing it puts the project's root there too, for `calendarapp` and `webapp`.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cal_bench"


def database_url() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmarks need PostgreSQL: set DATABASE_URL=postgres://...")
    return url


def with_db_name(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def admin_sql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(with_db_name(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def fresh_database(url: str, suffix: str) -> str:
    """Create (or recreate) `<name>_<suffix>` next to the database in `url`; returns its URL."""
    name = f"{db_name(url)}_{suffix}"
    admin_sql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_sql(url, f'CREATE DATABASE "{name}"')
    return with_db_name(url, name)


def bench_database(suffix: str) -> str:
    """A fresh database `<name>_<suffix>` next to the one the benches are given; its URL."""
    return fresh_database(database_url(), suffix)


def production_env(url: str, **extra: str) -> dict[str, str]:
    """This process's environment with Django as in production on the database at `url`, and
    `extra` on top: DEBUG off (it keeps every query in memory), a fresh secret key, quiet logs,
    and plain HTTP (no proxy in front on loopback)."""
    return (
        os.environ
        | {
            "DATABASE_URL": url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "webapp.settings"),
            "LOG_LEVEL": "WARNING",
        }
        | extra
    )


def django_on(url: str, **extra: str) -> None:
    """Set Django up in this process on the database at `url` (production_env) and migrate it:
    the in-process benches' start."""
    os.environ.update(production_env(url, **extra))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def drop_database(url: str) -> None:
    admin_sql(url, f'DROP DATABASE IF EXISTS "{db_name(url)}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def record(bench: str, metric: str, value: float, unit: str = "", target: str = "") -> None:
    """One row of the final table (only collected when run under run_all.py)."""
    path = os.environ.get("BENCH_RESULTS")
    if not path:
        return
    row = {"bench": bench, "metric": metric, "value": value, "unit": unit, "target": target}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def wait_for(url: str, timeout: float = 30) -> None:
    """Until the server at `url` answers (any status), or raise after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def start_gunicorn(env: dict, *, workers: int, threads: int, backlog: int = 2048):
    """gunicorn with gthread workers (they keep connections alive; sync workers close each
    one) on a free loopback port, answering; returns (process, base URL)."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "webapp.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--backlog",
            str(backlog),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/api/events/public/?page_size=1", timeout=60)
    except BaseException:
        server.kill()
        raise
    return server, base


def heavy_calendar(owner_id: int, count: int):
    """`count` events for one owner over ten years, with the characters exports must escape
    (quotes, semicolons, new lines, emoji) in every tenth: the exports' and API's worst case."""
    import datetime as dt

    from django.conf import settings

    from calendarapp.models import Event
    from calendarapp.timezones import starts_at

    start = dt.date.today() + dt.timedelta(days=1)
    for n in range(count):
        date, time = start + dt.timedelta(days=n % 3650), dt.time(n % 24, (n * 7) % 60)
        # bulk_create skips Event.save(): the instant is set here (owners are in the
        # server's zone).
        yield Event(
            owner_id=owner_id,
            name=f"Встреча №{n}; «важно»",
            date=date,
            time=time,
            starts_at=starts_at(date=date, time=time, zone_name=settings.TIME_ZONE),
            details='Детали; "кавычки"\nвторая строка 🎉' if n % 10 == 0 else "",
            is_public=n % 3 == 0,
        )


def bulk_load(model, objects, *, batch: int = 5000) -> None:
    """Insert `objects` a batch at a time (never all in memory), then do what autovacuum does
    soon after a bulk load in production: statistics for the planner and a visibility map,
    so COUNT(*) of a page listing is an index-only scan."""
    from django.db import connection

    rows = []
    for obj in objects:
        rows.append(obj)
        if len(rows) == batch:
            model.objects.bulk_create(rows)
            rows = []
    model.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
