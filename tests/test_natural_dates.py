import datetime as dt

import pytest

from calendarapp.exceptions import ValidationFailed
from calendarapp.services.natural_dates import When, parse_time, parse_time_on, parse_when
from tests.support.refusals import refusal

NOW = dt.datetime(2026, 11, 24, 10, 0)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-25", When(dt.date(2026, 12, 25), None)),
        ("01.12.2026", When(dt.date(2026, 12, 1), None)),
        ("1.12.26", When(dt.date(2026, 12, 1), None)),
        ("25.12", When(dt.date(2026, 12, 25), None)),
        ("01.03", When(dt.date(2027, 3, 1), None)),  # March has passed this year: next year
        ("завтра", When(dt.date(2026, 11, 25), None)),
        ("послезавтра", When(dt.date(2026, 11, 26), None)),
        ("в пятницу", When(dt.date(2026, 11, 27), None)),
        ("следующий понедельник", When(dt.date(2026, 11, 30), None)),
        ("25 декабря", When(dt.date(2026, 12, 25), None)),
        ("через 2 часа", When(dt.date(2026, 11, 24), dt.time(12, 0))),
        ("завтра в 15:00", When(dt.date(2026, 11, 25), dt.time(15, 0))),
        ("tomorrow 15:00", When(dt.date(2026, 11, 25), dt.time(15, 0))),
        ("next monday", When(dt.date(2026, 11, 30), None)),
        ("  Завтра  ", When(dt.date(2026, 11, 25), None)),
        # The typed time equals the base's wall-clock time: still a time, not a bare day.
        ("сегодня в 10:00", When(dt.date(2026, 11, 24), dt.time(10, 0))),
        ("завтра в 10:00", When(dt.date(2026, 11, 25), dt.time(10, 0))),
    ],
)
def test_dates_people_type(text, expected):
    assert parse_when(text=text, now=NOW) == expected


@pytest.mark.parametrize(
    "text", ["", "когда-нибудь", "31.02.2026", "2026-02-30", "13.13", "x" * 500]
)
def test_dates_that_do_not_exist_or_make_no_sense(text):
    assert refusal(ValidationFailed, parse_when, text=text, now=NOW).code == "date_invalid"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15:30", dt.time(15, 30)),
        ("9:05", dt.time(9, 5)),
        ("09.05", dt.time(9, 5)),
        ("в 18:00", dt.time(18, 0)),
        ("3pm", dt.time(15, 0)),
        ("в 00:00", dt.time(0, 0)),
    ],
)
def test_times(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "утром?", "завтра"])
def test_bad_times(text):
    assert refusal(ValidationFailed, parse_time, text).code == "time_invalid"


@pytest.mark.parametrize("text", ["25:00", "12:60", "в 25:99"])
def test_well_shaped_but_impossible_times(text):
    assert refusal(ValidationFailed, parse_time, text).code == "time_impossible"


CHOSEN = dt.date(2026, 12, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A time of day keeps the day the dialog chose.
        ("18:30", When(CHOSEN, dt.time(18, 30))),
        ("в 9:00", When(CHOSEN, dt.time(9, 0))),  # 9:00 has passed today: still the 10th
        ("3pm", When(CHOSEN, dt.time(15, 0))),
        # A phrase that names a day, or counts from now, moves the day.
        ("next friday 12:30", When(dt.date(2026, 11, 27), dt.time(12, 30))),
        ("завтра в 15:00", When(dt.date(2026, 11, 25), dt.time(15, 0))),
        ("сегодня в 18:00", When(dt.date(2026, 11, 24), dt.time(18, 0))),
        ("через 2 часа", When(dt.date(2026, 11, 24), dt.time(12, 0))),
    ],
)
def test_the_time_step_keeps_or_moves_the_day(text, expected):
    assert parse_time_on(text=text, date=CHOSEN, now=NOW) == expected


@pytest.mark.parametrize(
    ("text", "code"), [("friday", "time_invalid"), ("25:99", "time_impossible")]
)
def test_the_time_step_refuses_a_day_alone_and_impossible_times(text, code):
    assert refusal(ValidationFailed, parse_time_on, text=text, date=CHOSEN, now=NOW).code == code


def test_an_impossible_time_inside_a_date_phrase_is_refused():
    with pytest.raises(ValidationFailed) as error:
        parse_when(text="завтра в 25:99", now=NOW)
    assert (error.value.code, error.value.params) == ("time_impossible", {"text": "25:99"})
