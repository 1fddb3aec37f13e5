"""Choose the database: DATABASE_URL, else the original project's DB_* variables, else SQLite.

SQLite is tuned so that the bot process and the web process can write at the same time:
WAL lets readers and one writer work together, IMMEDIATE transactions take the write lock up
front (no deadlock-prone lock upgrades), and a busy timeout makes writers wait instead of
failing with "database is locked".
"""

from pathlib import Path

import dj_database_url

from .env import env_int, env_str

SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=20000;"
        "PRAGMA foreign_keys=ON;"
    ),
}


def database_settings(base_dir: Path) -> dict:
    conn_max_age = env_int("DB_CONN_MAX_AGE", 60)
    url = env_str("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    elif env_str("DB_HOST"):
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env_str("DB_NAME", "calendar_db"),
            "USER": env_str("DB_USER", "calendar_user"),
            "PASSWORD": env_str("DB_PASSWORD"),
            "HOST": env_str("DB_HOST"),
            "PORT": env_str("DB_PORT", "5432"),
            "CONN_MAX_AGE": conn_max_age,
            "CONN_HEALTH_CHECKS": True,
        }
    else:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH") or str(base_dir / "db.sqlite3"),
        }
    if config["ENGINE"].endswith("sqlite3"):
        config.setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
        # A persistent connection keeps the WAL pragmas applied and avoids reconnects.
        config["CONN_MAX_AGE"] = None
        # Tests use a file, not Django's shared-cache in-memory database: the bot's ORM thread
        # and the test's thread write concurrently, and shared-cache table locks ignore the
        # busy timeout ("database table is locked"). A file gets WAL and the timeout.
        config["TEST"] = {"NAME": env_str("SQLITE_TEST_PATH") or str(base_dir / "test-db.sqlite3")}
    else:
        config.setdefault("TEST", {})["NAME"] = env_str("DB_TEST_NAME") or None
        if not config["TEST"]["NAME"]:
            del config["TEST"]["NAME"]
    return {"default": config}
