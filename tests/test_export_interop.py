"""The exported files as other programs read them: khal (Debian's package, pytz inside),
icalendar, recurring-ical-events and vobject for the ICS export and feed, LibreOffice Calc
for the CSV. Every event must be at the same, right instant in each of them."""

import csv
import datetime as dt
import io
import json
import subprocess
import textwrap

import icalendar
import pytest
import recurring_ical_events
import vobject

from calendarapp.models import Appointment, Event
from calendarapp.services.appointments import create_appointment, respond_to_invitation
from calendarapp.services.events import create_event
from calendarapp.services.export_tokens import issue_export_token
from calendarapp.services.feeds import get_or_issue_feed
from calendarapp.services.users import set_user_timezone
from tests.support.programs import require_program

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def body(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.fixture
def calendar(alice, bob, make_user):
    """Alice (Berlin) with events in winter, summer 2040 and at both clock changes; meetings
    she accepted from Bob (New York) and Carol (Novosibirsk); one meeting stored before dates
    were limited, on 0001-01-01. Returns {UID: (start, end) in UTC}."""
    carol = make_user(1003, "carol", "Carol")
    set_user_timezone(tg_id=alice.pk, text="Europe/Berlin")
    set_user_timezone(tg_id=bob.pk, text="America/New_York")
    set_user_timezone(tg_id=carol.pk, text="Asia/Novosibirsk")
    expected = {}

    def event(name, date, time, start):
        made = create_event(owner_tg_id=alice.pk, name=name, date=date, time=time)
        expected[f"event-{made.pk}@calendar-bot"] = (start, start + dt.timedelta(hours=1))

    def meeting(organizer, date, time, start):
        party = create_event(owner_tg_id=organizer.pk, name=f"{organizer.first_name}'s",
                             date=date, time=time)  # fmt: skip
        invited = create_appointment(organizer_tg_id=organizer.pk, participant_tg_id=alice.pk,
                                     event_id=party.pk)  # fmt: skip
        respond_to_invitation(participant_tg_id=alice.pk, appointment_id=invited.pk, accept=True)
        expected[f"meeting-{invited.pk}@calendar-bot"] = (start, start + dt.timedelta(hours=1))

    event("Winter", dt.date(2027, 1, 10), dt.time(9), utc(2027, 1, 10, 8))
    event("Summer 2040", dt.date(2040, 7, 1), dt.time(12), utc(2040, 7, 1, 10))
    # 02:30 does not exist on 2027-03-28 (02:00 -> 03:00): it means 03:30 summer time.
    event("Spring edge", dt.date(2027, 3, 28), dt.time(2, 30), utc(2027, 3, 28, 1, 30))
    # 02:30 happens twice on 2027-10-31 (03:00 -> 02:00): it means the first, summer time.
    event("Autumn edge", dt.date(2027, 10, 31), dt.time(2, 30), utc(2027, 10, 31, 0, 30))
    meeting(bob, dt.date(2027, 1, 10), dt.time(9), utc(2027, 1, 10, 14))
    meeting(carol, dt.date(2027, 1, 10), dt.time(9), utc(2027, 1, 10, 2))
    meeting(bob, dt.date(2027, 3, 14), dt.time(2, 30), utc(2027, 3, 14, 7, 30))  # New York's gap

    bob.refresh_from_db()
    old = Event.objects.create(owner=bob, name="Old", date=dt.date(2027, 2, 1), time=dt.time(12))
    ancient = Appointment.objects.create(
        event=old, organizer=bob, participant=alice, date=dt.date(1, 1, 1), time=dt.time(12),
        status="confirmed",
    )  # fmt: skip
    # New York's local mean time in the year 1: UTC-4:56:02.
    start = utc(1, 1, 1, 16, 56, 2)
    expected[f"meeting-{ancient.pk}@calendar-bot"] = (start, start + dt.timedelta(hours=1))
    return alice, expected


@pytest.fixture
def files(client, calendar):
    """The ICS export and the feed of the calendar, with what each event must say."""
    owner, expected = calendar
    export = body(client.get("/export/ics/", {"token": issue_export_token(owner.pk).token}))
    feed = body(client.get(f"/feed/{get_or_issue_feed(owner.pk).token}.ics"))
    return {"export": export, "feed": feed}, expected


def as_utc(value) -> dt.datetime:
    assert isinstance(value, dt.datetime) and value.tzinfo is not None, value
    return value.astimezone(UTC)


def test_icalendar_reads_every_instant(files):
    raws, expected = files
    for raw in raws.values():
        calendar = icalendar.Calendar.from_ical(raw)
        assert "X-WR-TIMEZONE" not in calendar  # clients would reread UTC times in it
        read = {
            str(e["UID"]): (as_utc(e.decoded("DTSTART")), as_utc(e.decoded("DTEND")))
            for e in calendar.walk("VEVENT")
        }
        assert read == expected


def test_recurring_ical_events_reads_every_instant(files):
    raws, expected = files
    for raw in raws.values():
        calendar = icalendar.Calendar.from_ical(raw)
        # From a few hours into the year 1: the library moves the start back by the longest
        # event's length, which from midnight of the year 1 would overflow.
        events = recurring_ical_events.of(calendar).between((1, 1, 1, 6), (2100, 1, 1))
        read = {str(e["UID"]): (as_utc(e["DTSTART"].dt), as_utc(e["DTEND"].dt)) for e in events}
        assert read == expected


def test_vobject_reads_every_instant(files):
    raws, expected = files
    for raw in raws.values():
        calendar = vobject.readOne(raw.decode())
        read = {
            e.uid.value: (as_utc(e.dtstart.value), as_utc(e.dtend.value))
            for e in calendar.contents["vevent"]
        }
        assert read == expected


def khal_config(home):
    """A khal configuration with one calendar in `home`, shown in UTC so its listing compares
    with the instants as they are."""
    (home / "vdir").mkdir(parents=True)
    config = home / "config"
    config.write_text(textwrap.dedent(f"""\
        [calendars]
        [[bot]]
        path = {home / "vdir"}
        type = calendar
        [locale]
        local_timezone = UTC
        default_timezone = UTC
        timeformat = %H:%M
        dateformat = %Y-%m-%d
        longdateformat = %Y-%m-%d
        datetimeformat = %Y-%m-%d %H:%M
        longdatetimeformat = %Y-%m-%d %H:%M
        [sqlite]
        path = {home / "khal.db"}
        """))  # fmt: skip
    return config


def khal_with(khal: str, home, raw: bytes):
    """khal with `raw` imported into a calendar of its own in `home`; returns its listing:
    (format, first day, last day) -> the non-empty lines khal prints."""
    config = khal_config(home)
    (home / "calendar.ics").write_bytes(raw)
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    run = [khal, "-c", str(config)]
    imported = subprocess.run([*run, "import", "--batch", str(home / "calendar.ics")],
                              capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert imported.returncode == 0, imported.stderr

    def listing(form: str, first: str, last: str) -> list[str]:
        listed = subprocess.run(
            [*run, "list", "--format", form, "--day-format", "", first, last],
            capture_output=True, text=True, env=env, timeout=120, check=True,
        )  # fmt: skip
        return list(filter(None, listed.stdout.splitlines()))

    return listing


def test_khal_imports_every_event_at_its_instant(files, tmp_path):
    khal = require_program("khal", package="khal")
    raws, expected = files
    for name, raw in raws.items():
        listing = khal_with(khal, tmp_path / name, raw)
        read = {}
        # Only the years the calendar uses: khal's list walks its range day by day.
        for first, last in (("0001-01-01", "0001-01-03"), ("2027-01-01", "2041-01-01")):
            for line in listing("{uid}|{start-long}|{end-long}", first, last):
                uid, start, end = line.split("|")
                read[uid] = (start, end)
        assert read == {
            uid: tuple(f"{moment.year}-{moment:%m-%d %H:%M}" for moment in instants)
            for uid, instants in expected.items()
        }


TRICKY_NAME = 'Встреча; «важно» "в кавычках"'
TRICKY_DETAILS = 'Первая строка; ещё\nвторая "строка"\nтретья'


def test_libreoffice_opens_the_csv_with_cyrillic_quotes_semicolons_and_line_breaks(
    client, alice, bob, tomorrow, tmp_path
):
    soffice = require_program("soffice", package="libreoffice-calc")
    create_event(owner_tg_id=alice.pk, name=TRICKY_NAME, date=tomorrow, time=dt.time(9),
                 details=TRICKY_DETAILS)  # fmt: skip
    create_event(owner_tg_id=alice.pk, name="=1+2", date=tomorrow, time=dt.time(10))
    raw = body(client.get("/export/csv/", {"token": issue_export_token(alice.pk).token}))
    (tmp_path / "calendar.csv").write_bytes(raw)
    # Import as the text import dialog would be filled in: `;` between cells (59), `"`
    # around texts (34), Windows-1251 (LibreOffice's encoding number 34), from row 2 (the
    # `sep=;` line is Excel's). Written back as UTF-8 (76) with `|` (124) between cells.
    converted = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--infilter=CSV:59,34,34,2", "--convert-to", "csv:Text - txt - csv (StarCalc):124,34,76",
         "--outdir", str(tmp_path / "out"), str(tmp_path / "calendar.csv")],
        capture_output=True, text=True, timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert converted.returncode == 0, converted.stderr
    text = (tmp_path / "out" / "calendar.csv").read_text(encoding="utf-8")
    header, *rows = csv.reader(io.StringIO(text, newline=""), delimiter="|")
    assert header[:3] == ["type", "id", "name"] and header[-2:] == ["start_utc", "rrule"]
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(c["name"], c["details"]) for c in cells] == [
        (TRICKY_NAME, TRICKY_DETAILS),
        ("'=1+2", ""),  # shown as text, never run as a formula
    ]
    assert cells[0]["start_utc"] == f"{tomorrow.isoformat()}T06:00:00Z"  # 09:00 Moscow


def exported_series(client, alice, bob, *, edited: bool):
    """Series across both clock changes: Alice (Berlin) every Tuesday 10:00 until 10.11.2027
    with one Tuesday skipped, Bob (New York) on the last Friday of the month 9:00, 12 times.
    `edited`: one Tuesday moved to 18:00 and renamed, Alice's series split in September
    (11:00 from then on), one of Bob's Fridays moved to the Thursday before. Returns the
    owners' exports and, per UID, every instant our own lists give in 2027-2028."""
    from calendarapp.selectors.occurrences import series_occurrences
    from calendarapp.services.events import set_event_rule
    from calendarapp.services.series import edit_occurrences

    set_user_timezone(tg_id=alice.pk, text="Europe/Berlin")
    set_user_timezone(tg_id=bob.pk, text="America/New_York")
    tuesday = create_event(owner_tg_id=alice.pk, name="Yoga", date=dt.date(2027, 1, 5),
                           time=dt.time(10))  # fmt: skip
    set_event_rule(owner_tg_id=alice.pk, event_id=tuesday.pk,
                   rule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20271110T235959")  # fmt: skip
    Event.objects.filter(pk=tuesday.pk).update(exdates=["2027-03-30"])
    friday = create_event(owner_tg_id=bob.pk, name="Review", date=dt.date(2027, 1, 29),
                          time=dt.time(9))  # fmt: skip
    set_event_rule(owner_tg_id=bob.pk, event_id=friday.pk, rule="FREQ=MONTHLY;BYDAY=-1FR;COUNT=12")
    if edited:
        edit_occurrences(owner_tg_id=alice.pk, event_id=tuesday.pk, day=dt.date(2027, 6, 15),
                         scope="one", name="Yoga late", time=dt.time(18))  # fmt: skip
        edit_occurrences(owner_tg_id=alice.pk, event_id=tuesday.pk, day=dt.date(2027, 9, 7),
                         scope="following", time=dt.time(11))  # fmt: skip
        edit_occurrences(owner_tg_id=bob.pk, event_id=friday.pk, day=dt.date(2027, 5, 28),
                         scope="one", date=dt.date(2027, 5, 27))  # fmt: skip
    expected: dict[str, list] = {}
    first, last = dt.date(2027, 1, 1), dt.date(2028, 12, 31)
    for owner in (alice, bob):
        for item in series_occurrences(owner_tg_id=owner.pk, first=first, last=last,
                                       keep_ended=False):  # fmt: skip
            expected.setdefault(f"event-{item.pk}@calendar-bot", []).append(item.starts_at)
    for override in Event.objects.exclude(recurrence_of=None):
        expected[f"event-{override.recurrence_of_id}@calendar-bot"].append(override.starts_at)
    raws = [
        body(client.get("/export/ics/", {"token": issue_export_token(owner.pk).token}))
        for owner in (alice, bob)
    ]
    raws.append(body(client.get(f"/feed/{get_or_issue_feed(alice.pk).token}.ics")))
    return raws, {uid: sorted(moments) for uid, moments in expected.items()}


@pytest.fixture
def series_files(client, alice, bob):
    return exported_series(client, alice, bob, edited=False)


@pytest.fixture
def edited_series_files(client, alice, bob):
    return exported_series(client, alice, bob, edited=True)


def read_series(raws) -> dict[str, list]:
    """Every exported series expanded by recurring-ical-events over 2027-2028, per UID."""
    read: dict[str, set] = {}
    for raw in raws:
        calendar = icalendar.Calendar.from_ical(raw)
        for event in recurring_ical_events.of(calendar).between((2027, 1, 1), (2029, 1, 1)):
            read.setdefault(str(event["UID"]), set()).add(as_utc(event["DTSTART"].dt))
    return {uid: sorted(moments) for uid, moments in read.items()}


def test_series_expand_the_same_in_recurring_ical_events_as_in_ours(series_files):
    raws, expected = series_files
    assert read_series(raws) == expected
    tuesdays = next(m for uid, m in expected.items() if len(m) > 12)
    # 10:00 Berlin is 09:00 UTC in winter and 08:00 in summer; the skipped Tuesday is gone.
    assert utc(2027, 3, 23, 9) in tuesdays and utc(2027, 4, 6, 8) in tuesdays
    assert utc(2027, 3, 30, 8) not in tuesdays
    assert utc(2027, 10, 26, 8) in tuesdays and utc(2027, 11, 9, 9) in tuesdays
    assert utc(2027, 11, 16, 9) not in tuesdays


def test_overrides_and_split_series_expand_the_same_in_recurring_ical_events(
    edited_series_files,
):
    raws, expected = edited_series_files
    read = read_series(raws)
    assert read == expected
    assert len(read) == 3  # Alice's two series (split in September) and Bob's
    tuesdays = next(moments for moments in read.values() if utc(2027, 1, 5, 9) in moments)
    # The moved Tuesday at 18:00 summer time, not at 10:00; the rest after the split.
    assert utc(2027, 6, 15, 16) in tuesdays and utc(2027, 6, 15, 8) not in tuesdays
    assert max(tuesdays) == utc(2027, 8, 31, 8)
    assert utc(2027, 5, 27, 13) in next(m for m in read.values() if len(m) == 12)
    calendar = icalendar.Calendar.from_ical(raws[0])
    moved = next(e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" in e)
    assert moved["SUMMARY"] == "Yoga late" and moved.decoded("RECURRENCE-ID").tzinfo.key == (
        "Europe/Berlin"
    )
    assert all("SEQUENCE" in e and "DTSTAMP" in e for e in calendar.walk("VEVENT"))


@pytest.mark.parametrize("edited", [False, True])
def test_khal_expands_the_series_at_the_same_instants(client, alice, bob, edited, tmp_path):
    khal = require_program("khal", package="khal")
    raws, expected = exported_series(client, alice, bob, edited=edited)
    raws = raws[:2]  # the feed says the same as Alice's export
    home = tmp_path / "khal"
    config = khal_config(home)
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    run = [khal, "-c", str(config)]
    for number, raw in enumerate(raws):
        path = home / f"calendar{number}.ics"
        path.write_bytes(raw)
        imported = subprocess.run([*run, "import", "--batch", str(path)],
                                  capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
        assert imported.returncode == 0, imported.stderr
    listed = subprocess.run(
        [*run, "list", "--format", "{uid}|{start-long}", "--day-format", "",
         "2027-01-01", "2029-01-01"],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )  # fmt: skip
    read: dict[str, list] = {}
    for line in filter(None, listed.stdout.splitlines()):
        uid, start = line.split("|")
        read.setdefault(uid, []).append(start)
    assert {uid: sorted(starts) for uid, starts in read.items()} == {
        uid: [f"{moment:%Y-%m-%d %H:%M}" for moment in moments] for uid, moments in expected.items()
    }


def test_csv_and_json_keep_one_row_per_series_with_its_rule(client, series_files, alice):
    token = issue_export_token(alice.pk).token
    text = body(client.get("/export/csv/", {"token": token})).decode("cp1251")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][-1] == "rrule"
    assert [row[-1] for row in rows[2:]] == ["FREQ=WEEKLY;UNTIL=20271110T235959;BYDAY=TU"]
    data = json.loads(body(client.get("/export/json/", {"token": token})))
    assert [item["rrule"] for item in data["events"]] == [
        "FREQ=WEEKLY;UNTIL=20271110T235959;BYDAY=TU"
    ]
