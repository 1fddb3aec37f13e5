"""The API takes numbers, dates and times only as its schema writes them. What Python would
quietly convert (1.0, 1e3, "007", other scripts' digits, a time with a UTC offset) is a 400
naming the field and saying what to send, never a different value stored."""

import datetime as dt

import pytest

from calendarapp.models import Appointment, Event, TgUser

ORGANIZER, GUEST = 123, 456


@pytest.fixture
def event(make_user, tomorrow):
    organizer = make_user(ORGANIZER, "org", "Org")
    make_user(GUEST, "guest", "Guest")
    return Event.objects.create(owner=organizer, name="Planning", date=tomorrow, time=dt.time(15))


def invite(api, event, **change):
    body = {"organizer_tg_id": ORGANIZER, "participant_tg_id": GUEST, "event_id": event.pk}
    return api.post("/api/appointments/", body | change, format="json")


def assert_refused(response, field: str, words: str):
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert words in errors[field][0]


@pytest.mark.parametrize("value", [1.0, 1e3, "007", "٣", "1.0", " 5", True])
def test_ids_must_be_plain_integers(api, event, value):
    assert_refused(invite(api, event, participant_tg_id=value), "participant_tg_id", "digits 0-9")
    assert_refused(invite(api, event, event_id=value), "event_id", "digits 0-9")
    response = api.post("/api/users/", {"tg_id": value}, format="json")
    assert_refused(response, "tg_id", "digits 0-9")
    assert not Appointment.objects.exists()
    assert not TgUser.objects.filter(tg_id__in=[1, 3, 5, 7, 1000]).exists()
    # Integers written as integers still work, in JSON and in a form (which posts text).
    assert invite(api, event, participant_tg_id=GUEST).status_code == 201
    response = api.post("/api/users/", {"tg_id": "77"})
    assert (response.status_code, response.json()["tg_id"]) == (201, 77)


@pytest.mark.parametrize(
    "value", ["१२३४-01-01", "2026-1-5", "20261205", "2026-W49-3", "٢٠٢٦-12-05"]
)
def test_dates_must_be_iso_in_ascii_digits(api, event, value):
    assert_refused(invite(api, event, date=value), "date", "YYYY-MM-DD")
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("value", ["12:00+03:00", "12:00Z", "12:00:00-05:00", "12:00:00+0300"])
def test_times_with_an_offset_are_refused_not_moved(api, event, tomorrow, value):
    assert_refused(invite(api, event, date=tomorrow.isoformat(), time=value), "time", "UTC offset")
    assert not Appointment.objects.exists()
    response = invite(api, event, date=tomorrow.isoformat(), time=value[:5])
    assert response.status_code == 201, response.json()
    assert response.json()["time"] == value[:5] + ":00"


@pytest.mark.parametrize("value", ["١٢:٠٠", "7:5", "12:00:00.5", "24:00"])
def test_times_must_be_wall_clock_literals(api, event, value):
    assert_refused(invite(api, event, time=value), "time", "HH:MM")


@pytest.mark.parametrize(
    "params",
    [
        {"owner_tg_id": "007"},
        {"owner_tg_id": "٣"},
        {"owner_tg_id": "1.0"},
        {"date_from": "१२३४-01-01"},
        {"date_to": "٢٠٢٦-12-05"},
    ],
)
def test_query_literals_follow_the_same_rules(anon_client, params):
    response = anon_client.get("/api/events/public/", params)
    assert response.status_code == 400, response.json()
    assert set(response.json()["errors"]) == set(params)


@pytest.fixture
def anon_client():
    from rest_framework.test import APIClient

    return APIClient()


def test_the_schema_says_what_is_accepted(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    parts = schema["components"]["schemas"]
    request, response = (
        parts["AppointmentRequest"]["properties"],
        parts["Appointment"]["properties"],
    )
    assert request["event_id"]["type"] == "integer"
    assert not request["event_id"].get("nullable")  # required and never null when creating
    assert response["event_id"]["nullable"] is True  # null once the event was deleted
    assert request["date"]["pattern"] == r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    assert request["time"]["pattern"] == r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
    params = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/events/public/"]["get"]["parameters"]
    }
    assert params["date_from"]["pattern"] == r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def test_a_number_of_thousands_of_digits_is_out_of_range_not_a_crash(api, anon_client):
    huge = "9" * 5000
    response = anon_client.get("/api/events/public/", {"owner_tg_id": huge})
    assert response.status_code == 400
    assert "less than or equal to" in response.json()["errors"]["owner_tg_id"][0]
    response = api.post("/api/users/", {"tg_id": huge})
    assert response.status_code == 400
    assert "less than or equal to" in response.json()["errors"]["tg_id"][0]
