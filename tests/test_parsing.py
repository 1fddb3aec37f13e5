import datetime as dt

import pytest

from calendarapp.exceptions import ValidationFailed
from calendarapp.parsing import MAX_TELEGRAM_ID, parse_id, parse_telegram_user
from calendarapp.services.dates import ensure_date_not_past
from tests.support.refusals import refusal


def test_parse_id():
    assert parse_id(" #12 ") == 12
    for text in ("0", "-3", "x", "١٢", "99999999999999999999"):
        with pytest.raises(ValidationFailed):
            parse_id(text)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("123456789", 123456789),
        (" 42 ", 42),
        (str(MAX_TELEGRAM_ID), 2**63 - 1),  # the largest 64-bit id, 19 digits
        ("0000000000000000042", 42),  # 19 digits, a small value
        ("@bob", "bob"),
        ("bob", "bob"),
        ("  @Bob_Smith ", "Bob_Smith"),
        ("@123", "123"),  # with "@" it is a name, never an id
        ("@" + "a" * 64, "a" * 64),  # 65 characters typed: the longest name a profile keeps
    ],
)
def test_parse_telegram_user_reads_ids_and_usernames(typed, expected):
    assert parse_telegram_user(typed) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (str(MAX_TELEGRAM_ID + 1), "invalid_tg_id"),  # past 64 bits
        ("9" * 19, "invalid_tg_id"),
        ("1" + "0" * 19, "invalid_tg_id"),  # 20 digits
        ("9" * 40, "invalid_tg_id"),
        ("0", "invalid_tg_id"),
        ("", "username_invalid"),
        ("@", "username_invalid"),
        (" @ ", "username_invalid"),
        ("@" + "a" * 65, "username_invalid"),  # 66 characters typed
        ("a" * 65, "username_invalid"),
        ("@bob smith", "username_invalid"),
        ("@bob\x00", "username_invalid"),
    ],
)
def test_parse_telegram_user_refuses_what_no_account_has(typed, code):
    assert refusal(ValidationFailed, parse_telegram_user, typed).code == code


def test_ensure_date_not_past(alice, tomorrow):
    ensure_date_not_past(user=alice, date=tomorrow)
    with pytest.raises(ValidationFailed) as caught:
        ensure_date_not_past(user=alice, date=tomorrow - dt.timedelta(days=3))
    assert caught.value.code == "date_in_past"
