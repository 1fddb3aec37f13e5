"""The README's PostgreSQL backup and restore commands, run for real: the shell snippet each
`docker compose exec -T db sh -c '...'` line hands to the db container runs here against a
scratch database, with the same POSTGRES_* variables the container has.

PostgreSQL runs only: skipped on the SQLite run and where pg_dump is not installed (inside the
web image, for instance).
"""

import re
import shutil
import subprocess

import pytest
from django.conf import settings

from tests.support.processes import ROOT

COMMAND = re.compile(r"^docker compose exec -T db sh -c '([^']+)' ([<>]) (\S+)$", re.MULTILINE)

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    or not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="needs the suite on PostgreSQL and the PostgreSQL client tools",
)


def readme_commands() -> dict[str, tuple[str, str]]:
    """{"pg_dump": (script, "> file"), "pg_restore": (script, "< file")} from the README."""
    found = {}
    for script, direction, _ in COMMAND.findall((ROOT / "README.md").read_text()):
        found[script.split()[0]] = (script, direction)
    return found


@pytest.fixture
def scratch_database():
    import psycopg

    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_backup"
    params = {
        "host": db.get("HOST") or "localhost",
        "port": db.get("PORT") or "5432",
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or "",
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    # What the db container's shell sees: POSTGRES_USER/POSTGRES_DB; the libpq variables stand
    # in for the container's local socket.
    env = {
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "POSTGRES_USER": params["user"] or "postgres",
        "POSTGRES_DB": name,
        "PGHOST": params["host"],
        "PGPORT": str(params["port"]),
        "PGPASSWORD": params["password"],
    }
    try:
        with psycopg.connect(dbname=name, autocommit=True, **params) as conn:
            yield conn, env
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(script: str, env: dict, **io) -> None:
    result = subprocess.run(
        ["sh", "-c", script], env=env, timeout=120, stderr=subprocess.PIPE, **io
    )
    assert result.returncode == 0, result.stderr.decode()


def test_readme_backup_then_restore_brings_the_data_back(scratch_database, tmp_path):
    conn, env = scratch_database
    commands = readme_commands()
    dump_script, dump_direction = commands["pg_dump"]
    restore_script, restore_direction = commands["pg_restore"]
    assert (dump_direction, restore_direction) == (">", "<")

    conn.execute("CREATE TABLE calendar_note (id int PRIMARY KEY, text text NOT NULL)")
    conn.execute("INSERT INTO calendar_note VALUES (1, 'Встреча; \"quoted\"'), (2, 'second')")

    backup = tmp_path / "calendar.dump"
    with backup.open("wb") as out:
        run(dump_script, env, stdout=out)

    conn.execute("DELETE FROM calendar_note WHERE id = 1")
    conn.execute("INSERT INTO calendar_note VALUES (3, 'written after the backup')")

    with backup.open("rb") as dump:
        run(restore_script, env, stdin=dump)

    rows = conn.execute("SELECT id, text FROM calendar_note ORDER BY id").fetchall()
    assert rows == [(1, 'Встреча; "quoted"'), (2, "second")]
