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
    # An empty number, date or page size is refused, as the schema's types say (leaving the
    # parameter out is how to ask for no filter); `null` is no integer either.
    for params in [
        {"owner_tg_id": ""},
        {"date_from": ""},
        {"page_size": ""},
        {"page": ""},
        {"owner_tg_id": "null"},
        {"page_size": "abc"},
        {"page_size": "0"},
    ]:
        response = anon.get("/api/events/public/", params)
        assert (response.status_code, list(response.json()["errors"])) == (400, list(params))


def test_unknown_sort_fields_are_400_naming_them(anon, alice, tomorrow):
    public_event(alice, tomorrow, "A")
    response = anon.get("/api/events/public/", {"ordering": "-date,owner__secret"})
    assert response.status_code == 400
    assert "owner__secret" in response.json()["errors"]["ordering"][0]
    assert anon.get("/api/events/public/", {"ordering": "-date,name"}).status_code == 200


def test_odd_parameter_names_are_named_not_a_crash(anon):
    response = anon.get("/api/events/public/?%25s%25%28x%29=1")
    assert response.status_code == 400
    assert response.json()["errors"] == {"%s%(x)": ["Unknown query parameter '%s%(x)'."]}


@pytest.mark.parametrize("query", ["боба", "БОБА", "ЁЛК"])
def test_search_ignores_case_in_cyrillic(anon, alice, tomorrow, query):
    public_event(alice, tomorrow, "День рождения Боба", details="у ёлки")
    public_event(alice, tomorrow, "Bob's talk")
    response = anon.get("/api/events/public/", {"search": query})
    assert response.status_code == 200
    assert [e["name"] for e in response.json()["results"]] == ["День рождения Боба"]
