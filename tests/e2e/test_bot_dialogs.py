"""End to end: every dialog can be left at every step, by /cancel, «Отмена» or the button,
and another command in the middle of any dialog ends it and runs."""

import datetime as dt

import pytest

from calendarapp.bot import texts
from calendarapp.models import ConversationState, Event

pytestmark = pytest.mark.e2e

# (entry command, answers that walk one step deeper each)
DIALOGS = {
    "read": ("/read_event", []),
    "edit": ("/edit_event", ["{id}"]),
    "delete": ("/delete_event", ["{id}"]),
    "share": ("/share_event", []),
    "public_of": ("/public_of", []),
}
STEPS = [
    (name, depth) for name, (_, answers) in DIALOGS.items() for depth in range(len(answers) + 1)
]


@pytest.fixture
def party(ann_event):
    return ann_event("Party", dt.time(18, 0))


def walk(user, name, depth, event_id):
    command, answers = DIALOGS[name]
    user.ask(command)
    for answer in answers[:depth]:
        user.ask(answer.format(id=event_id))


@pytest.mark.parametrize(("name", "depth"), STEPS)
@pytest.mark.parametrize("how", ["/cancel", "отмена", "button"])
def test_cancel_any_dialog_at_any_step(bot, registered_ann, party, name, depth, how):
    walk(registered_ann, name, depth, party.pk)
    reply = registered_ann.press(texts.BTN_CANCEL) if how == "button" else registered_ann.ask(how)
    assert reply == texts.CANCELLED
    assert registered_ann.ask("/cancel") == texts.NOTHING_TO_CANCEL
    event = Event.objects.get()
    assert (event.details, event.is_public) == ("", False)
    assert list(ConversationState.objects.values_list("conversation", "state")) == []


@pytest.mark.parametrize(("name", "depth"), STEPS)
def test_another_command_ends_any_dialog(bot, registered_ann, party, name, depth):
    walk(registered_ann, name, depth, party.pk)
    assert "Party" in registered_ann.ask("/display_events")
    assert registered_ann.ask("something") == texts.NOT_UNDERSTOOD
    assert Event.objects.get().details == ""


def test_restart_mid_edit_dialog(bot, registered_ann, party):
    registered_ann.ask("/edit_event")
    registered_ann.ask(str(party.pk))
    registered_ann.press(texts.BTN_EDIT_DETAILS)
    bot.restart()
    assert registered_ann.ask("After restart") == texts.EVENT_EDITED.format(id=party.pk)
    assert Event.objects.get().details == "After restart"
