"""End to end: pick an event by its button wherever the bot asks for an event id
(/read_event, /edit_event, /delete_event, /share_event); typed ids keep working."""

import datetime as dt

import pytest
from django.utils import timezone

from calendarapp.bot import texts
from calendarapp.bot.ui import picker
from calendarapp.models import Event
from calendarapp.services.events import create_event

pytestmark = pytest.mark.e2e

# action -> (command, question, the start of the answer once an event is chosen)
PICKERS = {
    "read": ("/read_event", texts.PICK_TO_READ, lambda e: f"Событие #{e.pk}: {e.name}\n"),
    "edit": (
        "/edit_event",
        texts.PICK_TO_EDIT,
        lambda e: f"Что изменить?\nСобытие #{e.pk}:",
    ),
    "delete": (
        "/delete_event",
        texts.PICK_TO_DELETE,
        lambda e: f"Удалить событие?\nСобытие #{e.pk}:",
    ),
    "share": ("/share_event", texts.PICK_TO_SHARE, lambda e: texts.NOW_PUBLIC.format(id=e.pk)),
}
ACTIONS = list(PICKERS)


@pytest.fixture
def ten_events(registered_ann, next_year):
    """Nine upcoming events (created out of order) and one in the past."""
    past = Event.objects.create(
        owner_id=registered_ann.id,
        name="Last year",
        date=timezone.localdate() - dt.timedelta(days=300),
        time=dt.time(9, 0),
    )
    upcoming = [
        create_event(
            owner_tg_id=registered_ann.id,
            name=f"E{day}",
            date=next_year + dt.timedelta(days=day),
            time=dt.time(8, 0),
        )
        for day in (5, 1, 9, 3, 7, 2, 8, 4, 6)
    ]
    return sorted(upcoming, key=lambda event: event.date), past


@pytest.fixture
def bobs_event(bot, next_year):
    bob = bot.user(5002, "Bob", "bob")
    bob.ask("/register")
    return create_event(owner_tg_id=bob.id, name="Bob's secret", date=next_year, time=dt.time(9, 0))


def event_buttons(user) -> list[str]:
    return [label for label in user.buttons() if label.startswith("#")]


@pytest.mark.parametrize("action", ACTIONS)
def test_pick_on_the_second_page(bot, registered_ann, ten_events, action):
    ann, (upcoming, past) = registered_ann, ten_events
    command, question, answer = PICKERS[action]
    assert ann.ask(command) == question
    # Upcoming events soonest first, the past one last; eight a page.
    assert event_buttons(ann) == [picker.button_label(e) for e in upcoming[:8]]
    assert ann.buttons()[8:] == [texts.PICK_PREV, "1/2", texts.PICK_NEXT, texts.BTN_CANCEL]
    # Turning the page edits the same message: same question, other buttons.
    asked = ann.last_message().message_id
    assert ann.press(texts.PICK_NEXT) == question
    assert ann.last_message().message_id == asked
    assert event_buttons(ann) == [picker.button_label(upcoming[8]), picker.button_label(past)]
    assert "2/2" in ann.buttons()
    assert ann.press(picker.button_label(past)).startswith(answer(past))


def test_pick_then_finish_each_dialog(bot, registered_ann, ten_events):
    ann, (upcoming, _past) = registered_ann, ten_events
    ann.ask("/edit_event")
    ann.press(picker.button_label(upcoming[0]))
    ann.press(texts.BTN_EDIT_DETAILS)
    assert ann.ask("Bring snacks") == texts.EVENT_EDITED.format(id=upcoming[0].pk)
    assert Event.objects.get(pk=upcoming[0].pk).details == "Bring snacks"

    ann.ask("/share_event")
    assert ann.press(picker.button_label(upcoming[1])) == texts.NOW_PUBLIC.format(id=upcoming[1].pk)
    assert Event.objects.get(pk=upcoming[1].pk).is_public

    ann.ask("/delete_event")
    ann.press(picker.button_label(upcoming[2]))
    assert ann.press(texts.BTN_CONFIRM_DELETE).startswith(f"Событие #{upcoming[2].pk}")
    assert not Event.objects.filter(pk=upcoming[2].pk).exists()

    assert ann.ask("/read_event") == texts.PICK_TO_READ
    assert ann.press(picker.button_label(upcoming[0])).endswith("Описание: Bring snacks")


@pytest.mark.parametrize("action", ACTIONS)
def test_typed_id_still_works(bot, registered_ann, ten_events, action):
    ann, (upcoming, _past) = registered_ann, ten_events
    command, question, answer = PICKERS[action]
    assert ann.ask(command) == question
    assert ann.ask("abc").startswith(texts.ERRORS["id_format"])
    # The repeated question carries the buttons again.
    assert event_buttons(ann)[0] == picker.button_label(upcoming[0])
    assert ann.ask(str(upcoming[3].pk)).startswith(answer(upcoming[3]))


@pytest.mark.parametrize("action", ACTIONS)
def test_forged_and_stale_picks(bot, registered_ann, ten_events, bobs_event, action):
    ann, (upcoming, _past) = registered_ann, ten_events
    command, _question, answer = PICKERS[action]
    ann.ask(command)
    picker_message = ann.last_message()
    # Another user's event behaves exactly like a missing one.
    for event_id in (bobs_event.pk, 99999999):
        ann.press_data(f"pick:{action}:{event_id}", picker_message)
        reply = ann.wait_for_reply()
        assert (reply.kind, reply.text) == ("answer", f"Событие #{event_id} не найдено.")
    # Malformed data, or a pick meant for another dialog, is an expired button.
    for data in (f"pick:{action}:abc", f"pick:{action}:-1", "pick:other:1", f"pickpage:{action}:x"):
        ann.press_data(data, picker_message)
        assert ann.wait_for_reply().text == texts.BUTTON_EXPIRED
    assert Event.objects.get(pk=bobs_event.pk).details == ""
    assert not Event.objects.get(pk=bobs_event.pk).is_public
    # The dialog is still waiting for an event.
    assert ann.press(picker.button_label(upcoming[0])).startswith(answer(upcoming[0]))


@pytest.mark.parametrize("action", ACTIONS)
def test_cancel_the_picker(bot, registered_ann, ten_events, action):
    ann, (upcoming, _past) = registered_ann, ten_events
    ann.ask(PICKERS[action][0])
    picker_message = ann.last_message()
    assert ann.press(texts.BTN_CANCEL) == texts.CANCELLED
    # The old buttons do nothing now.
    ann.press_data(f"pick:{action}:{upcoming[0].pk}", picker_message)
    assert ann.wait_for_reply().text == texts.BUTTON_EXPIRED
    assert Event.objects.count() == 10
    assert ann.ask("/cancel") == texts.NOTHING_TO_CANCEL


@pytest.mark.parametrize("action", ACTIONS)
def test_no_events_no_picker(bot, registered_ann, action):
    assert registered_ann.ask(PICKERS[action][0]) == texts.NO_EVENTS
    assert registered_ann.ask("/cancel") == texts.NOTHING_TO_CANCEL


def test_long_names_fit_on_buttons(bot, registered_ann, next_year):
    create_event(owner_tg_id=registered_ann.id, name="Ж" * 200, date=next_year, time=dt.time(8, 0))
    registered_ann.ask("/edit_event")
    (label,) = event_buttons(registered_ann)
    assert len(label) == picker.LABEL_MAX and label.endswith("…")
    data = registered_ann.last_message().buttons()[0]["callback_data"]
    assert len(data.encode()) <= 64


def test_page_buttons_that_change_nothing_send_no_edit(bot, registered_ann, ten_events):
    """◀ on the first page and the page counter: Telegram would refuse the edit ("message
    is not modified"), so none is sent; the press is still answered."""
    ann = registered_ann
    ann.ask("/read_event")
    edits = bot.fake.calls["editMessageReplyMarkup"]
    asked = ann.last_message()
    answered = len(bot.fake.answered_callbacks)
    for label in (texts.PICK_PREV, "1/2"):
        data = next(b["callback_data"] for b in asked.buttons() if b["text"] == label)
        ann.press_data(data, asked)
    # One user's updates are handled in order: once ▶ has turned the page, both are done.
    assert ann.press(texts.PICK_NEXT) == texts.PICK_TO_READ
    assert bot.fake.calls["editMessageReplyMarkup"] == edits + 1
    assert len(bot.fake.answered_callbacks) == answered + 3
