"""End to end: /share_event (both ways), /my_public, /public_of, /export, /calendar."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from calendarapp.bot import texts
from calendarapp.models import Event
from calendarapp.services.events import create_event
from calendarapp.services.export_tokens import read_export_token

pytestmark = pytest.mark.e2e


@pytest.fixture
def party(ann_event):
    return ann_event("Party", dt.time(18, 0))


def test_share_publishes_at_once_and_the_button_makes_it_private_again(bot, registered_ann, party):
    ann = registered_ann
    assert ann.ask("/my_public") == texts.NO_PUBLIC_EVENTS
    assert ann.ask("/share_event") == texts.PICK_TO_SHARE
    assert ann.ask("nope").endswith(texts.PICK_TO_SHARE)
    assert ann.ask(str(party.pk)) == texts.NOW_PUBLIC.format(id=party.pk)
    assert Event.objects.get().is_public
    assert ann.buttons() == [texts.BTN_MAKE_PRIVATE]
    published = ann.last_message()
    assert "Party" in ann.ask("/my_public")
    # The button works after the dialog ended, on its own message, and offers the way back.
    assert ann.press(texts.BTN_MAKE_PRIVATE) == texts.NOW_PRIVATE.format(id=party.pk)
    assert (published.edits, published.button_texts()) == (1, [texts.BTN_MAKE_PUBLIC])
    assert not Event.objects.get().is_public
    assert ann.ask("something") == texts.NOT_UNDERSTOOD  # no dialog stayed open
    assert ann.ask(f"/share_event {party.pk}") == texts.NOW_PUBLIC.format(id=party.pk)
    assert Event.objects.get().is_public


def test_share_of_a_public_event_offers_to_make_it_private(bot, registered_ann, party):
    ann = registered_ann
    ann.ask(f"/share_event {party.pk}")
    answer = ann.ask(f"/share_event {party.pk}")
    assert answer == texts.ALREADY_PUBLIC.format(id=party.pk, name="Party")
    assert Event.objects.get().is_public
    assert ann.press(texts.BTN_MAKE_PRIVATE) == texts.NOW_PRIVATE.format(id=party.pk)
    assert not Event.objects.get().is_public


def test_a_stale_or_foreign_visibility_button_changes_nothing(
    bot, registered_ann, party, next_year
):
    """A button whose change was already made elsewhere is "expired"; one naming someone
    else's (or no) event is "not found"; neither touches any event."""
    ann, bob = registered_ann, bot.user(5002, "Bob", "bob")
    bob.ask("/register")
    bobs = create_event(
        owner_tg_id=bob.id, name="Bob's", date=next_year, time=dt.time(9, 0), is_public=True
    )
    ann.ask(f"/share_event {party.pk}")
    first = ann.last_message()
    ann.ask(f"/share_event {party.pk}")
    ann.press(texts.BTN_MAKE_PRIVATE)  # the second message's button
    ann.press_data(f"share:private:{party.pk}", first)
    assert ann.wait_for_reply().text == texts.BUTTON_EXPIRED
    for forged in (f"share:private:{bobs.pk}", "share:private:999999"):
        ann.press_data(forged, first)
        event_id = forged.rsplit(":", 1)[1]
        assert ann.wait_for_reply().text.startswith(f"Событие #{event_id} не найдено")
    assert set(Event.objects.values_list("name", "is_public")) == {
        ("Party", False),
        ("Bob's", True),
    }
    assert ann.ask("something") == texts.NOT_UNDERSTOOD


def test_public_of(bot, registered_ann, next_year):
    ann, bob = registered_ann, bot.user(5002, "Bob", "bob")
    bob.ask("/register")
    create_event(
        owner_tg_id=bob.id, name="Open day", date=next_year, time=dt.time(10, 0), is_public=True
    )
    create_event(owner_tg_id=bob.id, name="Dentist", date=next_year, time=dt.time(9, 0))
    assert ann.ask("/public_of") == texts.ASK_WHOSE
    assert ann.ask("@nobody").startswith("Пользователь @nobody не найден")
    answer = ann.ask("@Bob")
    assert "Open day" in answer and "Dentist" not in answer
    answer = ann.ask(f"/public_of {bob.id}")
    assert "Open day" in answer and "Dentist" not in answer
    assert ann.ask("/public_of 999").startswith("Пользователь 999 не найден")
    assert ann.ask("/cancel") == texts.CANCELLED


@pytest.mark.parametrize("command", ["/export", "/calendar"])
def test_export_links(bot, registered_ann, party, command, settings):
    answer = registered_ann.ask(command)
    assert "15 мин" in answer
    if command == "/calendar":
        assert "Party" in answer
    message = registered_ann.last_message()
    urls = [button["url"] for button in message.buttons()]
    assert [urlsplit(url).path for url in urls] == ["/export/csv/", "/export/json/"]
    assert all(url.startswith(settings.SITE_BASE_URL) for url in urls)
    token = parse_qs(urlsplit(urls[0]).query)["token"][0]
    assert read_export_token(token) == registered_ann.id


@pytest.mark.parametrize("command", ["/export", "/calendar"])
def test_export_links_to_a_host_telegram_refuses_come_in_the_text(
    bot, registered_ann, party, command, settings
):
    """A newcomer's SITE_BASE_URL (localhost) is refused in URL buttons by Telegram: the
    answer is not lost, the links come in its text and the page buttons stay."""
    settings.SITE_BASE_URL = "http://localhost:8000"
    for n in range(10):  # a second /calendar page, so a pager button is kept
        create_event(
            owner_tg_id=registered_ann.id, name=f"Extra {n}", date=party.date, time=dt.time(20, n)
        )
    answer = registered_ann.ask(command)
    assert "15 мин" in answer
    csv_line, json_line = answer.splitlines()[-2:]
    assert csv_line.startswith(f"{texts.BTN_EXPORT_CSV}: http://localhost:8000/export/csv/?token=")
    assert json_line.startswith(f"{texts.BTN_EXPORT_JSON}: http://localhost:8000/export/json/")
    token = parse_qs(urlsplit(csv_line.split(": ", 1)[1]).query)["token"][0]
    assert read_export_token(token) == registered_ann.id
    buttons = registered_ann.last_message().buttons()
    assert not any(button.get("url") for button in buttons)
    if command == "/calendar":
        assert [button["text"] for button in buttons] == [texts.BTN_NEXT]


def test_public_of_names_no_account_can_have_are_explained(bot, registered_ann):
    ann = registered_ann
    bad_name = texts.ERRORS["username_invalid"].format(limit=64)
    assert ann.ask("/public_of") == texts.ASK_WHOSE
    for typed in ("@" + "a" * 65, "@bob smith", "@"):
        assert ann.ask(typed) == f"{bad_name}\n\n{texts.ASK_WHOSE}", typed
    too_big = texts.ERRORS["invalid_tg_id"]
    for typed in (str(2**63), "1" + "0" * 19):
        assert ann.ask(typed) == f"{too_big}\n\n{texts.ASK_WHOSE}", typed
    # The longest name a profile keeps (64 characters after the "@") is looked up.
    assert ann.ask("@" + "a" * 64).startswith("Пользователь @" + "a" * 64 + " не найден")
