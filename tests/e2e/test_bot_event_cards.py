"""End to end: event cards posted in any chat by inline mode, answered with «Иду»,
«Может быть», «Не иду» by anyone, the card kept up to date within Telegram's limits.

The fake Bot API plays Telegram's inline mode: `@bot text` (inline_query), choosing a
result (an inline message, chosen_inline_result), presses on it (callback queries with
inline_message_id and no message) and edits by inline_message_id.
"""

import datetime as dt
import random
import string
import time

import pytest
from django.db import OperationalError

from calendarapp.bot import texts
from calendarapp.models import EventCard, Rsvp
from calendarapp.services import rsvp
from calendarapp.services.events import create_event
from calendarapp.services.users import TelegramProfile
from tests.e2e.harness import TIMEOUT

pytestmark = pytest.mark.e2e


@pytest.fixture
def bot_settings():
    return {"CARD_EDIT_INTERVAL": 0.5, "CARD_POLL_INTERVAL": 0.1}


@pytest.fixture
def party(ann_event):
    return ann_event("Вечеринка", dt.time(19), details="Приносите настолки")


def card_text(bot, inline_id) -> str:
    return bot.call(lambda: bot.fake.inline_messages[inline_id].text)


def wait_card(bot, inline_id, *parts, absent=(), timeout=TIMEOUT) -> str:
    """The card's text once it says every one of `parts` and none of `absent`."""
    deadline = time.monotonic() + timeout
    while True:
        text = card_text(bot, inline_id)
        if all(str(p) in text for p in parts) and not any(str(p) in text for p in absent):
            return text
        assert time.monotonic() < deadline, text
        time.sleep(0.05)


def edits_of(bot, inline_id) -> int:
    return bot.call(lambda: sum(1 for edited, _ in bot.fake.inline_edits if edited == inline_id))


def test_three_people_answer_a_card_in_a_group(bot, registered_ann, bob, party):
    ann = registered_ann
    answer = ann.inline("")
    assert answer["is_personal"] and answer["cache_time"] <= 10
    (result,) = answer["results"]
    assert result["title"] == "Вечеринка"
    card_id = bot.call(bot.fake.choose_inline_result, ann.user, answer["query_id"], result["id"])
    card = card_text(bot, card_id)
    assert card.startswith("📅 Вечеринка\nКогда: ")
    assert "19:00 (Europe/Moscow)" in card  # the organiser's clock, their zone said
    assert "Приносите настолки" in card and "Организатор: Ann (@ann)" in card
    buttons = [b["text"] for b in bot.fake.inline_messages[card_id].buttons()]
    assert buttons == ["✅ Иду", "🤔 Может быть", "❌ Не иду", "➕ Гость", "➖ Гость"]

    sent = bot.fake.calls["sendMessage"]
    dan = bot.user(5010, "Dan", "dan")  # never started the bot
    eve = bot.user(5011, "Eve", "eve")
    assert dan.press_card(card_id, texts.BTN_GOING) == "Ваш ответ: иду."
    assert eve.press_card(card_id, texts.BTN_MAYBE) == "Ваш ответ: может быть."
    assert bob.press_card(card_id, texts.BTN_GOING) == "Ваш ответ: иду."
    text = wait_card(bot, card_id, "✅ Идут: 2 — Dan, Bob", "🤔 Может быть: 1 — Eve")
    assert "❌ Не идут: 0" in text

    # Changing an answer moves the person; nobody is counted twice.
    assert eve.press_card(card_id, texts.BTN_NOT_GOING) == "Ваш ответ: не иду."
    wait_card(bot, card_id, "🤔 Может быть: 0", "❌ Не идут: 1")
    assert Rsvp.objects.count() == 3
    # Toasts only: nothing was sent into any chat, and Dan is still never written to.
    assert bot.fake.calls["sendMessage"] == sent
    assert dan.nothing_more()
    # «Иду» puts another person's event in one's /calendar.
    assert "✅ иду" in bob.ask("/calendar") and "Вечеринка" in bob.last_message().text


def test_ten_presses_are_coalesced_into_few_edits(bot, registered_ann, party, settings):
    settings.CARD_EDIT_INTERVAL = 1.0
    ann = registered_ann
    card_id = ann.post_card("")
    people = [bot.user(6000 + n, f"P{n}") for n in range(10)]
    started = time.monotonic()
    for person in people:
        person.press_card(card_id, texts.BTN_GOING)
    people[0].press_card(card_id, texts.BTN_MAYBE)
    wait_card(bot, card_id, "✅ Идут: 9", "🤔 Может быть: 1 — P0")
    elapsed = time.monotonic() - started
    edits = edits_of(bot, card_id)
    # At most one edit per CARD_EDIT_INTERVAL (plus the first), whatever the presses.
    assert 1 <= edits <= int(elapsed / 1.0) + 2, (edits, elapsed)
    assert edits < 11
    assert "P9" in card_text(bot, card_id) and "ещё" not in card_text(bot, card_id)


def test_a_private_event_is_listed_to_its_owner_only(bot, registered_ann, bob, ann_event):
    secret = ann_event("Секрет", dt.time(9))
    public = ann_event("Пикник", dt.time(12), is_public=True)
    titles = [r["title"] for r in registered_ann.inline("")["results"]]
    assert titles == ["Пикник 🌐", "Секрет"]  # public first
    assert registered_ann.inline("секр")["results"][0]["id"] == f"e{secret.pk}"
    assert bob.inline("")["results"] == []
    assert bob.inline("Секрет")["results"] == []
    stranger = bot.user(5020, "Zed")  # never started the bot
    nothing = stranger.inline("")
    assert nothing["results"] == []
    assert nothing["button"]["text"] == "Нет ваших предстоящих событий"
    assert nothing["button"]["start_parameter"] == "cards"  # a way into the bot
    assert public.pk


def test_paging_with_next_offset(bot, registered_ann, ann_event):
    for n in range(25):
        ann_event(f"Встреча {n}", dt.time(8))
    first = registered_ann.inline("")
    assert len(first["results"]) == 20 and first["next_offset"] == "20"
    rest = registered_ann.inline("", offset=first["next_offset"])
    assert len(rest["results"]) == 5 and rest["next_offset"] == ""
    ids = {r["id"] for r in first["results"]} | {r["id"] for r in rest["results"]}
    assert len(ids) == 25


def test_forged_button_data_changes_nothing(bot, registered_ann, bob, party, next_year):
    card_id = registered_ann.post_card("")
    secret = create_event(owner_tg_id=bob.id, name="Тайна", date=next_year, time=dt.time(9))
    rng = random.Random(15)
    eve = bot.user(5011, "Eve", "eve")
    good = rsvp.button_data(event_id=party.pk, answer=Rsvp.Answer.GOING)
    forged = (
        [
            f"r:{secret.pk}:g:{good.rsplit(':', 1)[1]}",  # another event, this card's signature
            good[:-2] + "zz",
            good.replace(":g:", ":q:"),
            "r:" + "9" * 30 + ":g:0123456789abcdef",
            "r::g:",
        ]
        + [
            "r:" + "".join(rng.choice(string.printable[:94]) for _ in range(rng.randint(0, 60)))
            for _ in range(8)
        ]
    )
    for data in forged:
        assert eve.press_card_data(card_id, data) == texts.ERRORS["rsvp_forged"], data
    assert not Rsvp.objects.exists()
    assert EventCard.objects.get().event_id == party.pk
    assert eve.press_card_data(card_id, good) == "Ваш ответ: иду."


def test_closed_answers_refuse_and_the_card_says_so(bot, registered_ann, party):
    card_id = registered_ann.post_card("")
    dan = bot.user(5010, "Dan", "dan")
    dan.press_card(card_id, texts.BTN_GOING)
    wait_card(bot, card_id, "Идут: 1")
    rsvp.set_answers_closed(organizer_tg_id=registered_ann.id, event_id=party.pk, closed=True)
    assert (
        dan.press_card_data(card_id, rsvp.button_data(event_id=party.pk, answer="maybe"))
        == (texts.ERRORS["rsvp_closed"])
    )
    assert Rsvp.objects.get().answer == Rsvp.Answer.GOING


def test_429_waits_and_a_deleted_card_stops_being_edited(bot, registered_ann, party, settings):
    settings.CARD_EDIT_INTERVAL = 0.2
    card_id = registered_ann.post_card("")
    people = [bot.user(6100 + n, f"Q{n}") for n in range(4)]
    people[0].press_card(card_id, texts.BTN_GOING)
    wait_card(bot, card_id, "Идут: 1")
    bot.call(setattr, bot.fake, "inline_edit_interval", 3.0)  # Telegram stricter than us
    for person in people[1:]:
        person.press_card(card_id, texts.BTN_GOING)
    wait_card(bot, card_id, "Идут: 4")  # a 429 made it wait, not give up
    assert bot.fake.inline_refusals["429"] >= 1
    bot.call(setattr, bot.fake, "inline_edit_interval", 0.0)

    bot.call(bot.fake.delete_inline_message, card_id)
    people[0].press_card_data(card_id, rsvp.button_data(event_id=party.pk, answer="maybe"))
    deadline = time.monotonic() + TIMEOUT
    while EventCard.objects.get().gone_at is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    refusals = bot.fake.inline_refusals["not found"]
    people[1].press_card_data(card_id, rsvp.button_data(event_id=party.pk, answer="maybe"))
    time.sleep(0.5)
    assert bot.fake.inline_refusals["not found"] == refusals  # never tried again
    assert Rsvp.objects.filter(answer=Rsvp.Answer.MAYBE).count() == 2  # answers still count


def test_post_gives_a_button_that_opens_the_card(bot, registered_ann, party):
    answer = registered_ann.ask(f"/post {party.pk}")
    assert answer.startswith("Карточка «Вечеринка»")
    button, close = registered_ann.last_message().buttons()
    assert close["text"] == "🔒 Закрыть ответы"
    assert button["text"] == "📤 Поделиться карточкой"
    query = button["switch_inline_query"]
    (result,) = registered_ann.inline(query)["results"]
    assert result["id"] == f"e{party.pk}"
    assert registered_ann.ask("/post") == texts.POST_USAGE
    assert registered_ann.ask("/post 999999") == texts.ERRORS["event_not_found"].format(
        event_id=999999
    )


def test_the_organiser_closes_and_reopens_answers(bot, registered_ann, bob, party):
    ann = registered_ann
    card_id = ann.post_card("")
    bob.press_card(card_id, texts.BTN_GOING)
    ann.ask(f"/post {party.pk}")
    assert "🔒 Ответы закрыты." in ann.press("🔒 Закрыть ответы")
    text = wait_card(bot, card_id, "🔒 Ответы закрыты.", "Идут: 1 — Bob")
    assert bot.call(lambda: bot.fake.inline_messages[card_id].buttons()) == []  # no buttons
    # Someone else's forged close changes nothing.
    bob.press_data(f"rsvpx:open:{party.pk}", ann.last_message())
    assert bob.wait_for_reply().text == texts.ERRORS["event_not_found"].format(event_id=party.pk)
    assert ann.press("🔓 Открыть ответы").startswith("Карточка «Вечеринка»")
    wait_card(bot, card_id, "Идут: 1 — Bob", absent=["Ответы закрыты"])
    assert len(bot.call(lambda: bot.fake.inline_messages[card_id].buttons())) == 5
    assert text


def test_read_event_offers_the_card(bot, registered_ann, party):
    registered_ann.ask(f"/read_event {party.pk}")
    share = [b for b in registered_ann.last_message().buttons() if "switch_inline_query" in b]
    assert [b["switch_inline_query"] for b in share] == [f"#{party.pk}"]


def test_a_card_posted_later_shows_who_answered_already(bot, registered_ann, party):
    for tg_id, name in [(5010, "Dan"), (5011, "Eve")]:
        rsvp.answer_event(
            event_id=party.pk, profile=TelegramProfile(tg_id=tg_id, first_name=name), answer="going"
        )
    card_id = registered_ann.post_card("")
    assert "✅ Идут: 2" in card_text(bot, card_id)  # the inline result: counts only
    wait_card(bot, card_id, "✅ Идут: 2 — Dan, Eve")  # its first edit adds the names


def test_a_press_the_database_fails_on_is_told_so_and_can_be_pressed_again(
    bot, registered_ann, party, monkeypatch
):
    card_id = registered_ann.post_card("")
    dan = bot.user(5010, "Dan", "dan")
    going = rsvp.button_data(event_id=party.pk, answer=Rsvp.Answer.GOING)
    written = rsvp.answer_many

    def database_gone(presses):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(rsvp, "answer_many", database_gone)
    # An inline card has no chat to write to: the presser gets an alert, not silence.
    assert dan.press_card_data(card_id, going) == texts.INTERNAL_ERROR
    assert not Rsvp.objects.exists()
    monkeypatch.setattr(rsvp, "answer_many", written)
    assert dan.press_card_data(card_id, going) == "Ваш ответ: иду."
    assert Rsvp.objects.get().answer == Rsvp.Answer.GOING
