"""The API's side of event cards: who answered an event (staff), and the answer counts on
the public events list, in a constant number of queries."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from calendarapp.services import rsvp
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
