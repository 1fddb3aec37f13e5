"""Series in the REST API: `rrule` checked where an event is created, `next_occurrences` on
every event, and the public list expanding a date range into occurrences, bounded."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from calendarapp.selectors import expansion
from calendarapp.services.events import create_event, set_event_rule
from calendarapp.services.series import edit_occurrences
from calendarapp.services.users import set_user_timezone

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 1, 4)
UTC = dt.UTC


def body(owner, **extra):
    return {"owner_tg_id": owner.pk, "name": "Standup", "date": MONDAY.isoformat(),
            "time": "10:00", "is_public": True, **extra}  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("FREQ=FORTNIGHTLY", "rrule_invalid"),
        ("FREQ=SECONDLY", "rrule_too_frequent"),
        ("FREQ=DAILY;COUNT=1000000000", "rrule_count"),
        ("FREQ=WEEKLY;BYDAY=TU", "rrule_not_on_start"),  # 04.01.2027 is a Monday
    ],
)
def test_a_bad_rule_is_a_400_naming_it(api, alice, rule, code):
    response = api.post("/api/events/", body(alice, rrule=rule), format="json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, "rrule")


def test_a_series_is_created_with_its_rule_and_next_occurrences(api, alice):
    set_user_timezone(tg_id=alice.pk, text="Europe/Berlin")
    response = api.post("/api/events/", body(alice, rrule="RRULE:FREQ=WEEKLY"), format="json")
    assert response.status_code == 201, response.json()
    event = response.json()
    assert (event["rrule"], event["repeats"]) == ("FREQ=WEEKLY", True)
    # Every field the schema promises, the answers' counts too (none yet).
    assert event["rsvp"] == {"going": 0, "maybe": 0, "not_going": 0, "waiting": 0}
    starts = [dt.datetime.fromisoformat(moment) for moment in event["next_occurrences"]]
    assert starts == [
        dt.datetime.combine(MONDAY + dt.timedelta(weeks=n), dt.time(9), tzinfo=UTC)
        for n in range(3)
    ]
    assert APIClient().post("/api/events/", body(alice), format="json").status_code == 401


def test_the_public_list_carries_rule_and_next_occurrences(api, alice):
    event = create_event(owner_tg_id=alice.pk, name="Daily", date=MONDAY, time=dt.time(8),
                         is_public=True)  # fmt: skip
    set_event_rule(owner_tg_id=alice.pk, event_id=event.pk, rule="FREQ=DAILY;COUNT=2")
    [row] = APIClient().get("/api/events/public/").json()["results"]
    assert row["rrule"] == "FREQ=DAILY;COUNT=2" and len(row["next_occurrences"]) == 2


def series_and_one_off(owner):
    event = create_event(owner_tg_id=owner.pk, name="Weekly", date=MONDAY, time=dt.time(10),
                         is_public=True)  # fmt: skip
    set_event_rule(owner_tg_id=owner.pk, event_id=event.pk, rule="FREQ=WEEKLY")
    create_event(owner_tg_id=owner.pk, name="Once", date=MONDAY + dt.timedelta(days=8),
                 time=dt.time(9), is_public=True)  # fmt: skip
    return event


def listed(params):
    response = APIClient().get("/api/events/public/", params)
    assert response.status_code == 200, response.json()
    return [(row["name"], row["date"], row["time"]) for row in response.json()["results"]]


def test_a_date_range_expands_series_into_occurrences_with_overrides(alice):
    event = series_and_one_off(alice)
    edit_occurrences(owner_tg_id=alice.pk, event_id=event.pk, day=MONDAY + dt.timedelta(7),
                     scope="one", time=dt.time(12))  # fmt: skip
    rows = listed({"date_from": "2027-01-05", "date_to": "2027-01-25"})
    assert rows == [
        ("Weekly", "2027-01-11", "12:00:00"),  # the one moved on its own
        ("Once", "2027-01-12", "09:00:00"),
        ("Weekly", "2027-01-18", "10:00:00"),
        ("Weekly", "2027-01-25", "10:00:00"),
    ]
    assert (
        listed({"date_from": "2027-01-05", "date_to": "2027-01-25", "ordering": "-date"})
        == (rows[::-1])
    )
    # Without a range, the series is one row again.
    assert [name for name, _d, _t in listed({})].count("Weekly") == 2  # the series and its override


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"date_from": "2027-01-01", "date_to": "2028-06-01"}, "range_too_long", "date_to"),
        ({"date_from": "2027-02-01", "date_to": "2027-01-01"}, "range_reversed", "date_from"),
    ],
)
def test_a_range_too_long_or_reversed_is_a_400(alice, params, code, field):
    response = APIClient().get("/api/events/public/", params)
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)


def test_more_occurrences_than_the_limit_is_a_400(alice, monkeypatch):
    series_and_one_off(alice)
    monkeypatch.setattr(expansion, "MAX_EXPANDED", 3)
    response = APIClient().get("/api/events/public/", {"date_from": "2027-01-01"})
    assert response.status_code == 400 and response.json()["code"] == "too_many_occurrences"
    assert len(listed({"date_from": "2027-01-01", "date_to": "2027-01-12"})) == 3


@pytest.mark.parametrize("params", [{"date_to": "0001-01-01"}, {"date_from": "9999-12-31"}])
def test_one_side_at_the_calendars_edge_is_an_empty_list_not_a_500(alice, params):
    series_and_one_off(alice)
    response = APIClient().get("/api/events/public/", params)
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []
