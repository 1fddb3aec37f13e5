"""Security matrix, web side: one table row per endpoint and kind of caller.

Alice is the attacker, Bob the victim with a private and a public event. Every row says
who calls what and which 4xx must come back; after each call Bob's data must be unchanged
and his private event must not appear in the body. The bot's rows are in
tests/e2e/test_security_bot.py. Add a row when an endpoint is added.
"""

import datetime as dt
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import InterfaceError, OperationalError, ProgrammingError
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from calendarapp.models import Appointment, Event, OutboxMessage, TgUser
from calendarapp.services.events import create_event
from calendarapp.services.export_tokens import EXPORT_TOKEN_SALT, issue_export_token

pytestmark = pytest.mark.django_db

SECRET_NAME = "Bob's secret surgery"
XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"
SQL_LOOKING = ["'; DROP TABLE calendarapp_event; --", "1 OR 1=1", "Robert'); DELETE FROM users;--"]


@pytest.fixture
def people(alice, bob, tomorrow):
    """Bob's private and public events, and a meeting he organised with Alice's consent."""
    private = create_event(owner_tg_id=bob.pk, name=SECRET_NAME, date=tomorrow, time=dt.time(9, 0))
    public = create_event(
        owner_tg_id=bob.pk,
        name="Bob's open lecture",
        date=tomorrow,
        time=dt.time(10, 0),
        is_public=True,
    )
    return {"alice": alice, "bob": bob, "private": private, "public": public}


def snapshot() -> list[tuple]:
    """Everything a break-in could change: events, users, meetings."""
    return [
        list(
            Event.objects.order_by("pk").values_list(
                "pk", "owner_id", "name", "is_public", "capacity", "rsvp_closed"
            )
        ),
        list(TgUser.objects.order_by("pk").values_list("pk", "username", "first_name")),
        list(Appointment.objects.order_by("pk").values_list("pk", "status")),
    ]


def _client(kind: str) -> APIClient:
    client = APIClient()
    if kind == "plain token":  # an API account without staff rights
        user = get_user_model().objects.create_user("plain", password="x")
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    elif kind == "forged token":
        client.credentials(HTTP_AUTHORIZATION="Token " + "f" * 40)
    elif kind == "plain session":  # logged in to the site, but not staff
        user = get_user_model().objects.create_user("visitor", password="x")
        client.force_login(user)
    return client


CALLERS = ["anonymous", "plain token", "forged token", "plain session"]
# (method, url, body): every endpoint that needs staff. Anonymous gets 401, an account
# without staff rights 403, a forged token 401; a session without staff rights 403.
STAFF_ONLY = [
    ("get", "/api/users/", None),
    ("get", "/api/users/?username=bob", None),
    ("post", "/api/users/", {"tg_id": 1002, "username": "hijacked"}),
    ("get", "/api/appointments/?participant_tg_id=1002", None),
    (
        "post",
        "/api/appointments/",
        {"organizer_tg_id": 1002, "participant_tg_id": 1001, "event_id": 0, "date": "2031-01-01"},
    ),
    ("post", "/api/export/token/", {"tg_user_id": 1002}),
    ("post", "/api/import/", {"tg_user_id": 1002, "url": "https://example.com/cal.ics"}),
    (
        "post",
        "/api/events/",
        {"owner_tg_id": 1002, "name": "hijacked", "date": "2031-01-01", "time": "10:00"},
    ),
    ("patch", "/api/events/{private}/", {"capacity": 1, "rsvp_closed": True}),
]
EXPECTED = {"anonymous": 401, "plain token": 403, "forged token": 401, "plain session": 403}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "url", "body"), STAFF_ONLY)
def test_staff_endpoints_refuse_everyone_else(people, caller, method, url, body):
    if "event_id" in (body or {}):
        body = body | {"event_id": people["private"].pk}
    url = url.format(private=people["private"].pk)
    before = snapshot()
    response = getattr(_client(caller), method)(url, body, format="json")
    assert response.status_code == EXPECTED[caller], response.content
    assert SECRET_NAME.encode() not in response.content
    assert b"csv_url" not in response.content
    assert snapshot() == before


# Write methods on the public list: nobody, not even staff, changes events over the API.
@pytest.mark.parametrize("caller", ["anonymous", "plain token", "staff"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_public_events_are_read_only_for_everyone(people, api, caller, method):
    client = api if caller == "staff" else _client(caller)
    before = snapshot()
    body = {"name": "defaced", "is_public": True, "id": people["private"].pk}
    response = getattr(client, method)("/api/events/public/", body, format="json")
    assert 400 <= response.status_code < 500
    assert snapshot() == before


# Reading the public list with filters aimed at Bob's private event never shows it.
@pytest.mark.parametrize(
    "query",
    [
        "",
        "?owner_tg_id=1002",
        "?search=secret",
        "?search=surgery&owner_tg_id=1002",
        "?ordering=-id&page_size=100",
        "?id={private}",
        "?is_public=false",
        "?is_public=0&owner_tg_id=1002",
        "?date_to=2099-01-01&owner_tg_id=1002",
    ],
)
def test_public_list_never_shows_a_private_event(people, query):
    url = "/api/events/public/" + query.format(private=people["private"].pk)
    response = APIClient().get(url)
    assert response.status_code in (200, 400)
    assert SECRET_NAME.encode() not in response.content
    if response.status_code == 200:
        ids = [event["id"] for event in response.json()["results"]]
        assert people["private"].pk not in ids


# --- meetings: Alice's invitations with Bob's events (even through a staff client) ---------
CAROL = 1003
# (label, body): organiser Alice; {private} / {public} are Bob's events.
CROSS_USER_INVITES = [
    ("Carol to Bob's private event", {"participant_tg_id": CAROL, "event_id": "{private}"}),
    ("Carol to Bob's public event", {"participant_tg_id": CAROL, "event_id": "{public}"}),
    ("Bob to his own private event", {"participant_tg_id": 1002, "event_id": "{private}"}),
    (
        "Bob's event at another moment",
        {
            "participant_tg_id": CAROL,
            "event_id": "{private}",
            "date": "2031-01-01",
            "time": "12:00",
        },
    ),
]


def _invite_body(people, body: dict) -> dict:
    ids = {"{private}": people["private"].pk, "{public}": people["public"].pk}
    return {"organizer_tg_id": 1001} | {k: ids.get(v, v) for k, v in body.items()}


@pytest.mark.parametrize(
    ("label", "body"), CROSS_USER_INVITES, ids=[r[0] for r in CROSS_USER_INVITES]
)
def test_invitations_with_someone_elses_event_are_refused(api, people, make_user, label, body):
    make_user(CAROL, "carol", "Carol")
    before = snapshot(), OutboxMessage.objects.count()
    body = _invite_body(people, body)
    response = api.post("/api/appointments/", body, format="json")
    assert response.status_code == 400, response.content
    # Exactly the answer for an event that never existed: only the number differs.
    missing = api.post("/api/appointments/", body | {"event_id": 987_654_321}, format="json")
    event_id = str(body["event_id"])
    assert response.content.replace(event_id.encode(), b"N") == missing.content.replace(
        b"987654321", b"N"
    )
    assert response.json()["code"] == "event_not_found"
    assert SECRET_NAME.encode() not in response.content
    assert b"open lecture" not in response.content
    assert (snapshot(), OutboxMessage.objects.count()) == before  # nobody was told anything


@pytest.mark.parametrize("which", ["private", "public"])
def test_answer_settings_of_someone_elses_event_look_missing(api, people, which):
    """Staff acting for Alice cannot change Bob's events' seats or close their answers."""
    before = snapshot(), OutboxMessage.objects.count()
    body = {"owner_tg_id": people["alice"].pk, "capacity": 1, "rsvp_closed": True}
    event_id = people[which].pk
    response = api.patch(f"/api/events/{event_id}/", body, format="json")
    missing = api.patch("/api/events/987654321/", body, format="json")
    assert response.status_code == 404, response.content
    assert response.content.replace(str(event_id).encode(), b"N") == missing.content.replace(
        b"987654321", b"N"
    )
    assert SECRET_NAME.encode() not in response.content
    assert (snapshot(), OutboxMessage.objects.count()) == before


def test_meetings_list_filters_cannot_widen_a_query(api, people, make_user):
    """A staff client may list everyone's meetings (that is its job); junk in the filters is
    a 400 with a reason, never a 500 or a list that ignored the filter."""
    make_user(CAROL, "carol", "Carol")
    from calendarapp.services.appointments import create_appointment

    create_appointment(organizer_tg_id=1002, participant_tg_id=CAROL, event_id=people["private"].pk)
    for query in [
        "participant_tg_id=1001",
        "organizer_tg_id=1001",
        "participant_tg_id=1001&status=pending",
    ]:
        response = api.get(f"/api/appointments/?{query}")
        assert response.status_code == 200
        assert response.json()["results"] == [], query
    for query in ["participant_tg_id=abc", "organizer_tg_id=1%20OR%201=1", "status=';--"]:
        response = api.get(f"/api/appointments/?{query}")
        assert response.status_code == 400, (query, response.content)


# --- export links -----------------------------------------------------------------------
def _forged_tokens(alice_id: int, bob_id: int) -> dict[str, str]:
    """Ways to try to get Bob's calendar with what Alice can see or make."""
    own = issue_export_token(alice_id).token
    payload, stamp, signature = own.split(":")
    bobs_payload = issue_export_token(bob_id).token.split(":")[0]
    other_key = signing.TimestampSigner(key="not-the-secret-key", salt=EXPORT_TOKEN_SALT)
    other_salt = signing.TimestampSigner(salt="django.core.signing")
    return {
        "Bob's payload with Alice's signature": f"{bobs_payload}:{stamp}:{signature}",
        "signed with another key": other_key.sign_object({"tg_user_id": bob_id}),
        "signed with another salt": other_salt.sign_object({"tg_user_id": bob_id}),
        "unsigned payload": f"{bobs_payload}:{stamp}:",
        "Alice's token plus Bob's id": f"{own}&tg_user_id={bob_id}",
        "Bob's id alone": str(bob_id),
        "truncated signature": f"{payload}:{stamp}:{signature[:10]}",
        "future timestamp": f"{payload}:{'z' * 6}:{signature}",
    }


@pytest.mark.parametrize("fmt", ["csv", "json", "ics"])
def test_forged_export_tokens_are_refused(client, people, fmt):
    for label, token in _forged_tokens(people["alice"].pk, people["bob"].pk).items():
        response = client.get(f"/export/{fmt}/", {"token": token})
        assert response.status_code in (400, 403), label
        assert SECRET_NAME.encode() not in response.content, label


@pytest.mark.parametrize("fmt", ["csv", "json", "ics"])
def test_alices_link_exports_only_alices_calendar(client, people, fmt):
    response = client.get(
        f"/export/{fmt}/", {"token": issue_export_token(people["alice"].pk).token}
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8", "replace")
    assert "surgery" not in content and "open lecture" not in content


def test_replayed_token_works_only_until_it_expires(client, people, monkeypatch, settings):
    """A link is a bearer credential for its lifetime (stateless by design), never after."""
    settings.EXPORT_TOKEN_MAX_AGE = 60
    token = issue_export_token(people["bob"].pk).token
    for _ in range(2):  # replayed within its lifetime: the same calendar, nobody else's
        assert client.get("/export/json/", {"token": token}).status_code == 200
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 61)
    for fmt in ("csv", "json", "ics"):
        response = client.get(f"/export/{fmt}/", {"token": token})
        assert response.status_code == 403
        assert response.json()["code"] == "token_expired"


# --- calendar feed links (/feed/<token>.ics) -------------------------------------------
def test_forged_feed_links_are_bare_404s(client, people):
    from calendarapp.services.feeds import get_or_issue_feed

    bobs = get_or_issue_feed(people["bob"].pk).token
    alices = get_or_issue_feed(people["alice"].pk).token
    for token in [
        bobs[:-1] + ("A" if bobs[-1] != "A" else "B"),
        alices + "x",
        "x" * 43,
        "1002",
        "../1002",
        "%00",
        "a" * 600,
    ]:
        response = client.get(f"/feed/{token}.ics")
        assert response.status_code == 404, token
        assert SECRET_NAME.encode() not in response.content
    own = client.get(f"/feed/{alices}.ics")
    assert own.status_code == 200
    assert b"surgery" not in b"".join(own.streaming_content)


# --- admin: CSRF and escaping ------------------------------------------------------------
@pytest.fixture
def csrf_admin(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    return client


def _csrf_token(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.cookies["csrftoken"].value


ADMIN_FORMS = [
    # (url name, args from the fixture, form data): every admin form that writes.
    ("admin:calendarapp_tguser_change", "bob", {"username": "pwned", "first_name": "P"}),
    ("admin:calendarapp_tguser_delete", "bob", {"post": "yes"}),
    ("admin:calendarapp_tguser_add", None, {"tg_id": 31337, "timezone": "UTC"}),
    ("admin:calendarapp_appointment_delete", "meeting", {"post": "yes"}),
    ("admin:logout", None, {}),
]


@pytest.mark.parametrize(("name", "arg", "data"), ADMIN_FORMS)
def test_admin_forms_refuse_posts_without_csrf_token(csrf_admin, people, tomorrow, name, arg, data):
    meeting = Appointment.objects.create(
        event=people["public"],
        organizer=people["bob"],
        participant=people["alice"],
        date=tomorrow,
        time=dt.time(10),
    )
    target = {"bob": people["bob"].pk, "meeting": meeting.pk, None: None}[arg]
    url = reverse(name, args=[target] if target is not None else [])
    before = snapshot()
    response = csrf_admin.post(url, data)
    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert snapshot() == before
    # With the token (as the real form sends it) the same post goes through: the check is
    # what refused it, not a broken form.
    if name.endswith("_delete"):
        token = _csrf_token(csrf_admin, url)
        response = csrf_admin.post(url, data | {"csrfmiddlewaretoken": token})
        assert response.status_code == 302
        assert snapshot() != before


def test_admin_login_form_needs_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "admin", "password": "password"})
    assert response.status_code == 403


@pytest.fixture
def xss_event(bob, tomorrow):
    bob.first_name = XSS
    bob.save()
    return create_event(
        owner_tg_id=bob.pk,
        name=XSS[:200],
        date=tomorrow,
        time=dt.time(12),
        details=XSS,
        is_public=True,
    )


def _assert_escaped(html: bytes) -> None:
    assert b"<script>alert(" not in html
    assert b"<img src=x onerror" not in html
    assert b"&lt;script&gt;alert(" in html


@pytest.mark.parametrize(
    "page",
    [
        ("admin:calendarapp_event_changelist", None),
        ("admin:calendarapp_event_change", "event"),
        ("admin:calendarapp_tguser_changelist", None),
        ("admin:calendarapp_tguser_change", "owner"),
    ],
)
def test_html_in_names_is_escaped_in_admin(admin_client, xss_event, page):
    name, arg = page
    args = {"event": [xss_event.pk], "owner": [xss_event.owner_id], None: []}[arg]
    response = admin_client.get(reverse(name, args=args))
    assert response.status_code == 200
    _assert_escaped(response.content)


def test_html_in_names_is_escaped_in_the_browsable_api(xss_event):
    response = APIClient().get("/api/events/public/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    _assert_escaped(response.content)
    # JSON carries the name verbatim: escaping is the renderer's job, not the data's.
    data = APIClient().get("/api/events/public/").json()
    assert data["results"][0]["name"] == XSS[:200]


@pytest.mark.parametrize("text", SQL_LOOKING)
def test_sql_looking_strings_are_stored_verbatim(api, alice, tomorrow, text):
    event = create_event(
        owner_tg_id=alice.pk, name=text, date=tomorrow, time=dt.time(8), details=text
    )
    event.refresh_from_db()
    assert (event.name, event.details) == (text, text)
    response = api.post("/api/users/", {"tg_id": 4242, "first_name": text}, format="json")
    assert response.status_code == 201
    assert TgUser.objects.get(pk=4242).first_name == text
    # As a search term it is a plain substring: it finds nothing else, breaks nothing.
    found = APIClient().get("/api/events/public/", {"search": text})
    assert found.status_code == 200 and found.json()["count"] == 0
    assert Event.objects.count() == 1 and TgUser.objects.count() == 2


@settings(max_examples=150, deadline=None)
@given(
    token=st.one_of(
        st.text(max_size=600),
        st.lists(
            st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_=:", max_size=80),
            min_size=3,
            max_size=3,
        ).map(":".join),
    )
)
def test_junk_export_tokens_are_refused_never_a_crash(token):
    client = Client(raise_request_exception=False)
    no_limits = {"export_token": None, "export": None}  # the throttle would answer 429 first
    with override_settings(CALENDAR_THROTTLE_RATES=no_limits):
        for fmt in ("csv", "json", "ics"):
            response = client.get(f"/export/{fmt}/", {"token": token})
            assert response.status_code in (400, 403), (token, response.status_code)
            assert response["Content-Type"].startswith("application/json")


# --- the database away (a restart): 503 with Retry-After, never a 500 --------------------
@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("/api/events/public/", "calendarapp.api.views.public_events_listing"),
        ("/admin/calendarapp/event/", "calendarapp.admin.EventAdmin.get_queryset"),
    ],
)
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_database_outage_is_503_with_retry_after(admin_client, monkeypatch, url, target, error):
    def away(*args, **kwargs):
        raise error("terminating connection due to administrator command")

    monkeypatch.setattr(target, away)
    admin_client.raise_request_exception = False
    response = admin_client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    if url.startswith("/api/"):
        assert response.json()["code"] == "database_unavailable"


def test_a_bug_in_the_database_layer_is_still_a_500(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ProgrammingError("column does not exist")

    monkeypatch.setattr("calendarapp.api.views.public_events_listing", broken)
    client.raise_request_exception = False
    assert client.get("/api/events/public/").status_code == 500
