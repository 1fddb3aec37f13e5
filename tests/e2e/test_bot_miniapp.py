"""End to end: the bot offers the Mini App where Telegram can open it (an https site): the
chat's menu button, /app, and «Открыть в календаре» under a created event; on a plain-http
site /app says why there is none. The fake Bot API refuses Web App buttons that are not
https, as Telegram does."""

import pytest

from calendarapp.bot import texts
from calendarapp.models import Event

pytestmark = pytest.mark.e2e

SITE = "https://calendar.example.org"


@pytest.fixture
def https_site(settings):
    settings.SITE_BASE_URL = SITE


def web_apps(message) -> list[dict]:
    return [button for button in message.buttons() if "web_app" in button]


def test_on_an_https_site_the_menu_button_and_app_open_the_calendar(
    https_site, bot, registered_ann
):
    ann = registered_ann
    menu = bot.call(lambda: bot.fake.menu_buttons[None])
    assert menu == {"type": "web_app", "text": "Календарь", "web_app": {"url": f"{SITE}/app/"}}

    assert ann.ask("/app") == texts.APP_OPEN
    [button] = web_apps(ann.last_message())
    assert button["web_app"] == {"url": f"{SITE}/app/"}


def test_a_created_event_opens_in_the_calendar(https_site, bot, registered_ann, next_year):
    ann = registered_ann
    for text in ("/create_event", "Dentist", next_year.isoformat(), "9:05"):
        ann.ask(text)
    ann.press("Пропустить")
    event = Event.objects.get()
    [button] = web_apps(ann.last_message())
    assert button["text"] == "📅 Открыть в календаре"
    assert button["web_app"]["url"] == f"{SITE}/app/?event={event.pk}"
    # Choosing another reminder keeps the button (the keyboard is rebuilt in place).
    ann.press("За 1 час")
    assert [b["web_app"]["url"] for b in web_apps(ann.last_message())] == [
        f"{SITE}/app/?event={event.pk}"
    ]


def test_on_plain_http_the_bot_says_why_there_is_no_app(bot, registered_ann, next_year, settings):
    ann = registered_ann
    assert not settings.SITE_BASE_URL.startswith("https://")
    answer = ann.ask("/app")
    assert answer == texts.APP_NEEDS_HTTPS.format(url=settings.SITE_BASE_URL)
    assert web_apps(ann.last_message()) == []
    assert bot.call(lambda: bot.fake.menu_buttons) == {}
    for text in ("/create_event", "Dentist", next_year.isoformat(), "9:05"):
        ann.ask(text)
    assert "Описания нет" in ann.press("Пропустить")  # created, without an app button
    assert web_apps(ann.last_message()) == []


def test_app_needs_registration(bot, ann):
    assert ann.ask("/app") == texts.NEED_REGISTER
