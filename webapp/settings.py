"""Django settings for Calendar Bot.

Every value that differs between machines comes from the environment (the original project's `.env`
names are kept). Development defaults let `make run` work on a fresh clone; production
(`DJANGO_DEBUG=0`) refuses to start with the development secret key.
"""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .database import database_settings
from .env import env_bool, env_choice, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "django-insecure-dev-only-change-me"  # noqa: S105 - refused when DEBUG is off

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or DEV_SECRET_KEY
if not DEBUG and SECRET_KEY in {DEV_SECRET_KEY, "dev-secret-key-change-this"}:
    raise ImproperlyConfigured(
        "DJANGO_DEBUG=0 needs a real DJANGO_SECRET_KEY: set it in the environment, for example "
        "with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

SITE_BASE_URL = env_str("SITE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_site_host = urlsplit(SITE_BASE_URL).hostname or "localhost"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", f"localhost,127.0.0.1,[::1],{_site_host}")
if DEBUG:
    ALLOWED_HOSTS.append("testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS") or (
    [f"{urlsplit(SITE_BASE_URL).scheme}://{urlsplit(SITE_BASE_URL).netloc}"]
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "calendarapp",
    "calendarapp.apps.AxesConfig",  # django-axes: admin log-in lock-outs (below)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "calendarapp.api.middleware.EnglishApiMiddleware",  # the API speaks English
    "calendarapp.api.middleware.JsonErrorMiddleware",  # and its errors are JSON, always
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "webapp.middleware.DatabaseUnavailableMiddleware",  # a DB restart is a 503
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out log-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy of every response (django-csp): scripts, styles, images and
# fetches from this site only, no plugins, no framing, forms post here only. Styles allow
# inline `style` attributes: Django's admin and the statistics chart use them, and they
# cannot run code. Scripts allow nothing inline (Swagger UI's start-up is a file too).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "webapp.urls"
WSGI_APPLICATION = "webapp.wsgi.application"
ASGI_APPLICATION = "webapp.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = database_settings(BASE_DIR)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Admin log-in: brute-force protection (django-axes) --------------------------------
# After ADMIN_LOGIN_FAILURE_LIMIT wrong passwords for one user name from one address, that pair
# is locked out for ADMIN_LOGIN_COOLOFF_MINUTES (a right password then does not help either);
# a successful log-in resets the count. Attempts are rows in the database, shown in the admin.
# The API is not concerned: its token and session authentication never take a password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "calendarapp.web.lockout.locked_out"
# The client's address as the API's throttles see it (API_NUM_PROXIES, X-Forwarded-For).
AXES_CLIENT_IP_CALLABLE = "calendarapp.api.throttling.client_address"
AXES_VERBOSE = False  # no banner at every start; a lock-out is still logged (a warning)

# Russian by default; the admin answers English browsers in English (LocaleMiddleware reads
# the switcher's cookie, then Accept-Language). The bot decides by itself: calendarapp/i18n.py.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
# The bot's catalogs live in the app (calendarapp/locale), found through INSTALLED_APPS;
# webapp/locale holds Russian for other packages' admin texts their own catalogs lack.
LOCALE_PATHS = [BASE_DIR / "webapp" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Production behind a TLS reverse proxy (deployment) ---------------------------------
# With DJANGO_DEBUG=0 every `check --deploy` item is on by default; each one can be relaxed
# from the environment. The proxy must set X-Forwarded-Proto (and strip a client's copy).
# HSTS starts at one hour: raise DJANGO_HSTS_SECONDS to 31536000 once HTTPS is known to work
# (hstspreload.org refuses a max-age under a year, so "preload" commits nobody before then).
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or STATIC_ROOT)
_proxy_header = env_str("DJANGO_SECURE_PROXY_SSL_HEADER", "" if DEBUG else "X-Forwarded-Proto")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https") if _proxy_header else None
)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container and load-balancer probes speak plain HTTP
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
# "preload" asks browsers to hard-code HTTPS for the domain; the preload list takes only a
# max-age of a year or more, so a shorter one goes out without it, whatever is asked.
HSTS_PRELOAD_MIN_SECONDS = 31_536_000
SECURE_HSTS_PRELOAD = (
    env_bool("DJANGO_HSTS_PRELOAD", True) and SECURE_HSTS_SECONDS >= HSTS_PRELOAD_MIN_SECONDS
)
if SECURE_HSTS_SECONDS and SECURE_HSTS_SECONDS < HSTS_PRELOAD_MIN_SECONDS:
    # check --deploy's "preload is off" (W021) is the point until max-age reaches a year.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Calendar Bot ---------------------------------------------------------------------
EXPORT_TOKEN_MAX_AGE = env_int("EXPORT_TOKEN_MAX_AGE", 900)
TELEGRAM_BOT_TOKEN = env_str("TELEGRAM_BOT_TOKEN")
TELEGRAM_API_BASE_URL = env_str("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot")
# The bot's @username for the front page's t.me link. Optional: the bot stores its own
# name when it starts (getMe); this wins, for a web side that runs before or without it.
TELEGRAM_BOT_USERNAME = env_str("TELEGRAM_BOT_USERNAME").removeprefix("@")
if TELEGRAM_BOT_USERNAME and not re.fullmatch(r"[A-Za-z0-9_]{5,32}", TELEGRAM_BOT_USERNAME):
    raise ImproperlyConfigured(
        "TELEGRAM_BOT_USERNAME must be a Telegram username (5-32 letters, digits or _, "
        f"optionally after @), not {TELEGRAM_BOT_USERNAME!r}."
    )
# Invitation links (t.me/<bot>?start=...): how long one can be answered, in seconds.
INVITATION_LINK_MAX_AGE = env_int("INVITATION_LINK_MAX_AGE", 7 * 24 * 3600)
# Mini App: how old a Telegram sign-in (initData's auth_date) may be, in seconds.
MINIAPP_INIT_DATA_MAX_AGE = env_int("MINIAPP_INIT_DATA_MAX_AGE", 3600)
# Bot: retries of 429/5xx/network errors, and the overall message rate (Telegram: ~30/s).
TELEGRAM_MAX_RETRIES = env_int("TELEGRAM_MAX_RETRIES", 3)
TELEGRAM_OVERALL_MAX_RATE = env_int("TELEGRAM_OVERALL_MAX_RATE", 30)
# Outbox (invitations, answers, reminders): how often the bot looks for due messages, and
# the pause between two notifications to the same chat (Telegram: about 1 message/s).
OUTBOX_POLL_INTERVAL = env_float("OUTBOX_POLL_INTERVAL", 1.0)
OUTBOX_CHAT_INTERVAL = env_float("OUTBOX_CHAT_INTERVAL", 1.0)
# Event cards posted in chats (inline mode): the least time between two edits of one card
# (presses in between are coalesced: the edit shows the last state), and how often the bot
# looks for cards due an edit (seconds).
CARD_EDIT_INTERVAL = env_float("CARD_EDIT_INTERVAL", 3.0)
CARD_POLL_INTERVAL = env_float("CARD_POLL_INTERVAL", 1.0)
# Seconds an organiser's digest of new answers gathers presses before it is sent.
RSVP_DIGEST_PERIOD = env_float("RSVP_DIGEST_PERIOD", 300.0)
# Reminders: how often the bot looks for reminders that fell due (seconds).
REMINDER_POLL_INTERVAL = env_float("REMINDER_POLL_INTERVAL", 5.0)
# Bot webhook mode (production): set the public HTTPS URL to receive updates by webhook
# instead of long polling; see calendarapp/bot/transport/webhook.py and README, "Webhook mode".
TELEGRAM_WEBHOOK_URL = env_str("TELEGRAM_WEBHOOK_URL")
TELEGRAM_WEBHOOK_SECRET = env_str("TELEGRAM_WEBHOOK_SECRET")
TELEGRAM_WEBHOOK_LISTEN = env_str("TELEGRAM_WEBHOOK_LISTEN", "0.0.0.0")  # noqa: S104 - in a container
TELEGRAM_WEBHOOK_PORT = env_int("TELEGRAM_WEBHOOK_PORT", 8443)
# How many deliveries Telegram may have open at once (setWebhook's max_connections, 1-100):
# with several replicas, enough for all of them to be busy.
TELEGRAM_WEBHOOK_MAX_CONNECTIONS = env_int("TELEGRAM_WEBHOOK_MAX_CONNECTIONS", 40)
# Bot HTTP client: "aiohttp" (faster, calendarapp/bot/transport/http.py) or "httpx"
# (the library's own).
TELEGRAM_HTTP_CLIENT = env_choice("TELEGRAM_HTTP_CLIENT", ("aiohttp", "httpx"))
# Bot event loop: "uvloop" (when installed; calendarapp/bot/runtime/eventloop.py) or "asyncio".
BOT_EVENT_LOOP = env_choice("BOT_EVENT_LOOP", ("uvloop", "asyncio"))
# Bot processes for long polling: 1 = one process; N > 1 = a poller routing each user's
# updates to one of N worker processes (calendarapp/bot/workers.py). `runbot --workers N`.
BOT_WORKERS = env_int("BOT_WORKERS", 1)
# Where the bot's ORM calls run: 0 = on the event loop's thread, one connection (fast
# with a nearby database); N = N lanes, a thread and a connection each, one update's
# transaction in each at a time (a database far away). calendarapp/bot/runtime/orm.py.
BOT_DB_THREADS = env_int("BOT_DB_THREADS", 0)
# Importing a calendar from a URL (calendarapp/services/ics_fetch.py): seconds to connect,
# to wait for each read, and for the whole download.
ICS_IMPORT_CONNECT_TIMEOUT = env_float("ICS_IMPORT_CONNECT_TIMEOUT", 5.0)
ICS_IMPORT_READ_TIMEOUT = env_float("ICS_IMPORT_READ_TIMEOUT", 10.0)
ICS_IMPORT_TOTAL_TIMEOUT = env_float("ICS_IMPORT_TOTAL_TIMEOUT", 20.0)
# For tests only, never from the environment: plain http:// URLs, and loopback addresses on
# these ports (a local test server). Production imports from public https:// hosts only.
ICS_IMPORT_ALLOW_HTTP = False
ICS_IMPORT_LOOPBACK_PORTS: tuple[int, ...] = ()
# Days a handled update's id is kept, so a redelivery of it is recognised and ignored
# (calendarapp/bot/runtime/once.py); Telegram gives up on an update after 24 hours.
BOT_PROCESSED_UPDATES_DAYS = env_float("BOT_PROCESSED_UPDATES_DAYS", 2.0)

# --- Django REST framework ------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Calendar Bot API",
    "DESCRIPTION": "Public events, Telegram users, meetings and signed calendar exports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- REST API and exports ------------------------------------------------------------
REST_FRAMEWORK |= {
    "EXCEPTION_HANDLER": "calendarapp.api.errors.api_exception_handler",
    # JSON with depth and size limits (api/parsers.py), then DRF's usual form parsers.
    "DEFAULT_PARSER_CLASSES": [
        "calendarapp.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "calendarapp.api.pagination.CappedPageNumberPagination",
    # Unknown query parameters and sort fields are 400s naming them (api/filters.py).
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "calendarapp.api.filters.StrictOrderingFilter",
    ],
    # Throttles count per client address: trust X-Forwarded-For only behind this many proxies.
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0),
}
SPECTACULAR_SETTINGS |= {
    # Swagger UI from the drf-spectacular-sidecar package: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# --- The shared cache: the rate limits' counters ---------------------------------------
# Every gunicorn worker and the bot must see the same counters, or each process counts on its
# own and a limit is multiplied by the number of workers: Redis when REDIS_URL is set, else a
# table in the project's database (created by a migration, so `make run` needs nothing more).
REDIS_URL = env_str("REDIS_URL")
CACHE_TABLE = "calendar_cache"
ICS_CACHE_TABLE = "calendar_ics_cache"


def _shared_cache(
    table: str,
    *,
    max_entries: int,
    prefix: str = "",
    backend: str = "django.core.cache.backends.db.DatabaseCache",
) -> dict:
    if REDIS_URL:
        config = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    else:
        config = {
            "BACKEND": backend,
            "LOCATION": table,
            "OPTIONS": {"MAX_ENTRIES": max_entries},
        }
    # Several sites on one Redis database keep apart by prefix.
    return config | {"KEY_PREFIX": env_str("CACHE_KEY_PREFIX") + prefix}


CACHES = {
    # Past MAX_ENTRIES a third of the keys go, counters of live limits among them (the
    # default, 300, is fewer than one feed key per user); expired ones go first.
    "default": _shared_cache(CACHE_TABLE, max_entries=50_000),
    # The ICS writer's VEVENT texts (exports/writers.py), apart from the counters: a feed of
    # thousands of events must not push live limits out when the database table is full.
    # Stored many at a time (calendarapp/cache.py: one statement, not three per key).
    "ics": _shared_cache(
        ICS_CACHE_TABLE,
        max_entries=200_000,
        prefix="ics",
        backend="calendarapp.cache.BulkDatabaseCache",
    ),
}

# Abuse limits, "N/second|minute|hour|day"; an empty value switches a limit off.
CALENDAR_THROTTLE_RATES = {
    "export_token": env_str("API_EXPORT_TOKEN_RATE", "30/minute") or None,
    "export": env_str("EXPORT_DOWNLOAD_RATE", "30/minute") or None,
    # Per feed URL: calendar apps poll every few minutes to hours.
    "feed": env_str("FEED_RATE", "120/hour") or None,
}

# --- Logging: everything to stdout, level from LOG_LEVEL ------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "filters": {"mask_secrets": {"()": "webapp.secret_urls.MaskSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_secrets"],  # export and feed tokens in logged URLs
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default config gives "django" a console handler of its own (with DEBUG on)
        # and lets its records reach the root's too: every line printed twice. Root only.
        "django": {},
        "httpx": {"level": "WARNING"},
        "apscheduler": {"level": "WARNING"},
    },
}
