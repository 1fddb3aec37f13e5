import datetime as dt

import pytest

from calendarapp.exceptions import ValidationFailed
from calendarapp.services.natural_dates import When, parse_time, parse_when

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
    with pytest.raises(ValidationFailed) as error:
        parse_when(text=text, now=NOW)
    assert error.value.code == "date_invalid"


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


@pytest.mark.parametrize("text", ["", "25:00", "12:60", "утром?", "завтра"])
def test_bad_times(text):
    with pytest.raises(ValidationFailed) as error:
        parse_time(text)
    assert error.value.code == "time_invalid"
