"""Reminders as VALARMs in the ICS download (read by icalendar and khal), not in the feed."""

import datetime as dt

import icalendar
import pytest

from calendarapp.models import Event
from calendarapp.services.events import create_event
from calendarapp.services.export_tokens import issue_export_token
from calendarapp.services.feeds import get_or_issue_feed
from calendarapp.services.reminders import set_leads
from calendarapp.services.users import set_user_timezone
from tests.support.programs import require_program
from tests.test_export_interop import body, khal_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(client, alice):
    set_user_timezone(tg_id=alice.pk, text="Europe/Berlin")
    flight = create_event(
        owner_tg_id=alice.pk, name="Flight", date=dt.date(2027, 6, 10), time=dt.time(10),
        leads=[10, 1440],
    )  # fmt: skip
    yoga = create_event(
        owner_tg_id=alice.pk, name="Yoga", date=dt.date(2027, 6, 8), time=dt.time(9),
        leads=[60], rrule="FREQ=WEEKLY;COUNT=3",
    )  # fmt: skip
    quiet = create_event(
        owner_tg_id=alice.pk, name="Quiet", date=dt.date(2027, 6, 9), time=dt.time(9), leads=[]
    )
    export = body(client.get("/export/ics/", {"token": issue_export_token(alice.pk).token}))
    feed = body(client.get(f"/feed/{get_or_issue_feed(alice.pk).token}.ics"))
    uids = {f"event-{e.pk}@calendar-bot": e.name for e in (flight, yoga, quiet)}
    return export, feed, uids


def alarms_by_name(raw: bytes, uids: dict[str, str]) -> dict[str, list]:
    found = {}
    for event in icalendar.Calendar.from_ical(raw).walk("VEVENT"):
        found[uids[str(event["UID"])]] = [
            (str(alarm["ACTION"]), alarm["TRIGGER"].dt, str(alarm["DESCRIPTION"]))
            for alarm in event.walk("VALARM")
        ]
    return found


def test_the_download_carries_a_valarm_per_reminder(files):
    export, _feed, uids = files
    assert alarms_by_name(export, uids) == {
        "Flight": [
            ("DISPLAY", -dt.timedelta(days=1), "Flight"),
            ("DISPLAY", -dt.timedelta(minutes=10), "Flight"),
        ],
        "Yoga": [("DISPLAY", -dt.timedelta(hours=1), "Yoga")],
        "Quiet": [],
    }
    assert b"TRIGGER:-P1D" in export and b"TRIGGER:-PT10M" in export


def test_a_changed_reminder_is_in_the_next_download(client, alice, files):
    # The event's row is unchanged: the VEVENT text kept from the first download must not
    # be served again without the new VALARM.
    _export, _feed, uids = files
    set_leads(event=Event.objects.get(name="Quiet"), leads=[30])
    again = body(client.get("/export/ics/", {"token": issue_export_token(alice.pk).token}))
    assert alarms_by_name(again, uids)["Quiet"] == [("DISPLAY", -dt.timedelta(minutes=30), "Quiet")]


def test_the_feed_carries_none(files):
    _export, feed, uids = files
    assert set(alarms_by_name(feed, uids)) == {"Flight", "Yoga", "Quiet"}
    assert b"VALARM" not in feed


def test_khal_sees_the_alarms(files, tmp_path):
    khal = require_program("khal", package="khal")
    export, _feed, _uids = files
    listing = khal_with(khal, tmp_path / "khal", export)
    lines = sorted(set(listing("{title}|{alarm-symbol}", "2027-06-01", "2027-07-01")))
    assert [line.split("|")[0] for line in lines] == ["Flight", "Quiet", "Yoga"]
    alarming = {line.split("|")[0]: bool(line.split("|")[1].strip()) for line in lines}
    assert alarming == {"Flight": True, "Quiet": False, "Yoga": True}
