"""The REST API as a client sees it: access, filters, pagination, validation and errors."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from calendarapp.models import Appointment, Event, OutboxMessage, TgUser
from calendarapp.services.events import create_event
from calendarapp.services.export_tokens import read_export_token
from calendarapp.services.users import note_bot_started

pytestmark = pytest.mark.django_db


@pytest.fixture
def anon():
    return APIClient()


def make_event(owner, day, name="Event", *, public=True, hour=10, details=""):
    return create_event(
        owner_tg_id=owner.pk,
        name=name,
        date=day,
        time=dt.time(hour, 0),
        details=details,
        is_public=public,
    )


# --- access ---------------------------------------------------------------------------


def test_anonymous_may_list_public_events_only(anon, alice, tomorrow):
    make_event(alice, tomorrow, "Open day")
    make_event(alice, tomorrow, "Secret", public=False, hour=11)
    response = anon.get("/api/events/public/")
    assert response.status_code == 200
    assert [e["name"] for e in response.json()["results"]] == ["Open day"]
    assert response.json()["results"][0]["owner_tg_id"] == alice.pk

    for method, url in [
        ("get", "/api/users/"),
        ("post", "/api/users/"),
        ("get", "/api/appointments/"),
        ("post", "/api/appointments/"),
        ("post", "/api/export/token/"),
    ]:
        response = getattr(anon, method)(url, {}, format="json")
        assert response.status_code == 401, url
        assert response.json() == {
            "detail": "Authentication credentials were not provided.",
            "code": "not_authenticated",
        }
        assert response["WWW-Authenticate"] == "Token"


def test_non_staff_token_is_forbidden_and_bad_token_unauthorised(django_user_model):
    from rest_framework.authtoken.models import Token

    user = django_user_model.objects.create_user("plain", password="x")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    response = client.get("/api/users/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"

    client.credentials(HTTP_AUTHORIZATION="Token forged")
    response = client.get("/api/users/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_admin_session_works(client, admin_user, alice):
    client.force_login(admin_user)
    response = client.get("/api/users/")
    assert response.status_code == 200
    assert response.json()["results"][0]["tg_id"] == alice.pk


def test_browsable_root_lists_the_endpoints(anon):
    response = anon.get("/api/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["events/public"].endswith("/api/events/public/")
    assert "/api/export/token/" in response.json()["export/token"]
    html = anon.get("/api/", HTTP_ACCEPT="text/html")
    assert html.status_code == 200
    assert b"Api Root" in html.content or b"API Root" in html.content


# --- filters, ordering, pagination ----------------------------------------------------


def test_public_event_filters(anon, alice, bob, tomorrow):
    make_event(alice, tomorrow, "Yoga in the park", details="bring a mat")
    make_event(alice, tomorrow + dt.timedelta(days=5), "Chess club")
    make_event(bob, tomorrow + dt.timedelta(days=2), "Bob's talk", details="about YOGA")

    def names(**params):
        response = anon.get("/api/events/public/", params)
        assert response.status_code == 200, response.json()
        return [e["name"] for e in response.json()["results"]]

    assert names(owner_tg_id=bob.pk) == ["Bob's talk"]
    assert names(date_from=(tomorrow + dt.timedelta(days=1)).isoformat()) == [
        "Bob's talk",
        "Chess club",
    ]
    assert names(date_to=tomorrow.isoformat()) == ["Yoga in the park"]
    assert names(search="yoga") == ["Yoga in the park", "Bob's talk"]
    assert names(ordering="-date") == ["Chess club", "Bob's talk", "Yoga in the park"]


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2025-13-45"},
        {"owner_tg_id": "abc"},
        {"owner_tg_id": "1.5"},
        {"owner_tg_id": str(2**70)},
        {"owner_tg_id": "-4"},
    ],
)
def test_bad_filter_values_are_400(anon, params):
    response = anon.get("/api/events/public/", params, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["errors"]) == set(params)


def test_page_size_is_capped_and_bad_pages_are_404(anon, alice, tomorrow):
    Event.objects.bulk_create(
        Event(owner=alice, name=f"e{i}", date=tomorrow, time=dt.time(9), is_public=True)
        for i in range(120)
    )
    response = anon.get("/api/events/public/", {"page_size": 1000})
    assert response.json()["count"] == 120
    assert len(response.json()["results"]) == 100
    assert len(anon.get("/api/events/public/").json()["results"]) == 50
    missing = anon.get("/api/events/public/", {"page": 99})
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_appointment_and_user_filters(api, alice, bob, make_user, tomorrow):
    carol = make_user(1003, "carol", "Carol")
    event = make_event(alice, tomorrow)
    first = Appointment.objects.create(
        event=event, organizer=alice, participant=bob, date=tomorrow, time=dt.time(10)
    )
    Appointment.objects.create(
        event=event,
        organizer=alice,
        participant=carol,
        date=tomorrow + dt.timedelta(days=3),
        time=dt.time(10),
        status="confirmed",
    )

    def ids(**params):
        response = api.get("/api/appointments/", params)
        assert response.status_code == 200, response.json()
        return [(a["participant_tg_id"], a["status"]) for a in response.json()["results"]]

    assert ids(participant_tg_id=bob.pk) == [(bob.pk, "pending")]
    assert ids(status="confirmed") == [(carol.pk, "confirmed")]
    assert ids(organizer_tg_id=alice.pk, date_to=tomorrow.isoformat()) == [(bob.pk, "pending")]
    assert ids(organizer_tg_id=bob.pk) == []
    assert api.get("/api/appointments/", {"status": "maybe"}).status_code == 400
    row = api.get("/api/appointments/", {"participant_tg_id": bob.pk}).json()["results"][0]
    assert row["id"] == first.pk
    assert row["event_id"] == event.pk
    assert row["organizer_tg_id"] == alice.pk

    users = api.get("/api/users/", {"username": "@CAROL"}).json()["results"]
    assert [u["tg_id"] for u in users] == [carol.pk]


# --- O(1) queries: the same count for 1 and 50 rows -------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["results"])


def test_list_endpoints_use_a_constant_number_of_queries(api, make_user, tomorrow):
    def add_rows(start, count):
        for n in range(start, start + count):
            owner = make_user(10_000 + 2 * n, f"o{n}")
            guest = make_user(10_001 + 2 * n, f"g{n}")
            event = make_event(owner, tomorrow, f"e{n}")
            Appointment.objects.create(
                event=event, organizer=owner, participant=guest, date=tomorrow, time=dt.time(10)
            )

    add_rows(0, 1)
    small = {url: _queries(api, url) for url in ("/api/events/public/", "/api/appointments/")}
    small["/api/users/"] = _queries(api, "/api/users/")
    add_rows(1, 49)
    for url, (count, rows) in small.items():
        big_count, big_rows = _queries(api, url)
        assert big_rows >= 50 > rows
        assert big_count == count, url


# --- POST /api/users/ -----------------------------------------------------------------


def test_create_user_and_duplicate_is_409(api):
    body = {"tg_id": 555, "username": "neo", "first_name": "Thomas"}
    response = api.post("/api/users/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["tg_id"] == 555
    assert TgUser.objects.get(pk=555).username == "neo"

    again = api.post("/api/users/", {"tg_id": 555, "username": "other"}, format="json")
    assert again.status_code == 409
    assert again.json() == {
        "detail": "A user with Telegram id 555 already exists.",
        "code": "user_exists",
        "field": "tg_id",
    }
    assert TgUser.objects.get(pk=555).username == "neo"


@pytest.mark.parametrize(
    "body",
    [
        {"tg_id": 0},
        {"tg_id": -7},
        {"tg_id": 2**63},
        {"tg_id": "abc"},
        {"tg_id": True},
        {},
        {"tg_id": 77, "username": "u" * 65},
        {"tg_id": 77, "first_name": "nul\x00byte"},
    ],
)
def test_create_user_rejects_bad_input(api, body):
    response = api.post("/api/users/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not TgUser.objects.filter(pk=77).exists()


def test_malformed_json_is_400(api):
    response = api.post("/api/users/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


# --- POST /api/appointments/ ----------------------------------------------------------


@pytest.fixture
def seed_people(make_user):
    return make_user(123, "org", "Org"), make_user(456, "guest", "Guest")


def test_seed_example_creates_a_pending_appointment_and_an_invitation(api, seed_people):
    organizer, _ = seed_people
    event = Event.objects.create(
        id=10, owner=organizer, name="Planning", date=dt.date(2025, 12, 30), time=dt.time(15)
    )
    body = {
        "organizer_tg_id": 123,
        "participant_tg_id": 456,
        "event_id": 10,
        "date": "2025-12-30",
        "time": "15:00:00",
    }
    response = api.post("/api/appointments/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "pending"
    assert (data["organizer_tg_id"], data["participant_tg_id"], data["event_id"]) == (
        123,
        456,
        event.pk,
    )
    assert (data["date"], data["time"]) == ("2025-12-30", "15:00:00")
    invitation = OutboxMessage.objects.get(chat_id=456)
    assert invitation.kind == "invitation"
    assert invitation.payload == {"appointment_id": data["id"]}

    busy = api.post("/api/appointments/", body, format="json")
    assert busy.status_code == 409
    assert busy.json()["code"] == "already_invited"


def test_a_participant_who_never_started_the_bot_gets_a_link_and_the_invitation_at_start(
    api, seed_people, settings
):
    """The seed's own example, for a profile made through the API: 201 pending with the
    link to forward; the bot delivers the invitation when they first press /start."""
    settings.TELEGRAM_BOT_USERNAME = "calendar_example_bot"
    organizer, _ = seed_people
    api.post("/api/users/", {"tg_id": 990003, "username": "newcomer"}, format="json")
    event = Event.objects.create(
        owner=organizer, name="Planning", date=dt.date(2030, 12, 30), time=dt.time(15)
    )
    body = {"organizer_tg_id": 123, "participant_tg_id": 990003, "event_id": event.pk}
    response = api.post("/api/appointments/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "pending"
    assert re.fullmatch(
        r"https://t\.me/calendar_example_bot\?start=i-[A-Za-z0-9_-]{22}", data["invite_url"]
    )
    assert not OutboxMessage.objects.exists()
    listed = api.get("/api/appointments/").json()["results"]
    assert [row["invite_url"] for row in listed] == [data["invite_url"]]

    note_bot_started(990003)
    assert OutboxMessage.objects.get().chat_id == 990003
    # A reachable participant's meeting has no link: the bot writes to them itself.
    other = api.post("/api/appointments/", body | {"participant_tg_id": 456}, format="json").json()
    assert other["invite_url"] is None


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"event_id": 999}, 400, "event_not_found", "event_id"),
        ({"organizer_tg_id": 999}, 400, "organizer_not_found", "organizer_tg_id"),
        ({"participant_tg_id": 999}, 400, "participant_not_found", "participant_tg_id"),
        ({"participant_tg_id": 123}, 400, "invite_self", "participant_tg_id"),
        ({"details": "x" * 501}, 400, "invalid", None),
        ({"date": "31.12.2025"}, 400, "invalid", None),
        ({"date": "9999-12-31", "time": "23:30:00"}, 400, "date_too_far", "date"),
        # Calendar programs cannot read such dates (khal refuses the whole file).
        ({"date": "0001-01-01"}, 400, "date_too_early", "date"),
        ({"date": "1899-12-31"}, 400, "date_too_early", "date"),
    ],
)
def test_appointment_rules_give_clear_errors(
    api, seed_people, tomorrow, change, status, code, field
):
    organizer, _ = seed_people
    event = make_event(organizer, tomorrow)
    body = {"organizer_tg_id": 123, "participant_tg_id": 456, "event_id": event.pk} | change
    response = api.post("/api/appointments/", body, format="json")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json().get("field") == field or field is None
    assert not Appointment.objects.exists()


def test_someone_elses_event_looks_missing(api, seed_people, make_user, tomorrow):
    stranger = make_user(789, "stranger")
    event = make_event(stranger, tomorrow)
    body = {"organizer_tg_id": 123, "participant_tg_id": 456, "event_id": event.pk}
    response = api.post("/api/appointments/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Event {event.pk} was not found.",
        "code": "event_not_found",
        "field": "event_id",
    }


def test_busy_participant_is_409(api, seed_people, tomorrow):
    organizer, _guest = seed_people
    first = make_event(organizer, tomorrow, "One")
    second = make_event(organizer, tomorrow, "Two")
    ok = api.post(
        "/api/appointments/",
        {"organizer_tg_id": 123, "participant_tg_id": 456, "event_id": first.pk},
        format="json",
    )
    assert ok.status_code == 201
    clash = api.post(
        "/api/appointments/",
        {"organizer_tg_id": 123, "participant_tg_id": 456, "event_id": second.pk},
        format="json",
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "participant_busy"
    assert clash.json()["field"] == "participant_tg_id"


# --- POST /api/export/token/ ----------------------------------------------------------


def test_export_token_returns_links(api, alice, settings):
    settings.SITE_BASE_URL = "https://cal.example"
    response = api.post("/api/export/token/", {"tg_user_id": alice.pk}, format="json")
    assert response.status_code == 201
    data = response.json()
    assert read_export_token(data["token"]) == alice.pk
    assert data["tg_user_id"] == alice.pk
    assert data["csv_url"].startswith("https://cal.example/export/csv/?token=")
    assert data["json_url"].startswith("https://cal.example/export/json/?token=")
    assert data["ics_url"].startswith("https://cal.example/export/ics/?token=")
    expires = dt.datetime.fromisoformat(data["expires_at"])
    remaining = expires - dt.datetime.now(dt.UTC)
    assert dt.timedelta(seconds=890) < remaining <= dt.timedelta(seconds=900)


@pytest.mark.parametrize(
    ("body", "code"),
    [({"tg_user_id": 31337}, "user_not_found"), ({"tg_user_id": -1}, "invalid"), ({}, "invalid")],
)
def test_export_token_for_unknown_or_bad_id_is_400(api, body, code):
    response = api.post("/api/export/token/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_export_token_issuance_is_throttled(api, alice, settings):
    settings.CALENDAR_THROTTLE_RATES = {"export_token": "2/minute", "export": None}
    for _ in range(2):
        assert api.post("/api/export/token/", {"tg_user_id": alice.pk}).status_code == 201
    response = api.post("/api/export/token/", {"tg_user_id": alice.pk})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_deleted_event_leaves_the_meeting_with_a_null_event_id(api, seed_people, tomorrow):
    organizer, guest = seed_people
    event = make_event(organizer, tomorrow)
    Appointment.objects.create(
        event=event, organizer=organizer, participant=guest, date=tomorrow, time=dt.time(10)
    )
    event.delete()
    row = api.get("/api/appointments/").json()["results"][0]
    assert row["event_id"] is None
    assert row["participant_tg_id"] == guest.pk


def test_null_event_id_is_a_clear_400(api, seed_people):
    body = {"organizer_tg_id": 123, "participant_tg_id": 456, "event_id": None}
    response = api.post("/api/appointments/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"event_id": ["An event id is required."]}


def test_forwarded_for_header_cannot_dodge_the_download_limit(client, alice, settings):
    from calendarapp.services.export_tokens import issue_export_token

    settings.CALENDAR_THROTTLE_RATES = {"export_token": None, "export": "1/minute"}
    token = issue_export_token(alice.pk).token
    assert client.get("/export/json/", {"token": token}).status_code == 200
    response = client.get("/export/json/", {"token": token}, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429
