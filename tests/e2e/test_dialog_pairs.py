"""End to end: no dialog traps another. For every ordered pair of commands that open a
dialog (or ask with buttons), the first is opened, the second sent: its first question
arrives, /cancel ends it, and a plain word then finds no dialog open.

One bot for the whole module (about a hundred pairs); each pair is a new person, so no
state of an earlier pair can leak into the next.
"""

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from telegram.ext import CommandHandler, ConversationHandler

from calendarapp.bot import texts
from calendarapp.bot.application import build_application
from calendarapp.bot.runtime.groups import DialogGroupClash, Group
from calendarapp.services.events import create_event
from calendarapp.services.users import TelegramProfile, register_user

from .harness import BotRunner

# Each test a transactional one (its rows flushed after it); the bot outlives them.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _starts(text):
    return lambda answer: answer.startswith(str(text).split("{")[0])


def _is(text):
    return lambda answer: answer == str(text)


# command -> does it keep a dialog open, and how its first question is recognised
FIRST_QUESTIONS = {
    "create_event": (True, _is(texts.ASK_NAME)),
    "read_event": (True, _is(texts.PICK_TO_READ)),
    "edit_event": (True, _is(texts.PICK_TO_EDIT)),
    "delete_event": (True, _is(texts.PICK_TO_DELETE)),
    "share_event": (True, _is(texts.PICK_TO_SHARE)),
    "public_of": (True, _is(texts.ASK_WHOSE)),
    "invite": (True, _is(texts.ASK_PARTICIPANT)),
    "timezone": (True, _starts(texts.ASK_TIMEZONE)),
    "settings": (False, _starts(texts.SETTINGS)),
    "language": (False, _starts(texts.LANGUAGE_ASK)),
}
PAIRS = list(itertools.product(FIRST_QUESTIONS, repeat=2))
REPLY_KEYBOARD_DIALOGS = {"invite"}  # leaving one says so (the keyboard goes away)


@pytest.fixture(scope="module")
def shared_bot(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        runner = BotRunner()
        try:
            yield runner
        finally:
            runner.close()


@pytest.fixture(scope="module")
def people(shared_bot):
    return itertools.count(7100)


def newcomer(bot, tg_id: int):
    """A registered person with one event (so the pickers have something to offer)."""
    register_user(TelegramProfile(tg_id=tg_id, username=f"p{tg_id}", first_name="Pat"))
    day = timezone.localdate() + dt.timedelta(days=30)
    create_event(owner_tg_id=tg_id, name="Picnic", date=day, time=dt.time(12, 0))
    return bot.user(tg_id, "Pat", f"p{tg_id}")


def test_the_table_covers_every_dialog(shared_bot):
    dialogs = {
        name
        for handlers in shared_bot.session.application.handlers.values()
        for handler in handlers
        if isinstance(handler, ConversationHandler)
        for entry in handler.entry_points
        if isinstance(entry, CommandHandler)
        for name in entry.commands
    }
    assert dialogs == {name for name, (is_dialog, _) in FIRST_QUESTIONS.items() if is_dialog}


@pytest.mark.parametrize(("first", "second"), PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_the_second_command_wins_and_nothing_stays_open(shared_bot, people, first, second):
    user = newcomer(shared_bot, next(people))
    _, first_question = FIRST_QUESTIONS[first]
    second_is_dialog, second_question = FIRST_QUESTIONS[second]
    assert first_question(user.ask(f"/{first}"))
    user.send(f"/{second}")
    left_a_keyboard = first in REPLY_KEYBOARD_DIALOGS and first != second
    replies = [reply.text for reply in user.wait_for_replies(2 if left_a_keyboard else 1)]
    if left_a_keyboard:
        assert replies.pop(0) == texts.DIALOG_LEFT
    assert second_question(replies[0]), replies
    assert user.ask("/cancel") == (texts.CANCELLED if second_is_dialog else texts.NOTHING_TO_CANCEL)
    assert user.ask("привет") == texts.NOT_UNDERSTOOD
    assert user.nothing_more(0.05)


# --- handler groups ---------------------------------------------------------------------------
def _dialog(name: str) -> ConversationHandler:
    async def start(update, context):
        return 1

    return ConversationHandler([CommandHandler(name, start)], {}, [], name=name)


@pytest.mark.parametrize("group", [Group.CREATE_EVENT, Group.TIMEZONE, Group.COMMANDS])
def test_a_dialog_in_a_taken_or_the_commands_group_fails_the_build(settings, group):
    """Two ConversationHandlers in one group trap each other (the open one takes every
    message): building the bot refuses it rather than run that way."""
    with pytest.raises(DialogGroupClash, match="intruder"):
        build_application(
            "123:ABC",
            "http://127.0.0.1:9/bot",
            persistence=False,
            rate_limiter=False,
            updater=False,
            scheduled_jobs=False,
            extra_providers=[lambda: [(group, _dialog("intruder"))]],
        )


def test_a_dialog_in_a_group_of_its_own_builds(settings):
    application = build_application(
        "123:ABC",
        "http://127.0.0.1:9/bot",
        rate_limiter=False,
        updater=False,
        scheduled_jobs=False,
        extra_providers=[lambda: [(Group.COMMANDS + 1, _dialog("newcomer"))]],
    )
    assert "newcomer" in application.bot_data["known_commands"]
