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

SCREENSHOTS = Path(
    os.environ.get("BROWSER_SCREENSHOT_DIR")
    or Path(tempfile.gettempdir()) / "calendar-browser-shots"
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    # A Russian browser: the admin answers in the browser's language (Accept-Language).
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
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
    context.close()


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


@pytest.fixture
def statistics_history(db):
    """90 days of activity, oldest first, and a spike 45 days ago (in the 90-day chart only)."""
    import datetime as dt

    from django.utils import timezone

    from calendarapp.models import BotStatistics

    today = timezone.localdate()
    BotStatistics.objects.bulk_create(
        BotStatistics(
            date=today - dt.timedelta(days=age),
            user_count=age % 3,
            event_count=50 if age == 45 else age % 7,
            edited_events=age % 4,
            cancelled_events=age % 2,
            appointment_count=age % 5,
        )
        for age in range(90)
    )
    return {
        days: {
            # + Alice and Bob, registered today by the superuser fixture.
            "user_count": sum(age % 3 for age in range(days)) + 2,
            "event_count": sum(50 if age == 45 else age % 7 for age in range(days)),
        }
        for days in (30, 90)
    }


def test_statistics_chart_in_the_browser(live_server, statistics_history, superuser, page):
    """The admin's statistics page draws five series for 30 and 90 days, from local files."""
    from calendarapp.selectors.statistics import SERIES

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "s3cret-pass")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    url = reverse("admin:calendarapp_botstatistics_changelist")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}{url}")  # 30 days unless told otherwise
    for days in (30, 90):
        if days == 90:
            page.click("#statistics-chart a:text('90 дней')")
            page.wait_for_url(f"**{url}?period=90")
        chart = page.locator("#statistics-chart")
        assert chart.locator("h2").inner_text() == f"Активность за {days} дней"
        svg = chart.locator("svg")
        assert svg.is_visible()
        box = svg.bounding_box()
        assert box["width"] > 600 and box["height"] > 150
        for name, label in SERIES.items():
            line = chart.locator(f"polyline.series-{name}")
            assert line.is_visible(), name
            # One point a day, drawn with a visible stroke.
            assert line.evaluate("el => el.points.numberOfItems") == days, name
            assert line.evaluate("el => el.getBBox().width") > 500, name
            assert str(label) in chart.inner_text()
        for name, total in statistics_history[days].items():
            assert chart.locator(f".total-{name}").inner_text() == str(total)
        # The spike 45 days ago sets the scale of the 90-day chart only.
        top_label = chart.locator("svg text[text-anchor=end]").last.text_content()
        assert top_label == ("50" if days == 90 else "6")
        chart.screenshot(path=SCREENSHOTS / f"statistics-{days}-days.png")
        page.screenshot(path=SCREENSHOTS / f"statistics-{days}-days-page.png", full_page=True)

    # Everything came from this server: no CDN, no failed asset, no script error.
    assert page.problems == []
