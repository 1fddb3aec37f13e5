"""«🔁 Повторять» in the chat: on the confirmation and the card, a choice of common rules or
a typed phrase; /read_event says the rule and the next occurrences; lists mark series."""

import datetime as dt

import pytest

from calendarapp.bot import texts
from calendarapp.models import Event
from calendarapp.services.events import create_event, set_event_rule
from calendarapp.services.series import delete_occurrences, edit_occurrences

pytestmark = pytest.mark.e2e


def test_the_confirmation_offers_repeat_and_a_button_makes_a_weekly_series(
    bot, registered_ann, next_year
):
    ann = registered_ann
    assert ann.ask("/create_event") == texts.ASK_NAME
    ann.ask("Yoga")
    ann.ask(next_year.isoformat())
    ann.ask("18:00")
    created = ann.ask("-")
    assert created.startswith("Событие создано")
    assert "🔁 Повторять" in ann.buttons()
    assert ann.press("🔁 Повторять") == "Как повторять «Yoga»?"
    assert "✏️ Написать своё" in ann.buttons()
    answer = ann.press("Каждую неделю")
    event = Event.objects.get(owner_id=ann.id)
    assert event.rrule == "FREQ=WEEKLY"
    every = ["каждый понедельник", "каждый вторник", "каждую среду", "каждый четверг",
             "каждую пятницу", "каждую субботу", "каждое воскресенье"]  # fmt: skip
    assert f"Повторяется: {every[next_year.weekday()]} в 18:00" in answer
    week_later = next_year + dt.timedelta(days=7)
    assert f"{week_later:%d.%m.%Y} 18:00" in answer
    listed = ann.ask("/display_events")
    assert listed.count("🔁") >= 2 and "Yoga" in listed


def test_a_typed_rule_on_the_card_and_read_event_shows_the_next_three(
    bot, registered_ann, next_year
):
    ann = registered_ann
    monday = next_year + dt.timedelta(days=(7 - next_year.weekday()) % 7)
    event = create_event(owner_tg_id=ann.id, name="Standup", date=monday, time=dt.time(9, 0))
    card = ann.ask(f"/read_event {event.pk}")
    assert "Standup" in card and "🔁 Повторять" in ann.buttons()
    ann.press("🔁 Повторять")
    assert ann.press("✏️ Написать своё").startswith(f"Напишите, как повторять событие #{event.pk}")
    refused = ann.ask("каждый вторник кроме праздников")
    assert refused.startswith("Не понял, как повторять")  # and the question stays
    done = ann.ask("по будням в 9:30, 10 раз")
    event.refresh_from_db()
    assert (event.rrule, event.time) == (
        "FREQ=WEEKLY;COUNT=10;BYDAY=MO,TU,WE,TH,FR",
        dt.time(9, 30),
    )
    assert "по будням в 09:30, повторений: 10" in done
    card = ann.ask(f"/read_event {event.pk}")
    days = [monday + dt.timedelta(days=n) for n in range(3)]
    assert "Далее: " + ", ".join(f"{d:%d.%m.%Y} 09:30" for d in days) in card


def test_a_series_typed_at_the_date_step(bot, registered_ann):
    ann = registered_ann
    ann.ask("/create_event")
    ann.ask("Gym")
    answer = ann.ask("каждый вторник в 10:00")
    assert "🔁 каждый вторник в 10:00" in answer and answer.endswith(str(texts.ASK_DETAILS))
    ann.ask("-")
    event = Event.objects.get(owner_id=ann.id)
    assert (event.rrule, event.time, event.date.weekday()) == (
        "FREQ=WEEKLY;BYDAY=TU",
        dt.time(10),
        1,
    )


def test_a_foreign_repeat_button_changes_nothing(bot, registered_ann, next_year):
    ann = registered_ann
    bob = bot.user(5002, "Bob", "bob")
    bob.ask("/register")
    bobs = create_event(owner_tg_id=bob.id, name="Bob's", date=next_year, time=dt.time(9, 0))
    ann.ask(f"/read_event {bobs.pk}")
    ann.press_data(f"rep:{bobs.pk}:d")
    ann.nothing_more()
    assert Event.objects.get(pk=bobs.pk).rrule == ""


def daily_gym(ann_event):
    event = ann_event("Gym", dt.time(7, 0))
    return set_event_rule(owner_tg_id=event.owner_id, event_id=event.pk, rule="FREQ=DAILY")


@pytest.fixture
def gym(ann_event):
    """Ann's daily 07:00 series «Gym», from next year on."""
    return daily_gym(ann_event)


def test_deleting_one_occurrence_of_a_series_picked_by_its_button(bot, registered_ann, gym):
    ann, event = registered_ann, gym
    first, second = event.date, event.date + dt.timedelta(days=1)
    question = ann.ask(f"/delete_event {event.pk}")
    assert "Какое повторение удалить?" in question and "каждый день" in question
    assert ann.buttons()[:2] == [f"{first:%d.%m.%Y}", f"{second:%d.%m.%Y}"]
    assert ann.press(f"{second:%d.%m.%Y}").startswith(
        f"Удалить только {second:%d.%m.%Y}, это и следующие повторения или всю серию?"
    )
    done = ann.press("Только это")
    assert done.startswith(f"Готово: {second:%d.%m.%Y} события #{event.pk}")
    event.refresh_from_db()
    assert event.exdates == [second.isoformat()]
    listed = ann.ask("/display_events")
    assert f"{first:%d.%m.%Y}" in listed and f"{second:%d.%m.%Y}" not in listed


def test_deleting_a_typed_occurrence_and_the_following_or_the_whole_series(
    bot, registered_ann, gym
):
    ann, event = registered_ann, gym
    tenth = event.date + dt.timedelta(days=9)
    ann.ask(f"/delete_event {event.pk}")
    refused = ann.ask("2020-01-01")  # over, and not an occurrence anyway: asked again
    assert "Какое повторение удалить?" in refused
    assert ann.ask(f"{tenth:%d.%m.%Y}").startswith(f"Удалить только {tenth:%d.%m.%Y}")
    done = ann.press("Это и следующие")
    assert done == f"Готово: событие #{event.pk} «Gym» больше не повторяется с {tenth:%d.%m.%Y}."
    event.refresh_from_db()
    assert "UNTIL=" in event.rrule
    card = ann.ask(f"/read_event {event.pk}")
    assert "🔁 Повторяется: каждый день в 07:00" in card and "Далее: " in card
    ann.ask(f"/delete_event {event.pk}")
    assert ann.press("Всю серию").startswith(f"Событие #{event.pk} «Gym» удалено")
    assert not Event.objects.filter(pk=event.pk).exists()


def test_editing_only_one_occurrence_makes_an_override_in_the_lists(bot, registered_ann, gym):
    ann, event = registered_ann, gym
    second = event.date + dt.timedelta(days=1)
    assert "Какое повторение изменить?" in ann.ask(f"/edit_event {event.pk}")
    assert ann.press(f"{second:%d.%m.%Y}").startswith(f"Изменить только {second:%d.%m.%Y}")
    assert ann.press("Только это").startswith("Что изменить?")
    ann.press("Время")
    answer = ann.ask("19:30")
    override = Event.objects.get(recurrence_of=event)
    assert (override.date, override.time, override.recurrence_id) == (
        second,
        dt.time(19, 30),
        second,
    )
    assert f"#{override.pk}" in answer and "19:30" in answer
    listed = ann.ask("/display_events")
    assert f"#{override.pk} · {second:%d.%m.%Y} 19:30 · Gym 🔁" in listed
    assert f"{second:%d.%m.%Y} 07:00" not in listed
    assert f"#{event.pk} · {event.date:%d.%m.%Y} 07:00 · Gym 🔁" in listed


def test_editing_this_and_following_splits_and_all_renames_the_series(bot, registered_ann, gym):
    ann, event = registered_ann, gym
    third = event.date + dt.timedelta(days=2)
    ann.ask(f"/edit_event {event.pk}")
    ann.press(f"{third:%d.%m.%Y}")
    ann.press("Это и следующие")
    ann.press("Название")
    ann.ask("Swim")
    rest = Event.objects.exclude(pk=event.pk).get(owner_id=ann.id)
    assert (rest.name, rest.date, rest.rrule) == ("Swim", third, "FREQ=DAILY")
    ann.ask(f"/edit_event {event.pk}")
    ann.press("Все повторения")
    ann.press("Название")
    ann.ask("Run")
    event.refresh_from_db()
    assert event.name == "Run" and Event.objects.get(pk=rest.pk).name == "Swim"


def test_an_occurrence_button_of_another_dialog_is_expired(bot, registered_ann, gym, ann_event):
    ann, event = registered_ann, gym
    other = daily_gym(ann_event)
    ann.ask(f"/delete_event {event.pk}")
    ann.press_data(f"occ:{other.date:%Y%m%d}:{other.pk}")
    ann.press_data(f"scope:all:{other.date:%Y%m%d}:{other.pk}")
    assert Event.objects.filter(pk=other.pk).exists()


def test_read_event_shows_an_edited_occurrence_at_its_own_time_and_skips_a_cancelled_one(
    bot, registered_ann, gym
):
    ann, event = registered_ann, gym
    days = [event.date + dt.timedelta(days=n) for n in range(4)]
    edit_occurrences(owner_tg_id=ann.id, event_id=event.pk, day=days[0], scope="one",
                     date=days[1], time=dt.time(21, 15))  # fmt: skip
    edit_occurrences(owner_tg_id=ann.id, event_id=event.pk, day=days[1], scope="one",
                     time=dt.time(19, 30))  # fmt: skip
    delete_occurrences(owner_tg_id=ann.id, event_id=event.pk, day=days[2], scope="one")
    card = ann.ask(f"/read_event {event.pk}")
    # The first occurrence moved to the second day, after that day's own (edited) one.
    shown = [f"{days[1]:%d.%m.%Y} 19:30", f"{days[1]:%d.%m.%Y} 21:15", f"{days[3]:%d.%m.%Y} 07:00"]
    assert "Далее: " + ", ".join(shown) in card
