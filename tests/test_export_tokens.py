import time

import pytest
from django.core import signing

from calendarapp.exceptions import ValidationFailed
from calendarapp.services.export_tokens import (
    ExportTokenInvalid,
    issue_export_token,
    read_export_token,
)


def test_token_round_trip_and_urls(settings):
    settings.SITE_BASE_URL = "https://cal.example"
    issued = issue_export_token(42)
    assert read_export_token(issued.token) == 42
    assert issued.url("csv").startswith("https://cal.example/export/csv/?token=")


def test_expired_token(settings, monkeypatch):
    issued = issue_export_token(42)
    settings.EXPORT_TOKEN_MAX_AGE = 900
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 901)
    with pytest.raises(ExportTokenInvalid) as error:
        read_export_token(issued.token)
    assert error.value.code == "token_expired"


def test_a_token_signed_in_the_future_is_refused(monkeypatch):
    """Its max_age would count from a moment that has not come: refused, not extended."""
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3600)
    from_the_future = issue_export_token(42).token
    monkeypatch.setattr(time, "time", real_time)
    with pytest.raises(ExportTokenInvalid):
        read_export_token(from_the_future)
    monkeypatch.setattr(time, "time", lambda: real_time() + 30)  # within the clock skew
    slightly_ahead = issue_export_token(42).token
    monkeypatch.setattr(time, "time", real_time)
    assert read_export_token(slightly_ahead) == 42


@pytest.mark.parametrize("token", [None, "", "abc", "x" * 600, "a:b"])
def test_malformed_tokens(token):
    with pytest.raises(ValidationFailed):
        read_export_token(token)


def test_tampered_and_foreign_tokens_are_invalid():
    token = issue_export_token(42).token
    payload, stamp, signature = token.split(":")
    for bad in (
        f"{payload}x:{stamp}:{signature}",
        f"{payload}:{stamp}:{signature[:-2]}aa",
        signing.TimestampSigner(salt="other").sign_object({"tg_user_id": 42}),
    ):
        with pytest.raises(ExportTokenInvalid):
            read_export_token(bad)


def test_api_issues_tokens_only_for_registered_users(alice):
    from calendarapp.exceptions import NotFound
    from calendarapp.services.export_tokens import issue_export_token_for_user

    assert read_export_token(issue_export_token_for_user(alice.pk).token) == alice.pk
    with pytest.raises(NotFound) as error:
        issue_export_token_for_user(999_999)
    assert error.value.code == "user_not_found"
