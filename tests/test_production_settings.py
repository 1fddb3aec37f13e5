"""Production settings: `check --deploy` is clean with DJANGO_DEBUG=0, the TLS settings follow
the environment (for whatever reverse proxy sits in front), and development stays plain HTTP.
"""

import secrets
import subprocess

from tests.support.processes import manage, settings_free_env
from tests.test_settings import settings_value

REAL_SECRET = secrets.token_urlsafe(50)


def check_deploy(**env) -> subprocess.CompletedProcess:
    return manage(
        settings_free_env(**env), "check", "--deploy", "--fail-level", "WARNING", check=False
    )


def test_check_deploy_reports_nothing_in_production():
    result = check_deploy(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=REAL_SECRET)
    assert result.returncode == 0, result.stdout + result.stderr
    # One silenced: "preload is off", which is right while max-age is under a year.
    assert "System check identified no issues (1 silenced)." in result.stdout
    result = check_deploy(
        DJANGO_DEBUG="0", DJANGO_SECRET_KEY=REAL_SECRET, DJANGO_HSTS_SECONDS="31536000"
    )
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_flags_a_production_setup_that_turned_tls_off():
    result = check_deploy(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=REAL_SECRET,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_HSTS_SECONDS="0",
    )
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_development_defaults_stay_plain_http():
    values = settings_value(
        "(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
    )
    assert values == "(False, False, False, 0, None)"


def test_the_seeds_env_keeps_development_mode():
    # The original project's .env: DJANGO_DEBUG=1, DJANGO_ALLOWED_HOSTS=*.
    values = settings_value(
        "(s.DEBUG, s.ALLOWED_HOSTS, s.SECURE_SSL_REDIRECT)",
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY="dev-secret-key-change-this",
        DJANGO_ALLOWED_HOSTS="*",
    )
    assert values == "(True, ['*', 'testserver'], False)"


def test_production_trusts_x_forwarded_proto_by_default():
    value = settings_value(
        "s.SECURE_PROXY_SSL_HEADER", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=REAL_SECRET
    )
    assert value == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_proxy_header_is_configurable_or_off():
    production = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": REAL_SECRET}
    custom = settings_value(
        "s.SECURE_PROXY_SSL_HEADER", DJANGO_SECURE_PROXY_SSL_HEADER="X-Scheme", **production
    )
    assert custom == "('HTTP_X_SCHEME', 'https')"
    off = settings_value(
        "s.SECURE_PROXY_SSL_HEADER", DJANGO_SECURE_PROXY_SSL_HEADER="", **production
    )
    assert off == "None"


def test_hsts_lifetime_comes_from_the_environment():
    value = settings_value(
        "s.SECURE_HSTS_SECONDS",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=REAL_SECRET,
        DJANGO_HSTS_SECONDS="31536000",
    )
    assert value == "31536000"


def test_hsts_preload_only_with_a_max_age_of_a_year():
    production = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": REAL_SECRET}
    header = "(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD)"
    assert settings_value(header, **production) == "(3600, False)"
    assert settings_value(header, DJANGO_HSTS_PRELOAD="1", **production) == "(3600, False)"
    assert settings_value(header, DJANGO_HSTS_SECONDS="31536000", **production) == (
        "(31536000, True)"
    )
    assert settings_value(
        header, DJANGO_HSTS_SECONDS="31536000", DJANGO_HSTS_PRELOAD="0", **production
    ) == ("(31536000, False)")


def test_production_uses_the_manifest_storage_and_static_root_from_env(tmp_path):
    values = settings_value(
        "(s.STORAGES['staticfiles']['BACKEND'], str(s.STATIC_ROOT))",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=REAL_SECRET,
        DJANGO_STATIC_ROOT=str(tmp_path),
    )
    assert values == str(("whitenoise.storage.CompressedManifestStaticFilesStorage", str(tmp_path)))
