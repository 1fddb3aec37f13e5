"""A real browser (Debian's chromium driven by Playwright) through the admin and Swagger UI.

Fails on any console error or uncaught page error, e.g. a missing static asset or a CDN the
machine cannot reach. Locally the test skips when chromium is absent; in CI (CI=true) it
must run, and `.ci/run` installs chromium from Debian's packages.
"""

import os
import tempfile
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import reverse

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(
    os.environ.get("BROWSER_SCREENSHOT_DIR")
    or Path(tempfile.gettempdir()) / "calendar-browser-shots"
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium_path():
    if not CHROMIUM.exists():
        message = f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return str(CHROMIUM)


@pytest.fixture
def page(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=["--no-sandbox"]
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.problems = []
        page.on(
            "console",
            lambda msg: (
                msg.type == "error"
                and page.problems.append(f"console on {page.url}: {msg.text} {msg.location}")
            ),
        )
        page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))
        page.on(
            "response",
            lambda r: r.status >= 400 and page.problems.append(f"HTTP {r.status}: {r.url}"),
        )
        yield page
        browser.close()


def changelist_urls() -> list[str]:
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]


@pytest.fixture
def superuser(django_user_model, alice, bob):
    # Database work happens before Playwright starts its event loop in this thread.
    return django_user_model.objects.create_superuser("root", "root@example.com", "s3cret-pass")


def test_admin_changelists_and_swagger_have_no_console_errors(live_server, superuser, page):
    urls = changelist_urls()
    assert len(urls) >= 4

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "s3cret-pass")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for url in urls:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        assert page.locator("#changelist").count() == 1, url
    page.screenshot(path=SCREENSHOTS / "admin-changelist.png")

    response = page.goto(f"{live_server.url}/api/docs/")
    assert response.status == 200
    # Swagger UI renders the operations from /api/schema/ once its scripts have run.
    page.wait_for_selector("text=/api/events/public/", timeout=15_000)
    page.screenshot(path=SCREENSHOTS / "swagger.png", full_page=True)

    assert page.problems == []
