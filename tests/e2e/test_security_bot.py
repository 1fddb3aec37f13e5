"""Security matrix, bot side: Alice tries every command on Bob's events.

One row per attempt: what Alice sends (a command, a dialog answer or a forged button
press) and what she must be told. Bob's private event must behave exactly like a missing
one (the same words as for an id that never existed), his public one is read-only for her,
and afterwards Bob's data (events, meetings, feed link) is unchanged. Meetings: Alice tries
to invite Carol to Bob's event (typed id and a forged pick button), to answer or cancel
Bob's meeting with Carol by forged buttons, and /feed gives her only her own link.
"""

import datetime as dt

import pytest

from calendarapp.bot import texts
from calendarapp.devtools.fake_bot_api import BotMessage
from calendarapp.models import Appointment, CalendarFeed, Event, OutboxMessage
from calendarapp.services.appointments import create_appointment, respond_to_invitation
from calendarapp.services.events import create_event
from calendarapp.services.feeds import feed_links, get_or_issue_feed
from calendarapp.services.users import TelegramProfile, register_user

pytestmark = pytest.mark.e2e

BOB = 5102
CAROL = 5103
MISSING_ID = 987_654_321


def not_found(event_id) -> str:
    return texts.ERRORS["event_not_found"].format(event_id=event_id)


def meeting_not_found(appointment_id) -> str:
    return texts.ERRORS["appointment_not_found"].format(appointment_id=appointment_id)


# Each row: (label, steps). A step is ("say", text), ("say", text, answers) when the bot
# answers with several messages, or ("press", callback data); text may use {private},
# {public}, {bob}, {missing}, {pending} / {confirmed} (Bob's meetings with Carol),
# {alice_feed}, {bob_feed}. `expect` is a substring of the LAST answer.
ROWS = [
    ("read private", [("say", "/read_event {private}")], "not_found:private"),
    ("read public", [("say", "/read_event {public}")], "not_found:public"),
    ("edit private inline", [("say", "/edit_event {private} hacked")], "not_found:private"),
    ("edit public inline", [("say", "/edit_event {public} hacked")], "not_found:public"),
    (
        "edit private in dialog",
        [("say", "/edit_event"), ("say", "{private}")],
        "not_found:private",
    ),
    ("delete private", [("say", "/delete_event {private}")], "not_found:private"),
    ("delete public", [("say", "/delete_event {public}")], "not_found:public"),
    (
        "delete in dialog",
        [("say", "/delete_event"), ("say", "{private}")],
        "not_found:private",
    ),
    (
        "delete, then forged confirm",
        [("say", "/delete_event {private}"), ("press", "del:yes:{private}")],
        texts.BUTTON_EXPIRED,
    ),
    ("forged delete confirm", [("press", "del:yes:{private}")], texts.BUTTON_EXPIRED),
    ("old-style delete confirm", [("press", "del:yes")], texts.BUTTON_EXPIRED),
    ("share private", [("say", "/share_event {private}")], "not_found:private"),
    ("unshare public", [("say", "/share_event {public}")], "not_found:public"),
    ("share in dialog", [("say", "/share_event"), ("say", "{private}")], "not_found:private"),
    # The visibility and reminder buttons under an event act on the event they name, for
    # its owner only: Bob's ids are "not found", as typed.
    ("forged share press", [("press", "share:public:{private}")], "not_found:private"),
    ("forged unshare press", [("press", "share:private:{public}")], "not_found:public"),
    ("forged reminder press", [("press", "rem:{private}:60")], "not_found:private"),
    ("forged card reminder press", [("press", "rmk:{private}:60")], "not_found:private"),
    ("forged card reminders open", [("press", "rmk:{public}")], "not_found:public"),
    ("forged snooze press", [("press", "rs:{missing}:10m")], texts.ERRORS["reminder_not_found"]),
    ("old-style share press", [("press", "share:public")], texts.BUTTON_EXPIRED),
    ("public_of shows only public", [("say", "/public_of {bob}")], "open lecture"),
    ("public_of by name", [("say", "/public_of @bob_victim")], "open lecture"),
    # Forged page buttons: another user's id in "my events" shows Alice's own list.
    ("forged page of Bob's events", [("press", "page:m:{bob}:1")], "Alice's own"),
    ("forged calendar page", [("press", "page:c:{bob}:1")], "Alice's own"),
    # Forged picker buttons (pick:<action>:<id>) with Bob's event: "not found", as typed.
    *[
        (
            f"forged pick to {action}",
            [("say", f"/{action}_event"), ("press", f"pick:{action}:{{private}}")],
            "not_found:private",
        )
        for action in ("read", "edit", "delete", "share")
    ],
    (
        "forged pick, public event",
        [("say", "/edit_event"), ("press", "pick:edit:{public}")],
        "not_found:public",
    ),
    (
        "forged pick for another dialog",
        [("say", "/edit_event"), ("press", "pick:delete:{private}")],
        texts.BUTTON_EXPIRED,
    ),
    ("forged pick outside a dialog", [("press", "pick:delete:{private}")], texts.BUTTON_EXPIRED),
    ("forged public page", [("press", "page:o:{bob}:1")], "open lecture"),
    ("forged page, huge page", [("press", "page:o:{bob}:99999999999")], texts.BUTTON_EXPIRED),
    ("forged page, huge id", [("press", "page:o:" + "9" * 30 + ":1")], texts.BUTTON_EXPIRED),
    ("forged page, odd kind", [("press", "page:z:{bob}:1")], texts.BUTTON_EXPIRED),
    ("export gives only her links", [("say", "/export")], texts.EXPORT_LINKS.split("{")[0]),
    ("missing id, same words", [("say", "/read_event {missing}")], "not_found:missing"),
    # /invite: Bob's events are "not found" whether typed or forged into a pick button.
    (
        "invite with Bob's private event",
        [("say", "/invite"), ("say", "@carol_guest", 2), ("say", "{private}")],
        "not_found:private",
    ),
    (
        "invite with Bob's public event",
        [("say", "/invite @carol_guest", 2), ("say", "{public}")],
        "not_found:public",
    ),
    (
        "invite, forged pick of Bob's event",
        [("say", "/invite {carol}", 2), ("press", "pick:invite:{private}")],
        "not_found:private",
    ),
    (
        "forged invite pick outside a dialog",
        [("press", "pick:invite:{private}")],
        texts.BUTTON_EXPIRED,
    ),
    # Bob's meetings with Carol: Alice's forged Accept / Decline / cancel buttons.
    ("forged accept", [("press", "inv:yes:{pending}")], texts.INVITATION_GONE),
    ("forged decline", [("press", "inv:no:{pending}")], texts.INVITATION_GONE),
    ("forged accept, missing id", [("press", "inv:yes:{missing}")], texts.INVITATION_GONE),
    ("forged accept in /meetings", [("press", "mt:a:{pending}:1")], texts.INVITATION_GONE),
    ("forged decline in /meetings", [("press", "mt:d:{pending}:1")], texts.INVITATION_GONE),
    ("forged cancel, pending", [("press", "mt:x:{pending}:1")], "meeting:pending"),
    ("forged cancel, confirmed", [("press", "mt:x:{confirmed}:1")], "meeting:confirmed"),
    ("forged cancel, missing id", [("press", "mt:x:{missing}:1")], "meeting:missing"),
    ("forged cancel, huge id", [("press", "mt:x:" + "9" * 18 + ":1")], "Встреча #999"),
    ("forged meetings page", [("press", "mt:p:1")], texts.NO_MEETINGS),
    ("/meetings shows none of Bob's", [("say", "/meetings")], texts.NO_MEETINGS),
    # /feed: her own link, never Bob's; /feed_reset leaves Bob's link alone.
    ("feed gives only her link", [("say", "/feed")], "{alice_feed}"),
    ("feed reset is hers alone", [("say", "/feed_reset")], "/feed/"),
]


@pytest.fixture
def victim(bot, registered_ann, next_year, ann_event):
    """Bob's private and public events, his meetings with Carol (one pending, one
    confirmed) and his feed; Alice has an event and a feed of her own."""
    # Bob and Carol have chats with the bot, so their notifications are simply delivered.
    bot.call(bot.fake.started.update, {BOB, CAROL})
    ann_event("Alice's own", dt.time(8))
    register_user(TelegramProfile(tg_id=BOB, username="bob_victim", first_name="Bob"))
    register_user(TelegramProfile(tg_id=CAROL, username="carol_guest", first_name="Carol"))
    private = create_event(
        owner_tg_id=BOB, name="Bob's secret surgery", date=next_year, time=dt.time(9)
    )
    public = create_event(
        owner_tg_id=BOB, name="Bob's open lecture", date=next_year, time=dt.time(10), is_public=True
    )
    pending = create_appointment(organizer_tg_id=BOB, participant_tg_id=CAROL, event_id=private.pk)
    confirmed = create_appointment(organizer_tg_id=BOB, participant_tg_id=CAROL, event_id=public.pk)
    respond_to_invitation(participant_tg_id=CAROL, appointment_id=confirmed.pk, accept=True)
    return {
        "private": private.pk,
        "public": public.pk,
        "bob": BOB,
        "carol": CAROL,
        "missing": MISSING_ID,
        "pending": pending.pk,
        "confirmed": confirmed.pk,
        "alice_feed": feed_links(get_or_issue_feed(registered_ann.id)).https,
        "bob_feed": feed_links(get_or_issue_feed(BOB)).https,
    }


def bobs_data():
    events = list(
        Event.objects.filter(owner_id=BOB)
        .order_by("pk")
        .values_list("pk", "name", "details", "is_public", "date", "time")
    )
    meetings = list(
        Appointment.objects.filter(organizer_id=BOB)
        .order_by("pk")
        .values_list("pk", "participant_id", "event_id", "status", "date", "time")
    )
    feed = list(CalendarFeed.objects.filter(owner_id=BOB).values_list("token", flat=True))
    # Nothing was queued for Bob or Carol on Alice's behalf (no invitation, no "cancelled").
    told = OutboxMessage.objects.filter(chat_id__in=[BOB, CAROL]).count()
    return events, meetings, feed, told


@pytest.mark.parametrize(("label", "steps", "expect"), ROWS, ids=[row[0] for row in ROWS])
def test_alice_cannot_touch_bobs_events(bot, registered_ann, victim, label, steps, expect):
    alice = registered_ann
    before = bobs_data()
    answers = []
    anchor = alice.last_message()  # a bot message to attach forged buttons to
    for kind, text, *count in steps:
        text = text.format(**victim)
        if kind == "say":
            alice.send(text)
            answers += [reply.text for reply in alice.wait_for_replies(count[0] if count else 1)]
        else:
            message = alice.last_message() or anchor or BotMessage(1, alice.id, "x")
            bot.call(bot.fake.press, alice.user, message, text)
            answers.append(alice.wait_for_reply().text)
    if expect.startswith("not_found:"):
        expect = not_found(victim[expect.split(":")[1]])
    elif expect.startswith("meeting:"):
        expect = meeting_not_found(victim[expect.split(":")[1]])
    expect = expect.format(**victim)
    assert expect in answers[-1], answers
    for answer in answers:
        assert "secret surgery" not in answer and victim["bob_feed"] not in answer, answers
    assert bobs_data() == before
    assert not Appointment.objects.filter(organizer_id=alice.id).exists()


def test_missing_and_foreign_ids_get_identical_words(bot, registered_ann, victim):
    """No hint that Bob's event exists: only the number differs."""
    foreign = registered_ann.ask(f"/read_event {victim['private']}")
    missing = registered_ann.ask(f"/read_event {MISSING_ID}")
    assert foreign.replace(str(victim["private"]), "N") == missing.replace(str(MISSING_ID), "N")


def test_sql_and_html_in_names_come_back_verbatim(bot, registered_ann, next_year):
    """Stored as typed and sent back as plain text (no parse_mode): nothing is executed,
    nothing is interpreted as markup."""
    ann = registered_ann
    name = "'; DROP TABLE calendarapp_event; -- <b>x</b>"
    ann.ask("/create_event")
    ann.ask(name)
    ann.ask(next_year.isoformat())
    ann.ask("18:30")
    created = ann.ask("1 OR 1=1")
    event = Event.objects.get(owner_id=ann.id)
    assert (event.name, event.details) == (name, "1 OR 1=1")  # (Alice's only event here)
    assert name in created and name in ann.ask(f"/read_event {event.pk}")
    assert Event.objects.count() == 1
