import datetime as dt

import pytest

from calendarapp.exceptions import ValidationFailed
from calendarapp.parsing import parse_date, parse_id, parse_time
from calendarapp.services.dates import ensure_date_not_past


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2030-12-31", dt.date(2030, 12, 31)),
        ("1.2.2030", dt.date(2030, 2, 1)),
        (" 29.02.2032 ", dt.date(2032, 2, 29)),
    ],
)
def test_parse_date_accepts_both_formats(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("tomorrow", "date_format"),
        ("2030/01/01", "date_format"),
        ("", "date_format"),
        ("2030-02-30", "date_impossible"),
        ("31.04.2030", "date_impossible"),
        ("2030-13-01", "date_impossible"),
    ],
)
def test_parse_date_rejects_with_a_code(text, code):
    with pytest.raises(ValidationFailed) as caught:
        parse_date(text)
    assert caught.value.code == code


def test_parse_time():
    assert parse_time("9:05") == dt.time(9, 5)
    assert parse_time("23.59") == dt.time(23, 59)
    for text, code in [
        ("noon", "time_format"),
        ("24:00", "time_impossible"),
        ("12:60", "time_impossible"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            parse_time(text)
        assert caught.value.code == code


def test_parse_id():
    assert parse_id(" #12 ") == 12
    for text in ("0", "-3", "x", "١٢", "99999999999999999999"):
        with pytest.raises(ValidationFailed):
            parse_id(text)


def test_ensure_date_not_past(alice, tomorrow):
    ensure_date_not_past(user=alice, date=tomorrow)
    with pytest.raises(ValidationFailed) as caught:
        ensure_date_not_past(user=alice, date=tomorrow - dt.timedelta(days=3))
    assert caught.value.code == "date_in_past"
