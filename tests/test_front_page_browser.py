"""The front page in Debian's chromium, in Russian and in English (the browser's language).

Fails on any console error, page error or failed request (a missing asset, a CDN). Skips
locally without chromium; in CI (CI=true) it must run, as tests/test_browser.py.
"""

import pytest

from calendarapp.services.bot_identity import remember_bot_username
from tests.support.browser import record_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_configured_username(settings):
    settings.TELEGRAM_BOT_USERNAME = ""  # the stored name is under test


def open_page(browser, locale: str):
    """A page whose browser asks for `locale` (Accept-Language), recording every problem."""
    context = browser.new_context(locale=locale, viewport={"width": 1000, "height": 800})
    page = context.new_page()
    record_problems(page)
    return page


@pytest.fixture
def stored_username(transactional_db):
    # Database work happens before Playwright starts its event loop in this thread.
    remember_bot_username(username="calendar_example_bot")
    return "calendar_example_bot"


@pytest.mark.parametrize(
    ("locale", "headline", "open_bot"),
    [
        ("ru-RU", "Личный календарь в Telegram", "Открыть бота в Telegram"),
        ("en-US", "A personal calendar in Telegram", "Open the bot in Telegram"),
    ],
)
def test_front_page_in_the_browser(
    live_server, stored_username, browser, tmp_path, locale, headline, open_bot
):
    page = open_page(browser, locale)
    response = page.goto(f"{live_server.url}/")
    assert response.status == 200
    page.wait_for_load_state("networkidle")  # the favicon too

    assert page.locator("h1").inner_text() == headline
    link = page.locator("#bot-link")
    assert link.is_visible()
    assert link.inner_text() == open_bot
    assert link.get_attribute("href") == f"https://t.me/{stored_username}"
    assert page.get_by_text(f"@{stored_username}").is_visible()
    for anchor in ("#admin-link", "#api-link", "#swagger-link", "#health-link"):
        assert page.locator(anchor).is_visible(), anchor
    # Our own CSS applied: the link is drawn as a button.
    assert link.evaluate("el => getComputedStyle(el).display") == "inline-block"

    page.screenshot(path=tmp_path / f"front-page-{locale}.png", full_page=True)
    assert page.problems == []


def test_the_browser_refuses_a_script_injected_into_a_page(live_server, browser):
    """The Content-Security-Policy is enforced, not only sent: a script that an injection
    would add to the page (inline, or from another site) does not run in chromium."""
    page = open_page(browser, "en-US")
    page.goto(f"{live_server.url}/")
    ran = page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.appendChild(script);
            return window.injected === true;
        }"""
    )
    assert ran is False
    assert any("Content Security Policy" in problem for problem in page.problems)
