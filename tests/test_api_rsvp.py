"""The API's side of event cards: who answered an event (staff), and the answer counts on
the public events list, in a constant number of queries."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from calendarapp.exceptions import Conflict
from calendarapp.models import EventCard, OutboxMessage, Rsvp
from calendarapp.services import rsvp, rsvp_notices
from calendarapp.services.events import create_event
from calendarapp.services.users import TelegramProfile
from tests.test_api import _queries

pytestmark = pytest.mark.django_db


def event_of(owner, day, name="Party", *, capacity=None):
    event = create_event(
        owner_tg_id=owner.pk, name=name, date=day, time=dt.time(19), is_public=True
    )
    if capacity:
        rsvp.set_capacity(organizer_tg_id=owner.pk, event_id=event.pk, capacity=capacity)
    return event


def press(event, tg_id, answer):
    rsvp.answer_event(
        event_id=event.pk,
        profile=TelegramProfile(tg_id=tg_id, first_name=f"P{tg_id}", username=f"p{tg_id}"),
        answer=answer,
    )


def test_public_events_carry_their_answer_counts(alice, tomorrow):
    party = event_of(alice, tomorrow, capacity=2)
    for tg_id, answer in [(1, "going"), (2, "going"), (3, "going"), (4, "maybe"), (5, "not_going")]:
        press(party, tg_id, answer)
    event_of(alice, tomorrow, "Quiet")
    results = APIClient().get("/api/events/public/").json()["results"]
    assert [(e["name"], e["capacity"], e["rsvp"]) for e in results] == [
        ("Party", 2, {"going": 2, "maybe": 1, "not_going": 1, "waiting": 1}),
        ("Quiet", None, {"going": 0, "maybe": 0, "not_going": 0, "waiting": 0}),
    ]


def test_answer_counts_cost_no_query_per_event(alice, tomorrow):
    def add(start, count):
        for n in range(start, start + count):
            press(event_of(alice, tomorrow, f"e{n}"), 100 + n, "going")

    add(0, 1)
    count, rows = _queries(APIClient(), "/api/events/public/")
    add(1, 39)
    big_count, big_rows = _queries(APIClient(), "/api/events/public/")
    assert (rows, big_rows) == (1, 40)
    assert big_count == count


def test_attendees_for_staff_filtered_by_answer_and_paginated(api, alice, tomorrow):
    party = event_of(alice, tomorrow, capacity=2)
    for tg_id in (11, 12, 13, 14):
        press(party, tg_id, "going")
    press(party, 15, "maybe")
    url = f"/api/events/{party.pk}/attendees/"
    everyone = api.get(url).json()
    assert everyone["count"] == 5
    first = everyone["results"][0]
    assert first["tg_id"] == 11 and first["username"] == "p11" and first["answer"] == "going"
    assert set(first) == {
        "tg_id",
        "username",
        "first_name",
        "last_name",
        "answer",
        "guests",
        "answered_at",
    }
    waiting = api.get(url, {"answer": "waiting"}).json()
    assert [a["tg_id"] for a in waiting["results"]] == [13, 14]  # in line, in answer order
    page = api.get(url, {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["next"].endswith("page=2&page_size=2")


def test_attendees_refusals(api, alice, tomorrow):
    party = event_of(alice, tomorrow)
    url = f"/api/events/{party.pk}/attendees/"
    assert APIClient().get(url).status_code == 401
    user = get_user_model().objects.create_user("plain", password="x")
    plain = APIClient()
    plain.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert plain.get(url).status_code == 403
    missing = api.get(f"/api/events/{party.pk + 999}/attendees/")
    assert (missing.status_code, missing.json()["code"]) == (404, "event_not_found")
    huge = api.get(f"/api/events/{'9' * 30}/attendees/")
    assert huge.status_code == 400 and huge.json()["code"] == "id_too_large"
    bad = api.get(url, {"answer": "sure"})
    assert bad.status_code == 400 and "answer" in bad.json()["errors"]


def test_attendees_are_in_the_schema(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/events/{event_id}/attendees/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"event_id", "answer", "page"}
    public = schema["components"]["schemas"]["PublicEvent"]["properties"]
    assert {"rsvp", "capacity"} <= set(public)


def seats(event) -> dict[int, str]:
    return dict(Rsvp.objects.filter(event=event).values_list("person_id", "answer"))


def test_staff_set_the_capacity_and_those_moved_up_are_told(api, alice, bob, tomorrow):
    party = event_of(alice, tomorrow, capacity=1)
    EventCard.objects.create(event=party, inline_message_id="card-1")
    for tg_id in (11, bob.pk, 13):  # Bob started the bot; 13 never did
        press(party, tg_id, "going")
    assert sorted(seats(party).values()) == ["going", "waiting", "waiting"]
    EventCard.objects.update(dirty=False)

    response = api.patch(f"/api/events/{party.pk}/", {"capacity": 3}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["capacity"], body["rsvp_closed"]) == (party.pk, 3, False)
    assert body["rsvp"] == {"going": 3, "maybe": 0, "not_going": 0, "waiting": 0}
    moved = OutboxMessage.objects.filter(kind=rsvp_notices.MOVED_UP)
    assert list(moved.values_list("chat_id", flat=True)) == [bob.pk]
    assert EventCard.objects.get().dirty  # the card shows the new seats at its next edit

    lifted = api.patch(f"/api/events/{party.pk}/", {"capacity": None}, format="json")
    assert (lifted.status_code, lifted.json()["capacity"]) == (200, None)
    # A form (text) says the number as digits, as every id of the API.
    assert api.patch(f"/api/events/{party.pk}/", {"capacity": "2"}).json()["capacity"] == 2


def test_staff_close_and_reopen_answers(api, alice, tomorrow):
    party = event_of(alice, tomorrow)
    closed = api.patch(f"/api/events/{party.pk}/", {"rsvp_closed": True}, format="json")
    assert (closed.status_code, closed.json()["rsvp_closed"]) == (200, True)
    with pytest.raises(Conflict):
        press(party, 21, "going")
    both = {"rsvp_closed": False, "capacity": 5, "owner_tg_id": alice.pk}
    reopened = api.patch(f"/api/events/{party.pk}/", both, format="json").json()
    assert (reopened["rsvp_closed"], reopened["capacity"]) == (False, 5)
    press(party, 21, "going")
    assert seats(party) == {21: "going"}
    untouched = api.patch(f"/api/events/{party.pk}/", {}, format="json").json()
    assert (untouched["rsvp_closed"], untouched["capacity"]) == (False, 5)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"capacity": "ten"}, "capacity"),
        ({"capacity": "5.0"}, "capacity"),
        ({"capacity": 5.0}, "capacity"),
        ({"capacity": "007"}, "capacity"),
        ({"capacity": ""}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"capacity": [3]}, "capacity"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": rsvp.MAX_CAPACITY + 1}, "capacity"),
        ({"capacity": 10**30}, "capacity"),
        ({"capacity": "9" * 400}, "capacity"),
        ({"rsvp_closed": "maybe"}, "rsvp_closed"),
        ({"rsvp_closed": None}, "rsvp_closed"),
        ({"rsvp_closed": True, "capacity": -5}, "capacity"),  # neither is applied
        ({"name": "Renamed"}, "name"),  # not ignored: this request cannot rename
        ({"owner_tg_id": "x"}, "owner_tg_id"),
    ],
)
def test_bad_answer_settings_are_a_400_naming_the_field(api, alice, tomorrow, body, field):
    party = event_of(alice, tomorrow, capacity=4)
    response = api.patch(f"/api/events/{party.pk}/", body, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == [field]
    party.refresh_from_db()
    assert (party.capacity, party.rsvp_closed, party.name) == (4, False, "Party")


def test_answer_settings_refusals(api, alice, bob, tomorrow):
    party = event_of(alice, tomorrow, capacity=4)
    url = f"/api/events/{party.pk}/"
    # Someone else's event looks missing, as everywhere in the API.
    theirs = api.patch(url, {"owner_tg_id": bob.pk, "capacity": 9}, format="json")
    assert theirs.status_code == 404
    assert theirs.json() == {
        "detail": f"Event {party.pk} was not found.",
        "code": "event_not_found",
    }
    missing = api.patch(f"/api/events/{party.pk + 999}/", {"capacity": 9}, format="json")
    assert (missing.status_code, missing.json()["code"]) == (404, "event_not_found")
    huge = api.patch(f"/api/events/{'9' * 30}/", {"capacity": 9}, format="json")
    assert (huge.status_code, huge.json()["code"]) == (400, "id_too_large")
    assert APIClient().patch(url, {"capacity": 9}, format="json").status_code == 401
    user = get_user_model().objects.create_user("plain", password="x")
    plain = APIClient()
    plain.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert plain.patch(url, {"capacity": 9}, format="json").status_code == 403
    assert api.get(url).status_code == 405
    party.refresh_from_db()
    assert party.capacity == 4


def test_answer_settings_are_in_the_schema(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/events/{event_id}/"]["patch"]
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert request["capacity"]["minimum"] == 1
    assert request["capacity"]["maximum"] == rsvp.MAX_CAPACITY
    assert request["capacity"]["nullable"] is True
    assert request["rsvp_closed"]["type"] == "boolean"
    assert "rsvp_closed" in schema["components"]["schemas"]["Event"]["properties"]
