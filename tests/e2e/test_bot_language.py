"""The bot speaks Russian, or English to English-language Telegram clients and to people who
chose it with /language; the choice survives a restart; users never get each other's."""

import datetime as dt
import re

import pytest

from calendarapp.models import Event, TgUser

pytestmark = pytest.mark.e2e

CYRILLIC = re.compile("[А-Яа-яЁё]")


@pytest.fixture
def bob(bot):
    return bot.user(5002, "Bob", "bob", language_code="en")


def test_an_english_client_gets_english_answers_buttons_and_menu(bot, bob, next_year):
    start = bob.ask("/start")
    assert start.startswith("Hi! I'm a calendar bot")
    assert "To begin, register: /register" in start
    assert "/language — The bot's language: Russian or English" in start
    assert not CYRILLIC.search(start)
    assert bob.ask("/display_events") == "Please register first: /register"
    assert bob.ask("/register") == (
        "Done, Bob (@bob), you're registered. Create your first event: /create_event"
    )
    assert bob.ask("/display_events") == "You have no events yet. Create one: /create_event"

    assert bob.ask("/create_event") == "What's the event called? (up to 200 characters)"
    assert bob.buttons() == ["Cancel"]
    assert bob.ask("Party") == (
        'Date of the event? Pick a day in the calendar or type: "tomorrow", "on Friday", '
        '"December 25", "tomorrow at 15:00", "in 2 hours", 2026-12-31 or 31.12.2026.'
    )
    # The month calendar under the question speaks English too.
    assert any(
        label.startswith(
            (
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            )
        )
        for label in bob.buttons()
    )
    assert "Mon" in bob.buttons()
    assert bob.press("Cancel") == "Cancelled."
    assert bob.ask("/read_event abc") == (
        "A number is a positive whole number, for example 5.\n\n"
        "You have no events yet. Create one: /create_event"
    )
    assert bob.ask("hello?") == "I didn't understand. The list of commands: /help"

    # A list page is rendered on the ORM threads: it must speak English too.
    Event.objects.create(owner_id=bob.id, name="Gym", date=next_year, time=dt.time(9, 0))
    assert bob.ask("/display_events").startswith("Your events:\n\n#")
    party = Event.objects.create(
        owner_id=bob.id, name="Party", date=next_year, time=dt.time(18, 30)
    )
    assert bob.ask(f"/delete_event {party.pk}").startswith("Delete this event?\nEvent #")
    assert bob.buttons() == ["Yes, delete", "Cancel"]
    assert bob.press("Yes, delete") == f'Event #{party.pk} "Party" is deleted.'

    menu = {item["command"]: item["description"] for item in bot.fake.menu_for(bob.user)}
    assert menu["start"] == "Start and menu"
    assert menu["language"] == "The bot's language: Russian or English"
    assert not any(CYRILLIC.search(text) for text in menu.values())


@pytest.mark.parametrize("code", ["ru", "", "de"])
def test_other_clients_get_russian(bot, code):
    user = bot.user(5003, "Vera", "vera", language_code=code)
    assert user.ask("/start").startswith("Привет! Я календарь-бот")
    assert user.ask("/register").startswith("Готово, Vera (@vera), вы зарегистрированы.")
    assert user.ask("/create_event") == "Как назовём событие? (до 200 символов)"
    assert user.buttons() == ["Отмена"]
    menu = {item["command"]: item["description"] for item in bot.fake.menu_for(user.user)}
    assert menu["start"] == "Начало работы и меню"
    assert set(menu) == {item["command"] for item in bot.fake.commands["en"]}


def test_language_switches_and_sticks_across_a_restart(bot, registered_ann):
    ann = registered_ann  # a Russian client
    assert ann.ask("/language") == "Выберите язык бота. Сейчас: Русский."
    assert ann.buttons() == ["Русский", "English"]
    assert ann.press("English") == ("Done, the bot's language is English. To change it: /language")
    assert TgUser.objects.get(pk=ann.id).language == "en"
    assert ann.ask("/help").startswith("Commands:\n/start — Start and menu")

    bot.restart()
    assert ann.ask("/display_events") == "You have no events yet. Create one: /create_event"
    assert ann.ask("/language") == "Choose the bot's language. Now: English."
    assert ann.ask("/language русский") == "Готово, язык бота: Русский. Сменить: /language"
    assert ann.ask("/help").startswith("Команды:")


def test_a_choice_wins_over_an_english_client(bot, bob):
    bob.ask("/register")
    bob.ask("/language")
    assert bob.press("Русский") == "Готово, язык бота: Русский. Сменить: /language"
    assert bob.ask("/display_events") == "У вас пока нет событий. Создайте: /create_event"


def test_bad_language_input_is_explained(bot, bob):
    assert bob.ask("/language") == "Please register first: /register"
    bob.ask("/register")
    assert bob.ask("/language klingon") == "No such language: klingon. Choose with a button."
    assert bob.buttons() == ["Русский", "English"]
    message, _button = bot.session.find_button(bob.user, "English")
    bot.call(bot.fake.press, bob.user, message, "lang:xx")  # forged callback data
    assert bob.wait_for_reply().text == "No such language: xx. Choose with a button."
    assert TgUser.objects.get(pk=bob.id).language == ""


def test_two_users_at_once_each_in_their_own_language(bot, registered_ann, bob, next_year):
    ann = registered_ann
    bob.ask("/register")
    for owner in (ann, bob):
        for hour in range(12):
            Event.objects.create(
                owner_id=owner.id, name=f"E{hour:02}", date=next_year, time=dt.time(hour, 0)
            )
    rounds = 15
    for _ in range(rounds):  # interleaved, without waiting: handled concurrently
        ann.send("/display_events")
        bob.send("/display_events")
        ann.send("/help")
        bob.send("/help")
        ann.send("/nonsense")
        bob.send("/nonsense")
    ann_replies = [item.text for item in ann.wait_for_replies(3 * rounds, timeout=60)]
    bob_replies = [item.text for item in bob.wait_for_replies(3 * rounds, timeout=60)]
    assert ann_replies == [
        *(
            reply
            for _ in range(rounds)
            for reply in (ann_replies[0], ann_replies[1], "Такой команды нет. Список команд: /help")
        )
    ]
    assert ann_replies[0].startswith("Ваши события (стр. 1 из 2):")
    assert ann_replies[1].startswith("Команды:")
    assert bob_replies == [
        *(
            reply
            for _ in range(rounds)
            for reply in (
                bob_replies[0],
                bob_replies[1],
                "No such command. The list of commands: /help",
            )
        )
    ]
    assert bob_replies[0].startswith("Your events (page 1 of 2):")
    assert bob_replies[1].startswith("Commands:")
    assert not any(CYRILLIC.search(reply) for reply in bob_replies)
    assert ann.buttons() == bob.buttons() == []


def test_a_bot_api_that_refuses_the_menu_does_not_stop_the_bot(bot, ann):
    """The menu is a convenience: a server without setMyCommands (404) or an outage at
    start leaves the bot answering, and the menu is set at the next start."""
    bot.stop_bot()
    bot.fake.commands.clear()
    bot.call(bot.fake.fail, "setMyCommands", 404, times=2)
    bot.start_bot()
    assert ann.ask("/start").startswith("Привет! Я календарь-бот")
    assert bot.fake.menu_for(ann.user) == []
    bot.restart()
    assert bot.fake.menu_for(ann.user)[0]["command"] == "start"
