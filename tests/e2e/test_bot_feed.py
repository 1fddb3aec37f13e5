"""End to end: /feed gives a working subscription link, /feed_reset replaces it."""

import datetime as dt
import re

import icalendar
import pytest

from calendarapp.bot import texts
from calendarapp.services.events import create_event

pytestmark = pytest.mark.e2e


def links(answer: str) -> list[str]:
    return re.findall(r"(?:https?|webcal)://\S+", answer)


def fetch(client, url: str):
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    return client.get(path)


def summaries(response) -> list[str]:
    parsed = icalendar.Calendar.from_ical(b"".join(response.streaming_content))
    return [str(event["summary"]) for event in parsed.walk("VEVENT")]


def test_feed_link_subscribes_and_reset_revokes(bot, registered_ann, next_year, client, settings):
    ann = registered_ann
    create_event(owner_tg_id=ann.id, name="Party", date=next_year, time=dt.time(18, 0))
    answer = ann.ask("/feed")
    https, webcal = links(answer)
    assert https.startswith(settings.SITE_BASE_URL + "/feed/") and https.endswith(".ics")
    assert webcal == "webcal://" + https.split("://", 1)[1]
    assert "/feed_reset" in answer
    assert summaries(fetch(client, https)) == ["Party"]
    # Asking again gives the same link: existing subscriptions keep working.
    assert links(ann.ask("/feed")) == [https, webcal]

    reset = ann.ask("/feed_reset")
    new_https, new_webcal = links(reset)
    assert reset.startswith("Готово: старая ссылка больше не работает")
    assert new_https != https
    assert fetch(client, https).status_code == 404
    assert summaries(fetch(client, new_https)) == ["Party"]
    assert links(ann.ask("/feed")) == [new_https, new_webcal]


@pytest.mark.parametrize("command", ["/feed", "/feed_reset"])
def test_feed_needs_registration(bot, ann, command):
    assert ann.ask(command) == texts.NEED_REGISTER


def test_feed_commands_are_in_the_menu_and_help(bot, registered_ann):
    for language in ("", "en"):
        menu = bot.call(lambda language=language: bot.fake.commands[language])
        assert {"feed", "feed_reset"} <= {command["command"] for command in menu}
    help_text = registered_ann.ask("/help")
    assert "/feed — " in help_text and "/feed_reset — " in help_text
