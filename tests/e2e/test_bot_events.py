"""End to end: listing, reading, editing and deleting events."""

import datetime as dt

import pytest

from calendarapp.bot import texts
from calendarapp.models import BotStatistics, Event, TgUser
from calendarapp.services.events import create_event

pytestmark = pytest.mark.e2e


@pytest.fixture
def party(ann_event):
    return ann_event("Party", dt.time(18, 0))


@pytest.fixture
def bobs_event(bot, make_user, next_year):
    make_user(5002, "bob", "Bob")
    return create_event(owner_tg_id=5002, name="Bob's secret", date=next_year, time=dt.time(9, 0))


def test_display_events_sorted_and_paginated(bot, registered_ann, next_year):
    for day in range(25, 0, -1):  # created in reverse order
        create_event(
            owner_tg_id=registered_ann.id,
            name=f"E{day:02}" + "x" * 190,
            date=next_year + dt.timedelta(days=day),
            time=dt.time(8, 0),
        )
    first = registered_ann.ask("/display_events")
    assert "(стр. 1 из 3)" in first and len(first) <= 4096
    names = [line.split(" · ")[2][:3] for line in first.splitlines()[2:]]
    assert names == [f"E{day:02}" for day in range(1, 11)]
    assert registered_ann.buttons() == [texts.BTN_NEXT]
    second = registered_ann.press(texts.BTN_NEXT)
    assert "(стр. 2 из 3)" in second and "E11" in second
    assert registered_ann.buttons() == [texts.BTN_PREV, texts.BTN_NEXT]
    assert "E01" in registered_ann.press(texts.BTN_PREV)


def test_display_events_empty(bot, registered_ann):
    assert registered_ann.ask("/display_events") == texts.NO_EVENTS


def test_read_event(bot, registered_ann, party, bobs_event):
    ann = registered_ann
    assert "Party" in ann.ask(f"/read_event {party.pk}")
    assert ann.ask("/read_event") == texts.PICK_TO_READ
    assert ann.ask("/read_event abc").startswith(texts.ERRORS["id_format"])  # leaves the picker
    assert ann.ask("/read_event abc").startswith(texts.ERRORS["id_format"])
    assert ann.ask("/read_event 99999").startswith("Событие #99999 не найдено")
    # Another user's event looks exactly like a missing one.
    answer = ann.ask(f"/read_event {bobs_event.pk}")
    assert answer.startswith(f"Событие #{bobs_event.pk} не найдено") and "secret" not in answer


def test_edit_event_inline(bot, registered_ann, party):
    answer = registered_ann.ask(f"/edit_event {party.pk} New   details here")
    assert answer == texts.EVENT_EDITED.format(id=party.pk)
    assert Event.objects.get().details == "New   details here"
    assert TgUser.objects.get(pk=registered_ann.id).events_edited == 1
    assert BotStatistics.objects.get().edited_events == 1


def test_edit_event_dialog_with_bad_input(bot, registered_ann, party, bobs_event):
    ann = registered_ann
    assert ann.ask("/edit_event") == texts.PICK_TO_EDIT
    assert ann.ask("five").endswith(texts.PICK_TO_EDIT)
    assert ann.ask(str(bobs_event.pk)).startswith(f"Событие #{bobs_event.pk} не найдено")
    ann.send_sticker()
    assert ann.wait_for_reply().text.endswith(texts.PICK_TO_EDIT)
    assert ann.ask(str(party.pk)).startswith(f"Что изменить?\nСобытие #{party.pk}:")
    assert ann.press(texts.BTN_EDIT_DETAILS) == texts.ASK_NEW_DETAILS.format(
        id=party.pk, limit=1000
    )
    assert ann.ask("z" * 1001).startswith("Описание длиннее 1000")
    assert ann.ask("Bring snacks") == texts.EVENT_EDITED.format(id=party.pk)
    assert Event.objects.get(pk=party.pk).details == "Bring snacks"
    assert Event.objects.get(pk=bobs_event.pk).details == ""


def test_edit_event_inline_too_long_keeps_the_event_and_asks_for_the_text(
    bot, registered_ann, party
):
    ann = registered_ann
    answer = ann.ask(f"/edit_event {party.pk} " + "z" * 1001)
    question = texts.ASK_NEW_DETAILS.format(id=party.pk, limit=1000)
    assert answer.startswith("Описание длиннее 1000") and answer.endswith(question)
    assert ann.ask("Shorter") == texts.EVENT_EDITED.format(id=party.pk)
    assert Event.objects.get().details == "Shorter"


def test_edit_event_dash_removes_the_details(bot, registered_ann, party):
    ann = registered_ann
    ann.ask(f"/edit_event {party.pk} Bring snacks")
    assert Event.objects.get().details == "Bring snacks"
    assert ann.ask(f"/edit_event {party.pk} -") == texts.EVENT_EDITED.format(id=party.pk)
    assert Event.objects.get().details == ""
    ann.ask(f"/edit_event {party.pk} Again")
    ann.ask(f"/edit_event {party.pk}")
    ann.press(texts.BTN_EDIT_DETAILS)
    assert ann.ask("—") == texts.EVENT_EDITED.format(id=party.pk)
    assert Event.objects.get().details == ""


def test_edit_event_inline_unknown_id_asks_again(bot, registered_ann, party):
    ann = registered_ann
    answer = ann.ask("/edit_event 777 text")
    assert answer.startswith("Событие #777 не найдено") and answer.endswith(texts.PICK_TO_EDIT)
    assert ann.ask(str(party.pk)).startswith("Что изменить?")
    assert ann.press(texts.BTN_EDIT_DETAILS) == texts.ASK_NEW_DETAILS.format(
        id=party.pk, limit=1000
    )
    assert ann.ask("/cancel") == texts.CANCELLED
    assert Event.objects.get().details == ""


def test_delete_event_asks_for_confirmation(bot, registered_ann, party):
    ann = registered_ann
    assert ann.ask(f"/delete_event {party.pk}").startswith("Удалить событие?")
    assert ann.buttons() == [texts.BTN_CONFIRM_DELETE, texts.BTN_CANCEL]
    assert ann.ask("maybe").startswith(texts.CONFIRM_DELETE_EXPECTED)
    assert Event.objects.exists()
    assert ann.press(texts.BTN_CONFIRM_DELETE) == texts.EVENT_DELETED.format(
        id=party.pk, name="Party"
    )
    assert not Event.objects.exists()
    assert TgUser.objects.get(pk=ann.id).events_cancelled == 1
    assert BotStatistics.objects.get().cancelled_events == 1


def test_delete_event_dialog_cancel_keeps_event(bot, registered_ann, party, bobs_event):
    ann = registered_ann
    assert ann.ask("/delete_event") == texts.PICK_TO_DELETE
    assert ann.ask(str(bobs_event.pk)).startswith(f"Событие #{bobs_event.pk} не найдено")
    assert ann.ask(str(party.pk)).startswith("Удалить событие?")
    assert ann.press(texts.BTN_CANCEL) == texts.CANCELLED
    assert Event.objects.count() == 2
    # The old confirmation button no longer does anything.
    message, _ = bot.session.find_button(ann.user, texts.BTN_CANCEL)
    assert message.reply_markup is None or texts.BTN_CONFIRM_DELETE not in message.button_texts()


def test_delete_by_typing_yes(bot, registered_ann, party):
    registered_ann.ask(f"/delete_event {party.pk}")
    assert registered_ann.ask("да").startswith(f"Событие #{party.pk}")
    assert not Event.objects.exists()


# command, the confirming button, what it answers for event `other`, and the events left
# as the person sees them: (name, is_public) of each.
OLDER_BUTTON_CASES = {
    "delete": (
        "/delete_event",
        texts.BTN_CONFIRM_DELETE,
        lambda other: texts.EVENT_DELETED.format(id=other.pk, name="Other"),
        {("Party", False)},
    ),
}


@pytest.mark.parametrize("case", OLDER_BUTTON_CASES)
def test_a_button_of_an_older_question_does_not_act_on_the_event_asked_about_now(
    bot, registered_ann, party, next_year, case
):
    """«Да, удалить» on the question about Party, pressed while the question about Other is
    open, changes nothing; the open question still works. (The visibility buttons act on
    the event they name: test_bot_sharing.py.)"""
    command, label, answer, left = OLDER_BUTTON_CASES[case]
    ann = registered_ann
    other = create_event(owner_tg_id=ann.id, name="Other", date=next_year, time=dt.time(9, 0))
    ann.ask(f"{command} {party.pk}")
    first_question = ann.last_message()
    ann.ask(f"{command} {other.pk}")
    data = next(b["callback_data"] for b in first_question.buttons() if b["text"] == label)
    ann.press_data(data, first_question)
    assert ann.wait_for_reply().text == texts.BUTTON_EXPIRED
    assert set(Event.objects.values_list("name", "is_public")) == {
        ("Party", False),
        ("Other", False),
    }
    assert ann.press(label) == answer(other)
    assert set(Event.objects.values_list("name", "is_public")) == left
