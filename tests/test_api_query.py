"""List endpoints answer only the questions they know: an unknown query parameter is a 400
naming it (a typo such as `owner=` must not return everything as if unfiltered), empty values
mean "no filter" as the schema says, and search ignores case in every alphabet on every
database."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from calendarapp.models import Event


@pytest.fixture
def anon():
    return APIClient()


def public_event(owner, day, name, details=""):
    return Event.objects.create(
        owner=owner, name=name, date=day, time=dt.time(10), details=details, is_public=True
    )


@pytest.mark.parametrize(
    ("path", "params", "unknown"),
    [
        ("/api/events/public/", {"owner": "2002"}, {"owner"}),
        (
            "/api/events/public/",
            {"owner_id": "1", "datefrom": "2026-01-01"},
            {"owner_id", "datefrom"},
        ),
        ("/api/users/", {"search": "bob"}, {"search"}),
        ("/api/appointments/", {"organizer": "1", "page": "1"}, {"organizer"}),
    ],
)
def test_unknown_query_parameters_are_400_naming_them(api, alice, path, params, unknown):
    response = api.get(path, params)
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert set(errors) == unknown
    for name in unknown:
        assert "Unknown query parameter" in errors[name][0]


def test_known_parameters_and_empty_values(anon, alice, bob, tomorrow):
    public_event(alice, tomorrow, "Alice's")
    public_event(bob, tomorrow, "Bob's")
    known = {"page": "1", "page_size": "10", "ordering": "name", "format": "json", "search": ""}
    response = anon.get("/api/events/public/", known)
    assert response.status_code == 200, response.json()
    assert [e["name"] for e in response.json()["results"]] == ["Alice's", "Bob's"]
    # An empty value is no filter; `null` is no integer.
    assert anon.get("/api/events/public/", {"owner_tg_id": ""}).json()["count"] == 2
    response = anon.get("/api/events/public/", {"owner": str(bob.pk)})
    assert response.status_code == 400
    response = anon.get("/api/events/public/", {"owner_tg_id": "null"})
    assert (response.status_code, list(response.json()["errors"])) == (400, ["owner_tg_id"])


@pytest.mark.parametrize("query", ["боба", "БОБА", "ЁЛК"])
def test_search_ignores_case_in_cyrillic(anon, alice, tomorrow, query):
    public_event(alice, tomorrow, "День рождения Боба", details="у ёлки")
    public_event(alice, tomorrow, "Bob's talk")
    response = anon.get("/api/events/public/", {"search": query})
    assert response.status_code == 200
    assert [e["name"] for e in response.json()["results"]] == ["День рождения Боба"]
