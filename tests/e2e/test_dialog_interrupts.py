"""End to end: nothing a person finished is lost, and nothing half done appears, when they
send another command at any step of any dialog."""

import datetime as dt

import pytest

from calendarapp.bot import texts
from calendarapp.models import Appointment, BotDataEntry, ConversationState, Event, TgUser
from calendarapp.services.events import create_event
from calendarapp.services.users import TelegramProfile, register_user

pytestmark = pytest.mark.e2e

BOB = 5002
# Another command at some step: a simple one, a dialog of an earlier handler group and one
# of a later group (each ends the open dialog; the last two open their own).
INTERRUPTIONS = ["/display_events", "/create_event", "/read_event"]


def _events(world, change):
    return {**world, "events": change(set(world["events"]))}


# dialog -> (its answers, the last one finishing it; what finishing changes in the world)
DIALOGS = {
    "create": (
        ["/create_event", "Picnic", "{day}", "12:00", "Bring rugs"],
        lambda w, ids: _events(w, lambda e: e | {(ids["ann"], "Picnic", "Bring rugs", False)}),
    ),
    "create with the name": (
        ["/create_event Picnic", "{day}", "12:00", "-"],
        lambda w, ids: _events(w, lambda e: e | {(ids["ann"], "Picnic", "", False)}),
    ),
    "read": (["/read_event", "{party}"], lambda w, ids: w),
    "edit": (
        ["/edit_event", "{party}", "!" + str(texts.BTN_EDIT_DETAILS), "New details"],
        lambda w, ids: _events(
            w,
            lambda e: (
                e - {(ids["ann"], "Party", "", False)}
                | {(ids["ann"], "Party", "New details", False)}
            ),
        ),
    ),
    "delete": (
        ["/delete_event", "{party}", "да"],
        lambda w, ids: _events(w, lambda e: e - {(ids["ann"], "Party", "", False)}),
    ),
    "share": (
        ["/share_event", "{party}"],
        lambda w, ids: _events(
            w,
            lambda e: e - {(ids["ann"], "Party", "", False)} | {(ids["ann"], "Party", "", True)},
        ),
    ),
    "public_of": (["/public_of", "@bob"], lambda w, ids: w),
    "invite": (
        ["/invite", "@bob", "{party}", "See you"],
        lambda w, ids: {**w, "meetings": w["meetings"] | {("Party", BOB, "See you")}},
    ),
    "timezone": (["/timezone", "Europe/Berlin"], lambda w, ids: {**w, "zone": "Europe/Berlin"}),
    "settings": (["/settings"], lambda w, ids: w),  # buttons only: no steps
    "language": (["/language"], lambda w, ids: w),
}


def world(ann_id: int) -> dict:
    return {
        "events": set(Event.objects.values_list("owner_id", "name", "details", "is_public")),
        "meetings": set(
            Appointment.objects.values_list("event__name", "participant_id", "details")
        ),
        "zone": TgUser.objects.get(pk=ann_id).timezone,
    }


def say(bot, user, text: str) -> list[str]:
    """Send (or, for "!label", press the newest button so labelled) and wait until the bot
    has finished with it; everything it said."""
    if text.startswith("!"):
        message, button = bot.session.find_button(user.user, text[1:])
        bot.wait_processed(bot.call(bot.fake.press, user.user, message, button["callback_data"]))
    else:
        bot.wait_processed(user.send(text))
    activity = bot.call(lambda: list(bot.fake.activity[user.id]))
    said, user.seen = activity[user.seen :], len(activity)
    return [item.text for item in said]


@pytest.fixture
def scene(bot, ann_event, next_year):
    register_user(TelegramProfile(tg_id=BOB, username="bob", first_name="Bob"))
    bot.call(bot.fake.started.add, BOB)  # his invitation is simply delivered
    create_event(
        owner_tg_id=BOB, name="Open day", date=next_year, time=dt.time(10, 0), is_public=True
    )
    party = ann_event("Party", dt.time(18, 0))
    bot.track_updates()
    return {"party": str(party.pk), "day": next_year.isoformat()}


@pytest.mark.parametrize("dialog", DIALOGS)
def test_another_command_at_any_step_loses_nothing_finished(bot, registered_ann, scene, dialog):
    ann = registered_ann
    answers, finish = DIALOGS[dialog]
    answers = [answer.format(**scene) for answer in answers]
    before = world(ann.id)
    for done in range(1, len(answers)):  # every step before the last answer
        for interruption in INTERRUPTIONS:
            for answer in answers[:done]:
                say(bot, ann, answer)
            say(bot, ann, interruption)
            say(bot, ann, "/cancel")
            assert world(ann.id) == before, (answers[:done], interruption)
            assert say(bot, ann, "hello") == [texts.NOT_UNDERSTOOD]
    for answer in answers:
        say(bot, ann, answer)
    after = finish(before, {"ann": ann.id})
    assert world(ann.id) == after
    for interruption in INTERRUPTIONS:  # what was finished stays
        say(bot, ann, interruption)
        say(bot, ann, "/cancel")
        assert world(ann.id) == after, interruption


@pytest.mark.parametrize("dialog", [name for name in DIALOGS if name != "create with the name"])
def test_a_dialog_started_over_an_open_one_keeps_its_first_answer(
    bot, registered_ann, scene, dialog
):
    """/create_event <name> while any dialog is open: the name is kept to the end, whether
    the open dialog's handler group comes before or after /create_event's."""
    ann = registered_ann
    answers, _finish = DIALOGS[dialog]
    say(bot, ann, answers[0].format(**scene))
    assert say(bot, ann, "/create_event Вечеринка")[-1] == texts.ASK_DATE
    say(bot, ann, scene["day"])
    say(bot, ann, "19:00")
    assert "Вечеринка" in say(bot, ann, "-")[-1]
    assert Event.objects.filter(owner_id=ann.id, name="Вечеринка").count() == 1


def test_a_dialog_saved_at_the_reminder_step_of_older_versions_finishes(
    bot, registered_ann, next_year
):
    """Older versions asked for the reminder after the details: a dialog saved there (by a
    bot updated meanwhile) creates the event with what was typed, not a question forever."""
    ann = registered_ann
    for answer in ("/create_event", "Concert", next_year.isoformat(), "19:00"):
        ann.ask(answer)
    bot.stop_bot()
    ConversationState.objects.filter(conversation="create_event").update(state="WAIT_REMINDER")
    entry = BotDataEntry.objects.get(scope="user", key=ann.id)
    entry.data["draft"]["details"] = "Typed before the update"
    entry.save()
    bot.start_bot()
    answer = ann.ask("за 1 час")
    assert answer.startswith("Событие создано") and "Typed before the update" in answer
    assert Event.objects.filter(name="Concert", details="Typed before the update").count() == 1
    assert ann.ask("hello") == texts.NOT_UNDERSTOOD
