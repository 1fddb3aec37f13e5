"""The Makefile's targets for a newcomer: `make superuser` without questions when the
DJANGO_SUPERUSER_* variables are set, and `make help` naming the targets the README shows.

The targets run for real, with this interpreter's directory as the Makefile's BIN (the Docker
image has no .venv) and the install step marked done (`make -o install`: no pip here).
"""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = str(Path(sys.executable).parent)

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def make(*args: str, env: dict[str, str], stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "-o", "install", f"BIN={BIN}", *args],
        cwd=ROOT,
        env=env,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def sqlite_env(path: Path) -> dict[str, str]:
    """This environment on a scratch SQLite file (never the PostgreSQL of CI's second pass)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DB_HOST"} and not k.startswith("DJANGO_SUPERUSER_")
    }
    env["SQLITE_PATH"] = str(path)
    return env


def superusers(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT username, email FROM auth_user WHERE is_superuser AND is_staff"
        ).fetchall()


def test_make_superuser_asks_nothing_when_the_variables_are_set(tmp_path):
    database = tmp_path / "admin.sqlite3"
    env = sqlite_env(database) | {
        "DJANGO_SUPERUSER_USERNAME": "boss",
        "DJANGO_SUPERUSER_PASSWORD": "a-long-password-42",
    }
    result = make("superuser", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert superusers(database) == [("boss", "")]

    # The optional e-mail is used when given.
    env |= {"DJANGO_SUPERUSER_USERNAME": "chief", "DJANGO_SUPERUSER_EMAIL": "chief@example.com"}
    result = make("superuser", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ("chief", "chief@example.com") in superusers(database)


def test_make_superuser_without_the_variables_is_djangos_interactive_command(tmp_path):
    # No terminal here, so Django's interactive createsuperuser declines (it would ask).
    database = tmp_path / "admin.sqlite3"
    result = make("superuser", env=sqlite_env(database))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not running in a TTY" in result.stdout + result.stderr
    assert superusers(database) == []


def test_make_help_lists_run_chat_and_test():
    result = make("help", env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    targets = [line.split()[1] for line in result.stdout.splitlines()]
    assert targets[:3] == ["run", "chat", "test"]
    assert "superuser" in targets


def test_make_chat_runs_the_chat_command():
    result = make("-n", "chat", "CHAT_ARGS=--language en", env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    assert f"{BIN}/python manage.py chat --language en" in result.stdout
