"""Property-based run of the OpenAPI schema (schemathesis): for generated requests to every
operation, the API never answers 5xx and every answer matches the schema it publishes."""

import datetime as dt

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth

from calendarapp.models import Event
from webapp.wsgi import application


@pytest.fixture
def web_schema(db, settings):
    # Throttles are tested on their own; here every operation must really run.
    settings.CALENDAR_THROTTLE_RATES = {"export_token": None, "export": None}
    # The WSGI app runs inside the test's transaction, as Django's own test client does:
    # it must not close the connection at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.from_wsgi("/api/schema/", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.from_pytest_fixture("web_schema")


@pytest.fixture
def seeded(make_user, tomorrow):
    """A little real data, so lists have rows and some generated ids exist."""
    people = [make_user(tg_id, f"user{tg_id}") for tg_id in (1, 2, 3)]
    for n, owner in enumerate(people):
        Event.objects.create(
            owner=owner, name=f"Event {n}", date=tomorrow, time=dt.time(10 + n), is_public=True
        )
    return people


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_conforms_to_its_schema(case, staff_token, seeded):
    response = case.call_wsgi(headers={"Authorization": f"Token {staff_token}"})
    # `ignored_auth` replays with a forged cookie but keeps our token header, so it would
    # report a false alarm; auth enforcement has its own tests in test_api.py.
    case.validate_response(response, excluded_checks=(ignored_auth,))


def test_schema_and_docs_are_served(client):
    schema_response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema_response.status_code == 200
    paths = schema_response.json()["paths"]
    assert set(paths) == {
        "/api/events/public/",
        "/api/users/",
        "/api/appointments/",
        "/api/export/token/",
    }
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # Swagger UI comes from the sidecar package, never a CDN.
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.content
    assert b"cdn" not in docs.content.lower()
