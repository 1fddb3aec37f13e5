"""Settings come from the environment; production refuses unsafe defaults."""

import os
import subprocess
import sys

from tests.support.processes import manage, python, settings_free_env


def run_check(**env) -> subprocess.CompletedProcess:
    return manage(settings_free_env(**env), "check", check=False)


def settings_value(expression: str, **env) -> str:
    code = f"from django.conf import settings as s; print({expression})"
    return python(settings_free_env(**env), code).strip()


def test_production_with_default_secret_key_refuses_to_start():
    result = run_check(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_DEBUG=0 needs a real DJANGO_SECRET_KEY" in result.stderr


def test_production_with_the_seeds_example_key_refuses_to_start():
    result = run_check(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="dev-secret-key-change-this")
    assert result.returncode != 0


def test_nonsense_boolean_is_reported():
    result = run_check(DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be" in result.stderr


def test_sqlite_by_default_with_concurrency_settings():
    assert settings_value("s.DATABASES['default']['ENGINE']") == "django.db.backends.sqlite3"
    options = settings_value("s.DATABASES['default']['OPTIONS']")
    assert "WAL" in options
    assert "IMMEDIATE" in options


def test_seed_db_variables_select_postgresql():
    env = {
        "DB_HOST": "db",
        "DB_NAME": "calendar_db",
        "DB_USER": "calendar_user",
        "DB_PASSWORD": "calendar_password",
        "DB_PORT": "5432",
    }
    db = settings_value(
        "(lambda d: (d['ENGINE'], d['NAME'], d['USER'], d['HOST'], d['PORT']))"
        "(s.DATABASES['default'])",
        **env,
    )
    assert db == str(
        ("django.db.backends.postgresql", "calendar_db", "calendar_user", "db", "5432")
    )


def test_database_url_wins():
    value = settings_value(
        "s.DATABASES['default']['NAME']",
        DATABASE_URL="postgres://u:p@h:5432/from_url",
        DB_HOST="db",
    )
    assert value == "from_url"


def test_time_zone_defaults_to_moscow_and_is_aware():
    assert settings_value("(s.TIME_ZONE, s.USE_TZ)") == "('Europe/Moscow', True)"
    assert settings_value("s.TIME_ZONE", TIME_ZONE="Europe/Berlin") == "Europe/Berlin"


def test_seed_export_ttl_is_read():
    assert settings_value("s.EXPORT_TOKEN_MAX_AGE") == "900"
    assert settings_value("s.EXPORT_TOKEN_MAX_AGE", EXPORT_TOKEN_MAX_AGE="60") == "60"


def test_bot_speed_options_default_to_the_fast_ones_and_refuse_typos():
    assert settings_value("s.TELEGRAM_HTTP_CLIENT + ' ' + s.BOT_EVENT_LOOP") == "aiohttp uvloop"
    assert settings_value("s.TELEGRAM_HTTP_CLIENT", TELEGRAM_HTTP_CLIENT="HTTPX") == "httpx"
    result = run_check(BOT_EVENT_LOOP="uvlop")
    assert result.returncode != 0
    assert "BOT_EVENT_LOOP must be one of uvloop, asyncio" in result.stderr


def test_a_django_log_line_is_printed_once_in_development():
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('django.request').warning('Not Found: /nowhere')"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "webapp.settings", "DJANGO_DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert (result.stdout + result.stderr).count("Not Found: /nowhere") == 1
