"""End to end: /start, /register, /create_event, /cancel over the fake Bot API."""

import pytest
from django.db import connection

from calendarapp.bot import texts
from calendarapp.bot.runtime import orm
from calendarapp.models import BotStatistics, ConversationState, Event, TgUser

pytestmark = pytest.mark.e2e


def test_start_shows_menu_and_asks_to_register(bot, ann):
    answer = ann.ask("/start")
    assert "/register" in answer and "/create_event" in answer and "/invite" in answer
    # The menu was set at start, Russian by default and English for `en`.
    assert {c["command"] for c in bot.fake.commands[""]} >= {"create_event", "cancel", "invite"}
    assert bot.fake.commands["en"][0]["description"] == "Start and menu"


def test_register_is_idempotent_and_refreshes_profile(bot, ann):
    assert "зарегистрированы" in ann.ask("/register")
    ann.user.first_name = "Anna"
    assert "уже зарегистрированы" in ann.ask("/login")
    user = TgUser.objects.get(pk=ann.id)
    assert user.first_name == "Anna" and user.username == "ann"
    assert BotStatistics.objects.get().user_count == 1


def test_commands_need_registration(bot, ann):
    for command in ("/create_event", "/display_events", "/export", "/delete_event 1"):
        assert ann.ask(command) == texts.NEED_REGISTER
    assert "зарегистрированы" in ann.ask("/register")


def test_create_event_dialog(bot, registered_ann, next_year):
    ann = registered_ann
    assert ann.ask("/create_event") == texts.ASK_NAME
    assert ann.buttons() == ["Отмена"]
    assert ann.ask("Party") == texts.ASK_DATE
    assert ann.ask(next_year.strftime("%d.%m.%Y")).endswith(texts.ASK_TIME)
    assert ann.ask("18:30") == texts.ASK_DETAILS
    answer = ann.ask("Bring cake")  # the fourth answer creates the event
    assert "Событие создано" in answer and "Party" in answer
    event = Event.objects.get()
    assert (event.owner_id, event.name, event.date, event.details) == (
        ann.id,
        "Party",
        next_year,
        "Bring cake",
    )
    assert event.time.strftime("%H:%M") == "18:30"
    assert TgUser.objects.get(pk=ann.id).events_created == 1
    assert BotStatistics.objects.get().event_count == 1
    # The dialog is over: plain text is not taken as an answer any more.
    assert ann.ask("hello") == texts.NOT_UNDERSTOOD


def test_create_event_skip_details_button(bot, registered_ann, next_year):
    ann = registered_ann
    for text in ("/create_event", "Dentist", next_year.isoformat(), "9:05"):
        ann.ask(text)
    assert "Описания нет" in ann.press("Пропустить")  # no details: created
    assert Event.objects.get().details == ""


def test_create_event_bad_input_at_every_step(bot, registered_ann, next_year):
    ann = registered_ann
    ann.ask("/create_event")
    assert ann.ask("x" * 201).startswith("Название длиннее 200")
    ann.send_photo()
    assert ann.wait_for_reply().text.startswith(texts.TEXT_EXPECTED)
    assert ann.ask("Trip") == texts.ASK_DATE
    for bad in ("когда-нибудь", "2026-13-45", "31.02.2030", "2001-01-01", "вчера"):
        answer = ann.ask(bad)
        assert answer.endswith(texts.ASK_DATE) and answer != texts.ASK_DATE, bad
    ann.send_sticker()
    assert ann.wait_for_reply().text.endswith(texts.ASK_DATE)
    assert ann.ask(next_year.isoformat()).endswith(texts.ASK_TIME)
    for bad in ("потом", "25:00", "12:75"):
        answer = ann.ask(bad)
        assert answer.endswith(texts.ASK_TIME) and answer != texts.ASK_TIME, bad
    assert ann.ask("07:00") == texts.ASK_DETAILS
    assert ann.ask("d" * 1001).startswith("Описание длиннее 1000")
    assert "Событие создано" in ann.ask("short")
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    "answers",
    [
        [],
        ["Name"],
        ["Name", "2030-01-01"],
        ["Name", "2030-01-01", "10:00"],
    ],
)
@pytest.mark.parametrize("how", ["/cancel", "Отмена", "button"])
def test_cancel_at_each_step(bot, registered_ann, answers, how):
    ann = registered_ann
    ann.ask("/create_event")
    for answer in answers:
        ann.ask(answer)
    reply = ann.press("Отмена") if how == "button" else ann.ask(how)
    assert reply == texts.CANCELLED
    assert ann.ask("/cancel") == texts.NOTHING_TO_CANCEL
    assert not Event.objects.exists()


def test_another_command_mid_dialog_wins(bot, registered_ann):
    ann = registered_ann
    ann.ask("/create_event")
    ann.ask("Party")
    assert ann.ask("/display_events") == texts.NO_EVENTS
    assert ann.ask("2030-01-01") == texts.NOT_UNDERSTOOD  # the dialog is gone
    # A dialog command mid-dialog starts its own dialog and ends the old one.
    ann.ask("/create_event")
    assert ann.ask("/public_of") == texts.ASK_WHOSE
    assert ann.ask("/cancel") == texts.CANCELLED
    assert ann.ask("Party") == texts.NOT_UNDERSTOOD
    assert ann.ask("/nonsense") == texts.UNKNOWN_COMMAND


def test_the_name_typed_after_the_command_is_taken(bot, registered_ann, next_year):
    ann = registered_ann
    assert ann.ask("/create_event Вечеринка у Ани") == texts.ASK_DATE
    ann.ask(next_year.isoformat())
    ann.ask("19:00")
    assert "Вечеринка у Ани" in ann.ask("-")
    assert Event.objects.get().name == "Вечеринка у Ани"
    # A name that cannot be one is refused and asked for again.
    answer = ann.ask("/create_event " + "x" * 201)
    assert answer.startswith("Название длиннее 200") and answer.endswith(texts.ASK_NAME)
    assert ann.ask("Short") == texts.ASK_DATE


def test_create_event_again_restarts_the_dialog(bot, registered_ann):
    ann = registered_ann
    ann.ask("/create_event")
    ann.ask("Party")
    assert ann.ask("/create_event") == texts.ASK_NAME
    assert ann.ask("Other") == texts.ASK_DATE


def test_two_users_at_once(bot, next_year):
    ann, bob = bot.user(5001, "Ann", "ann"), bot.user(5002, "Bob", "bob")
    for user in (ann, bob):
        user.ask("/register")
        user.ask("/create_event")
    ann.send("Ann's")
    bob.send("Bob's")
    assert ann.wait_for_reply().text == texts.ASK_DATE
    assert bob.wait_for_reply().text == texts.ASK_DATE
    for user in (ann, bob):
        user.send(next_year.isoformat())
    for user in (ann, bob):
        assert user.wait_for_reply().text.endswith(texts.ASK_TIME)
        user.ask("10:00")
        user.ask("-")
    assert dict(Event.objects.values_list("owner_id", "name")) == {5001: "Ann's", 5002: "Bob's"}


def test_many_users_at_once_open_no_more_connections_than_lanes(db_mode, bot, next_year):
    """Updates handled concurrently, each in its own asyncio task, must not each open a
    connection of their own (a busy bot would run the database out of connections): inline
    (bot/runtime/orm.py) they share one, in lanes one per lane."""
    from django.db.backends.signals import connection_created

    users = [bot.user(6000 + n, f"User{n}", f"user{n}") for n in range(8)]
    for user in users:
        user.ask("/register")
    opened = []

    def count(sender, connection, **kwargs):
        opened.append(connection)

    bot.run(orm.close_connections())  # the bot's next query opens its connection again
    connection_created.connect(count)
    try:
        for user in users:  # all at once, without waiting: handled concurrently
            user.send("/create_event")
        for user in users:
            assert user.wait_for_reply().text == texts.ASK_NAME
        for user in users:
            user.send("Party")
        for user in users:
            assert user.wait_for_reply().text == texts.ASK_DATE
    finally:
        connection_created.disconnect(count)
    assert 1 <= len(opened) <= max(orm.THREADS, 1) < len(users)
    # Each one's step was saved with their own update, whoever's update ran beside it.
    states = ConversationState.objects.filter(conversation="create_event")
    assert sorted(states.values_list("key", "state")) == sorted(
        (f"[{user.id}, {user.id}]", "WAIT_DATE") for user in users
    )


def test_restart_mid_dialog_continues_at_the_same_step(bot, registered_ann, next_year):
    ann = registered_ann
    ann.ask("/create_event")
    ann.ask("Party")
    # Written through at once, not on the 60-second persistence timer.
    assert ConversationState.objects.get(conversation="create_event").state == "WAIT_DATE"
    bot.restart()
    assert ann.ask(next_year.isoformat()).endswith(texts.ASK_TIME)
    ann.ask("20:00")
    assert "Событие создано" in ann.ask("-")
    assert Event.objects.get().name == "Party"
    assert not ConversationState.objects.exists()


def _bookkeeping(sql: str) -> bool:
    return sql.startswith("BEGIN") or "processedupdate" in sql


def test_a_new_registration_is_known_at_once_without_extra_queries(bot, ann, next_year):
    """/register replaces the "not registered" the bot remembered for this person
    (bot/runtime/profiles.py): the very next commands work and cost no query to look them up again.
    The budget: at most 5 queries for a simple command."""
    assert ann.ask("/display_events") == texts.NEED_REGISTER
    assert "зарегистрированы" in ann.ask("/register")
    for text in ("/create_event", "Party", next_year.isoformat(), "18:30"):
        ann.ask(text)
    assert "Событие создано" in ann.ask("-")
    event = Event.objects.get()
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    bot.run(orm.on_each_connection(lambda: connection.execute_wrappers.append(count)))
    try:
        spent = {}
        for text, expected in (
            ("/help", "/create_event"),
            ("/export", "Ссылки для выгрузки"),
            ("/display_events", "Party"),
            (f"/read_event {event.pk}", "Party"),
        ):
            queries.clear()
            assert expected in ann.ask(text)
            # Not counted: the update's own bookkeeping (its transaction and its id, the
            # same for every update, see runtime/once.py).
            spent[text.split()[0]] = len([sql for sql in queries if not _bookkeeping(sql)])
    finally:
        bot.run(orm.on_each_connection(lambda: connection.execute_wrappers.remove(count)))
    # /help and /export need only the profile, known since /register; a list is one count
    # of both kinds + the page (a person with repeating events: also those, expanded into
    # occurrences in Python).
    assert spent == {"/help": 0, "/export": 0, "/display_events": 2, "/read_event": 1}
