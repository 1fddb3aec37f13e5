"""Repeating events: phrases in both languages, stored RRULEs, words said back, refusals."""

import datetime as dt

import pytest
from django.utils import translation

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import Event
from calendarapp.services.events import create_event, set_event_rule
from calendarapp.services.recurrence import clean_rule
from calendarapp.services.recurrence_phrases import parse_phrase
from calendarapp.services.recurrence_words import describe
from tests.support.refusals import refusal

TODAY = dt.date(2026, 12, 2)  # a Wednesday


def rule_of(text: str) -> str:
    return parse_phrase(text=text, start=TODAY, today=TODAY).rule


@pytest.mark.parametrize(
    ("phrase", "rule"),
    [
        ("каждый день", "FREQ=DAILY"),
        ("ежедневно", "FREQ=DAILY"),
        ("каждый вторник", "FREQ=WEEKLY;BYDAY=TU"),
        ("каждую пятницу", "FREQ=WEEKLY;BYDAY=FR"),
        ("каждое воскресенье", "FREQ=WEEKLY;BYDAY=SU"),
        ("по понедельникам и средам", "FREQ=WEEKLY;BYDAY=MO,WE"),
        ("по будням", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("по выходным", "FREQ=WEEKLY;BYDAY=SA,SU"),
        ("каждые 2 недели", "FREQ=WEEKLY;INTERVAL=2"),
        ("раз в 3 дня", "FREQ=DAILY;INTERVAL=3"),
        ("каждый месяц 15-го", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("15-го числа каждого месяца", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("в последнюю пятницу месяца", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("во второй вторник месяца", "FREQ=MONTHLY;BYDAY=+2TU"),
        ("в последний день месяца", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("каждый год", "FREQ=YEARLY"),
        ("каждый вторник до 1 марта", "FREQ=WEEKLY;UNTIL=20270301T235959;BYDAY=TU"),
        ("каждый день 10 раз", "FREQ=DAILY;COUNT=10"),
        ("every monday", "FREQ=WEEKLY;BYDAY=MO"),
        ("Every Monday and Wednesday", "FREQ=WEEKLY;BYDAY=MO,WE"),
        ("every 2 weeks until March", "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270301T235959"),
        ("weekdays", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("daily", "FREQ=DAILY"),
        ("every month on the 15th", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("last friday of the month", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("second tuesday of every month", "FREQ=MONTHLY;BYDAY=+2TU"),
        ("yearly", "FREQ=YEARLY"),
        ("every day 5 times", "FREQ=DAILY;COUNT=5"),
    ],
)
def test_phrases_become_rrules(phrase, rule):
    assert rule_of(phrase) == rule


def test_a_time_in_the_phrase_comes_back():
    phrase = parse_phrase(text="каждый вторник в 10:00", start=TODAY, today=TODAY)
    assert (phrase.rule, phrase.time) == ("FREQ=WEEKLY;BYDAY=TU", dt.time(10, 0))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("каждый вторник кроме праздников", "rrule_phrase_unknown"),
        ("hello", "rrule_phrase_unknown"),
        ("каждую секунду", "rrule_phrase_unknown"),
        ("", "rrule_phrase_unknown"),
        ("every 2 weeks until yesterday", "rrule_until_past"),
    ],
)
def test_phrases_not_understood_are_refused_with_a_reason(text, code):
    assert refusal(ValidationFailed, parse_phrase, text=text, start=TODAY, today=TODAY).code == code


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("FREQ=HOURLY", "rrule_too_frequent"),
        ("FREQ=SECONDLY", "rrule_too_frequent"),
        ("FREQ=WEEKLY;COUNT=1000000000", "rrule_count"),
        ("FREQ=DAILY;INTERVAL=0", "rrule_interval"),
        ("garbage", "rrule_invalid"),
        ("DTSTART:20270101T000000\nRRULE:FREQ=DAILY", "rrule_invalid"),
    ],
)
def test_bad_rrules_are_refused(rule, code):
    assert refusal(ValidationFailed, clean_rule, rule).code == code


def test_a_utc_until_is_kept_on_the_owners_clock():
    rule = clean_rule("RRULE:FREQ=WEEKLY;UNTIL=20270301T000000Z", zone_name="Europe/Berlin")
    assert rule == "FREQ=WEEKLY;UNTIL=20270301T010000"


@pytest.mark.parametrize(
    ("rule", "russian", "english"),
    [
        (
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270301T235959",
            "каждый вторник в 10:00, до 01.03.2027",
            "every Tuesday at 10:00, until 01.03.2027",
        ),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "по будням в 10:00", "on weekdays at 10:00"),
        (
            "FREQ=MONTHLY;BYDAY=-1FR",
            "в последнюю пятницу месяца в 10:00",
            "on the last Friday of the month at 10:00",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=2",
            "каждую 2-ю неделю по средам в 10:00",
            "every 2 weeks on Wednesday at 10:00",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=10",
            "каждый месяц 15-го числа в 10:00, повторений: 10",
            "every month on day 15 at 10:00, 10 times",
        ),
        ("FREQ=DAILY", "каждый день в 10:00", "every day at 10:00"),
        ("FREQ=YEARLY", "каждый год 02.12 в 10:00", "every year on 02.12 at 10:00"),
        ("FREQ=WEEKLY;BYMONTH=3", "по правилу FREQ=WEEKLY;BYMONTH=3 в 10:00", None),
    ],
)
def test_describe_says_the_rule_in_the_readers_language(rule, russian, english):
    with translation.override("ru"):
        assert describe(rule, start=TODAY, time=dt.time(10, 0)) == russian
    if english:
        with translation.override("en"):
            assert describe(rule, start=TODAY, time=dt.time(10, 0)) == english


@pytest.mark.django_db
def test_set_event_rule_stores_it_and_moves_the_day_to_the_first_occurrence(alice, tomorrow):
    event = create_event(owner_tg_id=alice.pk, name="Yoga", date=tomorrow, time=dt.time(10, 0))
    rule = "FREQ=WEEKLY;BYDAY=" + ("MO" if tomorrow.weekday() != 0 else "TU")
    set_event_rule(owner_tg_id=alice.pk, event_id=event.pk, rule=rule)
    stored = Event.objects.get(pk=event.pk)
    assert stored.rrule == rule
    assert stored.date > tomorrow and stored.date - tomorrow < dt.timedelta(days=7)
    assert stored.date.weekday() == (0 if tomorrow.weekday() != 0 else 1)
    set_event_rule(owner_tg_id=alice.pk, event_id=event.pk, rule="")
    assert Event.objects.get(pk=event.pk).rrule == ""


@pytest.mark.django_db
def test_set_event_rule_refuses_a_bad_rule(alice, tomorrow):
    event = create_event(owner_tg_id=alice.pk, name="Yoga", date=tomorrow, time=dt.time(10, 0))
    with pytest.raises(ValidationFailed):
        set_event_rule(owner_tg_id=alice.pk, event_id=event.pk, rule="FREQ=MINUTELY")
    assert Event.objects.get(pk=event.pk).rrule == ""


@pytest.mark.django_db
def test_skipping_a_day_the_series_does_not_have_is_refused(alice, tomorrow):
    from calendarapp.services.events import skip_occurrence

    event = create_event(owner_tg_id=alice.pk, name="Gym", date=tomorrow, time=dt.time(7, 0))
    with pytest.raises(ValidationFailed) as refused:  # a one-off event has no occurrences
        skip_occurrence(owner_tg_id=alice.pk, event_id=event.pk, date=tomorrow)
    assert refused.value.code == "not_an_occurrence"
    set_event_rule(owner_tg_id=alice.pk, event_id=event.pk, rule="FREQ=WEEKLY")
    with pytest.raises(ValidationFailed):
        skip_occurrence(owner_tg_id=alice.pk, event_id=event.pk, date=tomorrow + dt.timedelta(1))
    skip_occurrence(owner_tg_id=alice.pk, event_id=event.pk, date=tomorrow + dt.timedelta(7))
    assert Event.objects.get(pk=event.pk).exdates == [(tomorrow + dt.timedelta(7)).isoformat()]


@pytest.mark.django_db
def test_moving_a_series_to_a_day_its_rule_skips_is_refused(alice, tomorrow):
    from calendarapp.services.events import update_event

    event = create_event(owner_tg_id=alice.pk, name="Gym", date=tomorrow, time=dt.time(7, 0))
    code = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][tomorrow.weekday()]
    set_event_rule(owner_tg_id=alice.pk, event_id=event.pk, rule=f"FREQ=WEEKLY;BYDAY={code}")
    with pytest.raises(ValidationFailed) as refused:
        update_event(owner_tg_id=alice.pk, event_id=event.pk, date=tomorrow + dt.timedelta(1))
    assert refused.value.code == "rrule_not_on_start"
    update_event(owner_tg_id=alice.pk, event_id=event.pk, date=tomorrow + dt.timedelta(7))
    assert Event.objects.get(pk=event.pk).date == tomorrow + dt.timedelta(7)
