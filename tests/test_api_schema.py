"""Property-based run of the OpenAPI schema (schemathesis): for generated requests to every
operation, and for sequences of them where one answer feeds the next request (the stateful
phase, along the links below), the API never answers 5xx and every answer matches the schema it
publishes."""

import datetime as dt

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
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


def add_links(web_schema) -> None:
    """What a client does next with an answer: a new profile's id goes into the filters, a
    meeting and an export link; a new event's id into the change of its answers; a listed
    meeting's people into the meeting filters."""
    users, appointments = web_schema["/api/users/"], web_schema["/api/appointments/"]
    new_user = {"source": users["POST"], "status_code": "201"}
    tg_id = "$response.body#/tg_id"
    web_schema.add_link(
        **new_user,
        target=web_schema["/api/export/token/"]["POST"],
        request_body={"tg_user_id": tg_id},
    )
    web_schema.add_link(
        **new_user, target=users["GET"], parameters={"username": "$response.body#/username"}
    )
    web_schema.add_link(
        **new_user,
        target=web_schema["/api/events/public/"]["GET"],
        parameters={"owner_tg_id": tg_id},
    )
    events = web_schema["/api/events/"]["POST"]
    web_schema.add_link(**new_user, target=events, request_body={"owner_tg_id": tg_id})
    # A new event or series, then the public list over its days (expanded occurrences).
    web_schema.add_link(
        source=events,
        status_code="201",
        target=web_schema["/api/events/public/"]["GET"],
        parameters={
            "owner_tg_id": "$response.body#/owner_tg_id",
            "date_from": "$response.body#/date",
        },
    )
    # A new event's seats and answers set, as its organiser.
    web_schema.add_link(
        source=events,
        status_code="201",
        target=web_schema["/api/events/{event_id}/"]["PATCH"],
        parameters={"event_id": "$response.body#/id"},
        request_body={"owner_tg_id": "$response.body#/owner_tg_id"},
    )
    web_schema.add_link(
        **new_user,
        target=appointments["POST"],
        request_body={"organizer_tg_id": 1, "participant_tg_id": tg_id, "event_id": 1},
    )
    # Schemathesis 3 starts each run from a source of links and follows links only: an answer
    # no link starts from (a 409 for an id taken before) would end the run with "no progress
    # can be made". The refused profile's name is still worth a look-up.
    for refused in ("400", "409"):
        web_schema.add_link(
            source=users["POST"],
            status_code=refused,
            target=users["GET"],
            parameters={"username": "$request.body#/username"},
        )
    web_schema.add_link(
        source=appointments["POST"],
        status_code="201",
        target=appointments["GET"],
        parameters={
            "organizer_tg_id": "$response.body#/organizer_tg_id",
            "participant_tg_id": "$response.body#/participant_tg_id",
        },
    )


def test_api_workflows_conform_to_its_schema(web_schema, staff_token, seeded):
    add_links(web_schema)
    headers = {"Authorization": f"Token {staff_token}"}

    class Workflow(web_schema.as_state_machine()):
        def setup(self):
            # Each run of steps starts from the seeded rows only, as Hypothesis needs to
            # replay a run exactly (a profile created in one run is a 409 in the next).
            self.rows = transaction.atomic()
            self.rows.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.rows.__exit__(None, None, None)

        def _add_results_to_targets(self, targets, results):
            # Schemathesis 3 files each answer under the link it can feed through
            # `_add_result_to_targets`, a hook Hypothesis 6.130 renamed to this one: without
            # this, every answer lands in one bundle and no link is ever followed.
            for result in results:
                for target in [t for t in (self._get_target_for_result(result),) if t]:
                    super()._add_results_to_targets((target,), [result])

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=()):
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=(ignored_auth,),
                transport_kwargs=self._transport_kwargs,
            )

    Workflow.run(
        settings=settings(
            max_examples=40,
            stateful_step_count=5,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )


def test_schema_and_docs_are_served(client):
    schema_response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema_response.status_code == 200
    paths = schema_response.json()["paths"]
    assert set(paths) == {
        "/api/events/",
        "/api/events/public/",
        "/api/events/{event_id}/",
        "/api/events/{event_id}/attendees/",
        "/api/users/",
        "/api/appointments/",
        "/api/export/token/",
        "/api/import/",
    }
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # Swagger UI comes from the sidecar package, never a CDN.
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.content
    assert b"cdn" not in docs.content.lower()
