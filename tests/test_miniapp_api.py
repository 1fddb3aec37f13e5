"""The Mini App's data: signed in by Telegram's initData on every request, and allowed to
see and change exactly what the bot allows (own events; others' public ones read only)."""

import datetime as dt
import json
import time

import pytest
from django.utils import timezone

from calendarapp.models import Event
from calendarapp.services.appointments import create_appointment, respond_to_invitation
from calendarapp.services.events import create_event
from calendarapp.services.users import set_user_timezone
from tests.support.miniapp import TOKEN, header, sign_init_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _token(settings):
    settings.TELEGRAM_BOT_TOKEN = TOKEN


def signed(tg_id: int, **extra) -> dict:
    return header(sign_init_data(tg_id=tg_id, **extra))


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def post(client, path, body, tg_id):
    return client.post(path, json.dumps(body), content_type="application/json", **signed(tg_id))


def patch(client, path, body, tg_id):
    return client.patch(path, json.dumps(body), content_type="application/json", **signed(tg_id))


def test_the_page_is_served_to_telegram_and_loads_telegrams_script(client):
    response = client.get("/app/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'src="https://telegram.org/js/telegram-web-app.js"' in body
    policy = response["Content-Security-Policy"]
    assert "https://telegram.org" in policy.split("script-src", 1)[1].split(";", 1)[0]
    # Telegram's web clients show the app in a frame: that frame is allowed, others are not.
    assert "frame-ancestors https://web.telegram.org" in policy
    assert "X-Frame-Options" not in response


def test_a_signed_in_person_gets_their_own_profile(client, alice):
    response = client.get("/app/api/me", **signed(alice.tg_id))
    assert response.status_code == 200
    assert response.json()["tg_id"] == alice.tg_id
    assert response.json()["language"] == "ru"


@pytest.mark.parametrize(
    ("make_header", "code"),
    [
        (lambda tg_id: {}, "not_authenticated"),
        (
            lambda tg_id: header(
                f"user=%7B%22id%22%3A{tg_id}%7D&auth_date={int(time.time())}&hash=00"
            ),
            "init_data_invalid",
        ),
        (lambda tg_id: header(sign_init_data(tg_id=tg_id, token="999:OTHER")), "init_data_invalid"),
        (
            lambda tg_id: header(sign_init_data(tg_id=tg_id).replace(str(tg_id), "1002", 1)),
            "init_data_invalid",
        ),
        (
            lambda tg_id: header(sign_init_data(tg_id=tg_id, auth_date=int(time.time()) - 7200)),
            "init_data_expired",
        ),
        (lambda tg_id: {"HTTP_AUTHORIZATION": "tma"}, "init_data_invalid"),
        (
            lambda tg_id: {"HTTP_AUTHORIZATION": "tma ééé".encode().decode("latin-1")},
            "init_data_invalid",
        ),
    ],
    ids=["missing", "garbage", "other-bot", "tampered-user", "too-old", "empty", "non-ascii"],
)
def test_a_forged_or_stale_sign_in_is_refused_with_401(client, alice, bob, make_header, code):
    create_event(owner_tg_id=alice.tg_id, name="Secret", date=in_days(1), time=dt.time(9))
    response = client.get("/app/api/me", **make_header(alice.tg_id))
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response["Content-Language"] == "en"  # as the REST API: the page maps the code
    listing = client.get(
        f"/app/api/calendar?start={in_days(0)}&end={in_days(5)}", **make_header(alice.tg_id)
    )
    assert listing.status_code == 401
    assert "Secret" not in listing.content.decode()


def test_the_age_limit_is_configurable(client, alice, settings):
    settings.MINIAPP_INIT_DATA_MAX_AGE = 60
    old = signed(alice.tg_id, auth_date=int(time.time()) - 120)
    assert client.get("/app/api/me", **old).json()["code"] == "init_data_expired"


def test_someone_who_never_pressed_start_is_told_to(client):
    response = client.get("/app/api/me", **signed(555000))
    assert response.status_code == 403
    assert response.json()["code"] == "not_registered"


def test_an_admin_session_cookie_is_not_a_sign_in(client, admin_user):
    """State changes need the signed initData: a logged-in browser session (which a
    forged cross-site form would ride on) gets nothing."""
    client.force_login(admin_user)
    response = client.post(
        "/app/api/events",
        json.dumps({"name": "x", "date": str(in_days(1)), "time": "10:00"}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert not Event.objects.exists()


def test_create_then_see_it_in_the_month_and_change_it(client, alice):
    response = post(
        client,
        "/app/api/events",
        {"name": "Стоматолог", "date": str(in_days(3)), "time": "18:30", "details": "каб. 5"},
        alice.tg_id,
    )
    assert response.status_code == 201, response.content
    event = Event.objects.get(owner=alice)
    assert (event.name, event.time, event.details) == ("Стоматолог", dt.time(18, 30), "каб. 5")
    assert event.reminder_minutes == alice.default_reminder_minutes  # /settings' default

    month = client.get(
        f"/app/api/calendar?start={in_days(0)}&end={in_days(30)}", **signed(alice.tg_id)
    ).json()["entries"]
    assert month == [
        {
            "kind": "event",
            "id": event.pk,
            "name": "Стоматолог",
            "date": str(in_days(3)),
            "time": "18:30",
            "is_public": False,
            "repeats": False,  # an occurrence of a series says True
        }
    ]

    changed = patch(
        client,
        f"/app/api/events/{event.pk}",
        {"time": "19:00", "is_public": True, "reminder_minutes": 10},
        alice.tg_id,
    )
    assert changed.status_code == 200, changed.content
    event.refresh_from_db()
    assert (event.time, event.is_public, event.reminder_minutes) == (dt.time(19), True, 10)

    assert client.delete(f"/app/api/events/{event.pk}", **signed(alice.tg_id)).status_code == 204
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "   ", "date": "+1", "time": "10:00"}, 400, "name"),
        ({"name": "x", "date": "-1", "time": "10:00"}, 400, "date"),
        ({"name": "x", "date": "+1", "time": "12:00+03:00"}, 400, "time"),
        ({"name": "x", "date": "१२३४-01-01", "time": "10:00"}, 400, "date"),
        ({"name": "x" * 5000, "date": "+1", "time": "10:00"}, 400, "name"),
        (
            {"name": "x", "date": "+1", "time": "10:00", "reminder_minutes": 7},
            400,
            "reminder_minutes",
        ),
    ],
    ids=["empty-name", "past-day", "offset", "devanagari", "huge-name", "odd-reminder"],
)
def test_bad_form_input_is_refused_naming_the_field(client, alice, body, status, field):
    body = dict(body)
    if body["date"] in ("+1", "-1"):
        body["date"] = str(in_days(int(body["date"])))
    response = post(client, "/app/api/events", body, alice.tg_id)
    assert response.status_code == status, response.content
    error = response.json()
    assert error.get("field") == field or field in error.get("errors", {}), error
    assert not Event.objects.exists()


def test_the_calendar_window_is_bounded_and_checked(client, alice):
    too_long = client.get(
        f"/app/api/calendar?start={in_days(0)}&end={in_days(400)}", **signed(alice.tg_id)
    )
    assert too_long.status_code == 400
    junk = client.get("/app/api/calendar?start=soon&end=later", **signed(alice.tg_id))
    assert junk.status_code == 400
    assert set(junk.json()["errors"]) == {"start", "end"}


def test_a_meeting_shows_on_the_guests_clock(client, make_user):
    organiser = make_user(2001, "org")
    guest = make_user(2002, "guest")
    set_user_timezone(tg_id=organiser.tg_id, text="Europe/Berlin")
    set_user_timezone(tg_id=guest.tg_id, text="Europe/Moscow")
    day = in_days(5)
    event = create_event(owner_tg_id=organiser.tg_id, name="Созвон", date=day, time=dt.time(19))
    meeting = create_appointment(
        organizer_tg_id=organiser.tg_id, participant_tg_id=guest.tg_id, event_id=event.pk
    )
    respond_to_invitation(participant_tg_id=guest.tg_id, appointment_id=meeting.pk, accept=True)
    entries = client.get(f"/app/api/calendar?start={day}&end={day}", **signed(guest.tg_id)).json()[
        "entries"
    ]
    assert [(e["kind"], e["name"], e["time"]) for e in entries] == [("meeting", "Созвон", "21:00")]


# Who may do what to an event in the app: the same rules as the bot and the API.
MATRIX = [
    # (whose event, public?, method, expected status)
    ("own", False, "GET", 200),
    ("own", False, "PATCH", 200),
    ("own", False, "DELETE", 204),
    ("other", True, "GET", 200),
    ("other", True, "PATCH", 404),
    ("other", True, "DELETE", 404),
    ("other", False, "GET", 404),
    ("other", False, "PATCH", 404),
    ("other", False, "DELETE", 404),
]


@pytest.mark.parametrize(("whose", "public", "method", "status"), MATRIX)
def test_object_level_rules(client, alice, bob, whose, public, method, status):
    owner = alice if whose == "own" else bob
    event = create_event(
        owner_tg_id=owner.tg_id, name="Plan", date=in_days(2), time=dt.time(10), is_public=public
    )
    path = f"/app/api/events/{event.pk}"
    if method == "GET":
        response = client.get(path, **signed(alice.tg_id))
    elif method == "PATCH":
        response = patch(client, path, {"name": "Hijacked"}, alice.tg_id)
    else:
        response = client.delete(path, **signed(alice.tg_id))
    assert response.status_code == status, response.content
    if whose == "other":
        assert Event.objects.get(pk=event.pk).name == "Plan"  # untouched
        if status == 200:
            assert response.json()["can_edit"] is False
            assert "guests" not in response.json()


def test_the_organiser_sets_the_seats_and_closes_answers(client, alice, bob):
    from calendarapp.models import Rsvp
    from tests.test_api_rsvp import event_of, press

    event = event_of(alice, in_days(2), capacity=1)
    press(event, 7001, "going")
    press(event, 7002, "going")
    assert Rsvp.objects.get(event=event, person_id=7002).answer == Rsvp.Answer.WAITING
    path = f"/app/api/events/{event.pk}"
    shown = client.get(path, **signed(alice.tg_id)).json()
    assert (shown["capacity"], shown["rsvp_closed"]) == (1, False)

    changed = patch(client, path, {"capacity": 2, "rsvp_closed": True}, alice.tg_id)
    assert changed.status_code == 200, changed.content
    assert (changed.json()["capacity"], changed.json()["rsvp_closed"]) == (2, True)
    event.refresh_from_db()
    assert (event.capacity, event.rsvp_closed) == (2, True)
    # Through the bot's service: the one waiting took the freed seat.
    assert Rsvp.objects.get(event=event, person_id=7002).answer == Rsvp.Answer.GOING

    lifted = patch(client, path, {"capacity": None, "rsvp_closed": False}, alice.tg_id).json()
    assert (lifted["capacity"], lifted["rsvp_closed"]) == (None, False)
    untouched = patch(client, path, {"name": "Party!"}, alice.tg_id).json()
    assert (untouched["name"], untouched["capacity"], untouched["rsvp_closed"]) == (
        "Party!", None, False
    )  # fmt: skip
    # Someone else sees neither setting.
    assert "capacity" not in client.get(path, **signed(bob.tg_id)).json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": 100_001}, "capacity"),
        ({"capacity": 10**30}, "capacity"),
        ({"capacity": "ten"}, "capacity"),
        ({"capacity": "5.0"}, "capacity"),
        ({"capacity": 5.5}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"capacity": [3]}, "capacity"),
        ({"rsvp_closed": "maybe"}, "rsvp_closed"),
        ({"rsvp_closed": None}, "rsvp_closed"),
        ({"time": "19:30", "rsvp_closed": True, "capacity": -5}, "capacity"),  # nothing applied
    ],
)
def test_bad_answer_settings_are_a_400_naming_the_field(client, alice, body, field):
    event = create_event(owner_tg_id=alice.tg_id, name="Party", date=in_days(2), time=dt.time(19))
    response = patch(client, f"/app/api/events/{event.pk}", body, alice.tg_id)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == [field]
    event.refresh_from_db()
    assert (event.capacity, event.rsvp_closed, event.time) == (None, False, dt.time(19))


@pytest.mark.parametrize("public", [True, False])
def test_someone_elses_answer_settings_look_missing(client, alice, bob, public):
    event = create_event(owner_tg_id=bob.tg_id, name="Plan", date=in_days(2), time=dt.time(10),
                         is_public=public)  # fmt: skip
    response = patch(client, f"/app/api/events/{event.pk}", {"capacity": 3}, alice.tg_id)
    assert response.status_code == 404, response.content
    missing = patch(client, f"/app/api/events/{event.pk + 999}", {"capacity": 3}, alice.tg_id)
    assert (missing.status_code, missing.json()["code"]) == (404, response.json()["code"])
    event.refresh_from_db()
    assert (event.capacity, event.rsvp_closed) == (None, False)
