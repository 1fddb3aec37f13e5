""".ics import of VALARMs (services.ics_read, services.imports): a VEVENT's relative alarms
before its start become its lead times instead of the owner's default, adjusted to the
offered ones; others are left out with a note in the preview."""

import datetime as dt

import pytest
from django.utils import translation

from calendarapp.bot.features.events.importing import preview_text
from calendarapp.models import Event, Reminder
from calendarapp.services import imports
from calendarapp.services.events import create_event
from calendarapp.services.export_tokens import issue_export_token
from calendarapp.services.reminders import set_default_reminder
from calendarapp.services.users import set_user_timezone
from tests.test_export_interop import body
from tests.test_imports import calendar, event, fixture

pytestmark = pytest.mark.django_db


def leads_by_name(owner) -> dict[str, list[int]]:
    return {e.name: e.leads for e in Event.objects.filter(owner=owner).order_by("name")}


def test_our_download_imported_by_someone_else_has_the_same_lead_times(client, alice, bob):
    set_user_timezone(tg_id=alice.pk, text="Europe/Berlin")
    for name, day, leads, rule in [
        ("Flight", dt.date(2027, 6, 10), [10, 1440], ""),
        ("Yoga", dt.date(2027, 6, 8), [60], "FREQ=WEEKLY;COUNT=3"),
        ("Quiet", dt.date(2027, 6, 9), [], ""),
    ]:
        create_event(owner_tg_id=alice.pk, name=name, date=day, time=dt.time(10), leads=leads,
                     rrule=rule)  # fmt: skip
    export = body(client.get("/export/ics/", {"token": issue_export_token(alice.pk).token}))
    set_user_timezone(tg_id=bob.pk, text="Europe/Berlin")
    set_default_reminder(tg_id=bob.pk, minutes=60)

    preview = imports.preview_ics(owner_tg_id=bob.pk, data=export)
    assert preview.notes == {}  # our own VALARMs are all kept as they are
    imports.import_ics(owner_tg_id=bob.pk, data=export)
    # An event without reminders is downloaded without a VALARM, which reads as "the file
    # sets none": it gets the importer's default lead time, as any file's event would.
    assert leads_by_name(bob) == {"Flight": [10, 1440], "Quiet": [60], "Yoga": [60]}
    flight = Event.objects.get(owner=bob, name="Flight")
    due = {r.minutes: r.next_at for r in Reminder.objects.filter(event=flight)}
    assert due == {
        10: flight.starts_at - dt.timedelta(minutes=10),
        1440: flight.starts_at - dt.timedelta(days=1),
    }


def test_google_alarms_are_read_and_a_date_time_one_is_left_out_with_a_note(alice):
    preview = imports.preview_ics(owner_tg_id=alice.pk, data=fixture("google_alarms.ics"))
    assert preview.skipped == {}  # alarms left out leave their event in
    assert preview.notes == {
        "alarm_absolute": 2,
        "alarm_after_start": 1,
        "alarm_adjusted": 1,  # 15 minutes: the nearest offered is 10
        "alarm_merged": 1,  # ...which the event has already
    }
    imports.import_ics(owner_tg_id=alice.pk, data=fixture("google_alarms.ics"))
    assert leads_by_name(alice) == {
        "Only a date": [alice.default_reminder_minutes],  # no alarm it could keep
        "Physio": [30, 1440],
        "Standup": [10],
    }


@pytest.mark.parametrize(
    ("triggers", "leads"),
    [
        (["-PT0M"], [10]),
        (["-PT5M", "-P2D"], [10, 1440]),
        (["-PT20M"], [30]),  # as near to 10 as to 30: the earlier reminder
        (["-PT45M", "-PT50M"], [60]),
        (["-P1W", "-PT1H", "-PT10M", "-PT30M", "-P1DT0H0M0S"], [10, 30, 60, 1440]),
    ],
)
def test_lead_times_become_the_nearest_offered_ones(alice, triggers, leads):
    alarms = [f"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:{t}\r\nEND:VALARM" for t in triggers]
    imports.import_ics(owner_tg_id=alice.pk, data=calendar(event("a", "20270110T100000Z", *alarms)))
    assert Event.objects.get().leads == leads


def test_other_kinds_of_alarm_are_left_out_with_a_note(alice):
    alarms = [
        "BEGIN:VALARM\r\nACTION:NONE\r\nTRIGGER;VALUE=DATE-TIME:19760401T005545Z\r\nEND:VALARM",
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER;RELATED=END:-PT10M\r\nEND:VALARM",
        "BEGIN:VALARM\r\nACTION:PROCEDURE\r\nTRIGGER:-PT10M\r\nEND:VALARM",
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nEND:VALARM",
    ]
    data = calendar(event("a", "20270110T100000Z", *alarms))
    assert imports.preview_ics(owner_tg_id=alice.pk, data=data).notes == {"alarm_unsupported": 4}
    imports.import_ics(owner_tg_id=alice.pk, data=data)
    assert Event.objects.get().leads == [alice.default_reminder_minutes]


def test_a_second_import_with_other_alarms_changes_the_lead_times(alice):
    def with_alarms(*triggers: str) -> bytes:
        alarms = [f"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:{t}\r\nEND:VALARM" for t in triggers]
        return calendar(event("a", "20270110T100000Z", *alarms), event("b", "20270111T100000Z"))

    imports.import_ics(owner_tg_id=alice.pk, data=with_alarms("-PT10M", "-P1D"))
    kept = Reminder.objects.get(event__ics_uid="a", minutes=1440)
    b = Event.objects.get(ics_uid="b")
    Reminder.objects.filter(event=b).delete()  # changed in the bot since: the file sets none
    again = imports.preview_ics(owner_tg_id=alice.pk, data=with_alarms("-PT10M", "-P1D"))
    assert (again.existing, again.unchanged) == (2, 2)

    changed = imports.import_ics(owner_tg_id=alice.pk, data=with_alarms("-PT1H", "-P1D"))
    assert (changed.existing, changed.unchanged) == (2, 1)
    assert leads_by_name(alice) == {"a": [60, 1440], "b": []}
    a = Event.objects.get(ics_uid="a")
    assert Reminder.objects.get(event=a, minutes=1440).pk == kept.pk  # kept, not made anew
    assert Reminder.objects.get(event=a, minutes=60).next_at == a.starts_at - dt.timedelta(hours=1)


def test_an_rdate_and_an_override_have_their_own_alarms(alice):
    alarm = "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-P1D\r\nEND:VALARM"
    series = event("s", "20270104T100000Z", "RRULE:FREQ=WEEKLY;COUNT=3", "RDATE:20270106T100000Z",
                   alarm)  # fmt: skip
    moved = event("s", "20270112T100000Z", "RECURRENCE-ID:20270111T100000Z",
                  alarm.replace("-P1D", "-PT10M"))  # fmt: skip
    imports.import_ics(owner_tg_id=alice.pk, data=calendar(series, moved))
    leads = {e.recurrence_id: e.leads for e in Event.objects.all()}
    assert leads == {None: [1440], dt.date(2027, 1, 6): [1440], dt.date(2027, 1, 11): [10]}


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ru", ["на определённую дату", "после начала", "ближайшее", "станут одним"]),
        ("en", ["at a set date", "after the start", "nearest", "become one"]),
    ],
)
def test_the_preview_says_which_alarms_are_changed_or_left_out(alice, language, words):
    preview = imports.preview_ics(owner_tg_id=alice.pk, data=fixture("google_alarms.ics"))
    with translation.override(language):
        text = preview_text(preview.as_dict(), "google_alarms.ics")
    for word in words:
        assert word in text
