import datetime as dt

import pytest
from django.utils import timezone

from calendarapp.services.users import TelegramProfile, register_user
from tests.support.browser import browser  # noqa: F401  (the browser tests' chromium)
from tests.support.cache import clear_own_keys, unique_prefix, uses_database


@pytest.fixture
def make_user(db):
    """Register a Telegram user the way the bot does."""

    def make(tg_id: int, username: str = "", first_name: str = "Test", **extra):
        user, _ = register_user(
            TelegramProfile(tg_id=tg_id, username=username, first_name=first_name, **extra)
        )
        return user

    return make


@pytest.fixture
def alice(make_user):
    return make_user(1001, "alice", "Alice")


@pytest.fixture
def bob(make_user):
    return make_user(1002, "bob", "Bob")


@pytest.fixture
def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


# --- REST API and exports ---------------------------------------------------------
@pytest.fixture(scope="session", autouse=True)
def _own_cache_keys():
    """This run's cache keys under a prefix of its own: the Redis database of REDIS_URL may
    serve other runs at the same time."""
    from django.conf import settings
    from django.test import override_settings

    own = {
        alias: config | {"KEY_PREFIX": unique_prefix(alias)}
        for alias, config in settings.CACHES.items()
    }
    with override_settings(CACHES=own):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache(request, _own_cache_keys):
    """Throttle counters live in the cache: each test starts with none.
    The database cache is in the test database, which only tests with database access reach
    (the others cannot touch it)."""
    from django.core.cache import caches

    cache, texts = caches["default"], caches["ics"]
    if uses_database(cache):
        if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker(
            "django_db"
        ):
            yield
            return
        request.getfixturevalue("django_db_setup")
        blocker = request.getfixturevalue("django_db_blocker")
    else:
        blocker = None

    def clear():
        if blocker is None:
            clear_own_keys(cache)
            clear_own_keys(texts)
        else:
            with blocker.unblock():
                clear_own_keys(cache)
                clear_own_keys(texts)

    clear()
    yield
    clear()


@pytest.fixture
def staff_token(db, django_user_model):
    from rest_framework.authtoken.models import Token

    user = django_user_model.objects.create_user("service", password="x", is_staff=True)
    return Token.objects.create(user=user).key


@pytest.fixture
def api(staff_token):
    """A DRF client authenticated as a staff service account with a token."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {staff_token}")
    return client


# --- languages ------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Russian): a web request's LocaleMiddleware
    leaves its language active in the thread, and tests compare replies with `texts.X`."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
