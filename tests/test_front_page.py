"""The front page at / (languages, links, the bot's username) and the 404 and 500 pages."""

import json
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.template import loader
from django.utils import translation

from calendarapp.services.bot_identity import remember_bot_username
from tests.support.processes import ROOT

RUSSIAN = {"HTTP_ACCEPT_LANGUAGE": "ru-RU,ru;q=0.9,en;q=0.5"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture(autouse=True)
def _no_configured_username(settings):
    settings.TELEGRAM_BOT_USERNAME = ""


# --- the front page ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("headers", "language", "headline", "open_bot"),
    [
        (RUSSIAN, "ru", "Личный календарь в Telegram", "Открыть бота в Telegram"),
        (ENGLISH, "en", "A personal calendar in Telegram", "Open the bot in Telegram"),
        ({}, "ru", "Личный календарь в Telegram", "Открыть бота в Telegram"),
    ],
)
def test_the_front_page_speaks_the_browsers_language(
    client, db, headers, language, headline, open_bot
):
    remember_bot_username(username="stored_calendar_bot")
    response = client.get("/", **headers)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert f"<h1>{headline}</h1>" in page
    assert open_bot in page
    assert "Accept-Language" in response["Vary"]


def test_the_front_page_links_the_web_sides_parts(client, db):
    page = client.get("/", **ENGLISH).content.decode()
    for anchor in (
        '<a id="admin-link" href="/admin/">',
        '<a id="api-link" href="/api/">',
        '<a id="swagger-link" href="/api/docs/">',
        '<a id="health-link" href="/healthz">',
    ):
        assert anchor in page
    assert "REST API" in page
    assert "CSV, JSON and ICS" in page


def test_the_front_page_shows_the_stored_username(client, db):
    remember_bot_username(username="stored_calendar_bot")
    page = client.get("/").content.decode()
    assert 'href="https://t.me/stored_calendar_bot"' in page
    assert "@stored_calendar_bot" in page
    assert 'id="bot-not-configured"' not in page


def test_the_configured_username_wins_on_the_front_page(client, db, settings):
    remember_bot_username(username="stored_calendar_bot")
    settings.TELEGRAM_BOT_USERNAME = "env_calendar_bot"
    page = client.get("/").content.decode()
    assert 'href="https://t.me/env_calendar_bot"' in page
    assert "stored_calendar_bot" not in page


@pytest.mark.parametrize(
    ("headers", "notice"),
    [
        (RUSSIAN, "Бот ещё не настроен"),
        (ENGLISH, "The bot is not configured yet"),
    ],
)
def test_without_a_username_the_page_says_the_bot_is_not_configured(client, db, headers, notice):
    page = client.get("/", **headers).content.decode()
    assert "t.me" not in page
    assert 'id="bot-link"' not in page
    assert notice in page
    assert "TELEGRAM_BOT_USERNAME" in page


DEVELOPMENT_COMMANDS = ("<code>make run</code>", "<code>make test</code>", "<code>make chat</code>")


def test_development_commands_only_with_debug_on(client, db, settings):
    settings.DEBUG = False
    page = client.get("/").content.decode()
    assert 'id="development"' not in page
    assert not any(command in page for command in DEVELOPMENT_COMMANDS)
    assert "manage.py chat" not in page

    settings.DEBUG = True
    page = client.get("/", **ENGLISH).content.decode()
    assert 'id="development"' in page
    assert all(command in page for command in DEVELOPMENT_COMMANDS)
    assert "<code>python manage.py chat</code>" in page
    assert "This section is shown only with DJANGO_DEBUG=1." in page


# --- 404 and 500 -----------------------------------------------------------------------------
def assert_error_page(response, status: int, title: str) -> None:
    """The project's page, titled in the reader's language, with a way back to the front page."""
    assert response.status_code == status
    page = response.content.decode()
    assert f'<h1 id="error-title">{title}</h1>' in page
    assert '<a class="button" href="/">' in page


@pytest.mark.parametrize(
    ("headers", "title"),
    [(RUSSIAN, "Страница не найдена"), (ENGLISH, "Page not found")],
)
def test_an_unknown_path_is_the_projects_404_page(client, settings, headers, title):
    settings.DEBUG = False
    assert_error_page(client.get("/no-such-page/", **headers), 404, title)


@pytest.mark.urls("tests.failing_urls")
@pytest.mark.parametrize(
    ("headers", "title"),
    [(RUSSIAN, "Что-то пошло не так"), (ENGLISH, "Something went wrong")],
)
def test_a_failing_view_is_the_projects_500_page(client, settings, headers, title):
    # No database fixture: the 500 page must render while the database is out of reach.
    settings.DEBUG = False
    client.raise_request_exception = False
    assert_error_page(client.get("/broken/", **headers), 500, title)


def test_the_500_page_renders_with_no_context_at_all():
    """How Django's server_error renders it: template.render(), no request, no context."""
    template = loader.get_template("500.html")
    assert "Что-то пошло не так" in template.render()
    with translation.override("en"):
        assert "Something went wrong" in template.render()


PRODUCTION_REQUESTS = """
import django, json
django.setup()
from django.test import Client, override_settings
client = Client(raise_request_exception=False, HTTP_HOST="localhost")
answers = {}
for path in ("/no-such-page/", "/broken/"):
    with override_settings(ROOT_URLCONF="tests.failing_urls"):
        response = client.get(path, secure=True, HTTP_ACCEPT_LANGUAGE="en")
    answers[path] = [response.status_code, response.content.decode()]
print(json.dumps(answers))
"""


def test_production_answers_with_the_projects_error_pages(tmp_path):
    """DJANGO_DEBUG=0 as deployed: manifest static storage, TLS settings, no debug pages."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DB_"))}
    clean.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_REQUESTS],
        cwd=ROOT,
        env=clean
        | {
            "DJANGO_SETTINGS_MODULE": "webapp.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_STATIC_ROOT": str(tmp_path / "static"),  # never collected
            "SQLITE_PATH": str(tmp_path / "never-opened.sqlite3"),
            "LOG_LEVEL": "CRITICAL",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    status, page = answers["/no-such-page/"]
    assert status == 404
    assert '<h1 id="error-title">Page not found</h1>' in page
    status, page = answers["/broken/"]
    assert status == 500
    assert '<h1 id="error-title">Something went wrong</h1>' in page
    assert not (tmp_path / "never-opened.sqlite3").exists()


# --- Content-Security-Policy -----------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/no-such-page/", "/admin/login/", "/api/docs/", "/api/"])
def test_every_page_carries_a_content_security_policy(client, path):
    policy = client.get(path, HTTP_ACCEPT="text/html")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"  # nothing inline, nothing from elsewhere
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_swagger_ui_starts_from_a_script_file_not_an_inline_script(client):
    page = client.get("/api/docs/").content.decode()
    assert "<script>" not in page
    script = re.search(r'<script src="(/api/docs/\?[^"]*script[^"]*)"', page)
    assert script, page
    answer = client.get(script.group(1).replace("&amp;", "&"))
    assert answer.status_code == 200
    assert "SwaggerUIBundle" in answer.content.decode()
