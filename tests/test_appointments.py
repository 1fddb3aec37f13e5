import datetime as dt

import pytest
from django.db import connection

from calendarapp.exceptions import Conflict, NotFound, ValidationFailed
from calendarapp.models import Appointment, Invitation, OutboxMessage
from calendarapp.services.appointments import (
    INVITATION,
    INVITATION_ANSWERED,
    INVITATION_UNDELIVERED,
    MEETING_MOVED,
    cancel_appointment,
    cancel_undelivered_invitation,
    check_invitation,
    check_invitee,
    create_appointment,
    respond_to_invitation,
)
from calendarapp.services.events import create_event, update_event
from calendarapp.services.users import TelegramProfile, create_user_profile, note_bot_started
from tests.support.threads import run_in_threads

NOON = dt.time(12, 0)


@pytest.fixture
def party(alice, tomorrow):
    return create_event(owner_tg_id=alice.pk, name="Party", date=tomorrow, time=NOON)


@pytest.mark.django_db
def test_invitation_is_created_with_its_notification(alice, bob, party):
    appointment = create_appointment(
        organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=party.pk, details="bring cake"
    )
    assert appointment.status == Appointment.Status.PENDING
    assert (appointment.date, appointment.time) == (party.date, party.time)
    message = OutboxMessage.objects.get()
    assert (message.chat_id, message.kind) == (bob.pk, INVITATION)
    assert message.payload == {"appointment_id": appointment.pk}


@pytest.mark.django_db
def test_invitation_rules(alice, bob, make_user, party, tomorrow):
    carol = make_user(1003, "carol")
    bobs_event = create_event(owner_tg_id=bob.pk, name="Bob's", date=tomorrow, time=NOON)
    cases = [
        ((alice.pk, alice.pk, party.pk), ValidationFailed, "invite_self"),
        ((alice.pk, bob.pk, bobs_event.pk), NotFound, "event_not_found"),
        ((alice.pk, 999_999, party.pk), NotFound, "participant_not_found"),
    ]
    for (organizer, participant, event), error_type, code in cases:
        with pytest.raises(error_type) as error:
            create_appointment(
                organizer_tg_id=organizer, participant_tg_id=participant, event_id=event
            )
        assert error.value.code == code
    create_appointment(organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=party.pk)
    with pytest.raises(Conflict) as error:
        create_appointment(organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=party.pk)
    assert error.value.code == "already_invited"
    other = create_event(owner_tg_id=alice.pk, name="Same time", date=tomorrow, time=NOON)
    with pytest.raises(Conflict) as error:
        create_appointment(organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=other.pk)
    assert error.value.code == "participant_busy"
    create_appointment(organizer_tg_id=alice.pk, participant_tg_id=carol.pk, event_id=other.pk)
    assert Appointment.objects.count() == 2
    assert OutboxMessage.objects.count() == 2


@pytest.mark.django_db
def test_answer_once_and_organizer_is_told(alice, bob, party):
    appointment = create_appointment(
        organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=party.pk
    )
    respond_to_invitation(participant_tg_id=bob.pk, appointment_id=appointment.pk, accept=True)
    assert Appointment.objects.get().status == Appointment.Status.CONFIRMED
    with pytest.raises(Conflict) as error:
        respond_to_invitation(participant_tg_id=bob.pk, appointment_id=appointment.pk, accept=False)
    assert error.value.params["status"] == Appointment.Status.CONFIRMED
    assert Appointment.objects.get().status == Appointment.Status.CONFIRMED
    told = OutboxMessage.objects.filter(kind=INVITATION_ANSWERED)
    assert [m.chat_id for m in told] == [alice.pk]


@pytest.mark.django_db
def test_only_the_participant_can_answer(alice, bob, party):
    appointment = create_appointment(
        organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=party.pk
    )
    with pytest.raises(NotFound):
        respond_to_invitation(
            participant_tg_id=alice.pk, appointment_id=appointment.pk, accept=True
        )


@pytest.mark.django_db
def test_cancel_by_either_side_tells_the_other(alice, bob, make_user, party):
    appointment = create_appointment(
        organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=party.pk
    )
    stranger = make_user(1009)
    with pytest.raises(NotFound):
        cancel_appointment(actor_tg_id=stranger.pk, appointment_id=appointment.pk)
    cancel_appointment(actor_tg_id=bob.pk, appointment_id=appointment.pk)
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED
    assert OutboxMessage.objects.last().chat_id == alice.pk
    with pytest.raises(Conflict):
        cancel_appointment(actor_tg_id=alice.pk, appointment_id=appointment.pk)
    # A cancelled invitation no longer blocks a new one.
    create_appointment(organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=party.pk)


@pytest.mark.django_db(transaction=True)
def test_two_presses_at_once_make_one_transition(alice, bob, party):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL")
    appointment = create_appointment(
        organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=party.pk
    )
    outcomes = []

    def press(accept):
        try:
            respond_to_invitation(
                participant_tg_id=bob.pk, appointment_id=appointment.pk, accept=accept
            )
            outcomes.append("changed")
        except Conflict:
            outcomes.append("already")

    run_in_threads(press, arguments=[(True,), (False,)])
    assert sorted(outcomes) == ["already", "changed"]
    assert OutboxMessage.objects.filter(kind=INVITATION_ANSWERED).count() == 1


# --- meetings issue: busy as organiser, dialog pre-check, undeliverable invitations ------------
@pytest.mark.django_db
def test_busy_also_as_organiser_of_a_meeting(alice, bob, make_user, party, tomorrow):
    carol = make_user(1003, "carol")
    bobs = create_event(owner_tg_id=bob.pk, name="Bob's", date=tomorrow, time=NOON)
    # Bob hosts a meeting at noon.
    create_appointment(organizer_tg_id=bob.pk, participant_tg_id=carol.pk, event_id=bobs.pk)
    with pytest.raises(Conflict) as error:
        create_appointment(organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=party.pk)
    assert error.value.code == "participant_busy"


@pytest.mark.django_db
def test_check_invitation_refuses_like_create_without_writing(alice, bob, party):
    assert (
        check_invitation(organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=party.pk)
        == party
    )
    create_appointment(organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=party.pk)
    with pytest.raises(Conflict) as error:
        check_invitation(organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=party.pk)
    assert error.value.code == "already_invited"
    with pytest.raises(ValidationFailed):
        check_invitee(organizer_tg_id=alice.pk, participant_tg_id=alice.pk)
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_undelivered_invitation_is_cancelled_and_organiser_told(alice, bob, party):
    appointment = create_appointment(
        organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=party.pk
    )
    assert cancel_undelivered_invitation(appointment.pk).status == Appointment.Status.CANCELLED
    told = OutboxMessage.objects.get(kind=INVITATION_UNDELIVERED)
    assert (told.chat_id, told.payload) == (alice.pk, {"appointment_id": appointment.pk})
    # Only pending invitations: a second call (or an answered one) changes nothing.
    assert cancel_undelivered_invitation(appointment.pk) is None
    assert OutboxMessage.objects.filter(kind=INVITATION_UNDELIVERED).count() == 1


@pytest.mark.django_db
def test_answer_notification_records_the_answer(alice, bob, party):
    appointment = create_appointment(
        organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=party.pk
    )
    respond_to_invitation(participant_tg_id=bob.pk, appointment_id=appointment.pk, accept=False)
    told = OutboxMessage.objects.get(kind=INVITATION_ANSWERED)
    assert told.payload == {"appointment_id": appointment.pk, "accepted": False}


@pytest.mark.django_db(transaction=True)
def test_two_invitations_for_the_same_moment_at_once_one_wins(alice, bob, make_user, tomorrow):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL")
    carol = make_user(1003, "carol")
    first = create_event(owner_tg_id=alice.pk, name="A", date=tomorrow, time=NOON)
    second = create_event(owner_tg_id=carol.pk, name="C", date=tomorrow, time=NOON)
    outcomes = []

    def invite(organizer, event):
        try:
            create_appointment(
                organizer_tg_id=organizer.pk, participant_tg_id=bob.pk, event_id=event.pk
            )
            outcomes.append("invited")
        except Conflict as error:
            outcomes.append(error.code)

    run_in_threads(invite, arguments=[(alice, first), (carol, second)])
    assert sorted(outcomes) == ["invited", "participant_busy"]
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_moving_the_event_moves_its_meetings_and_tells_the_guests(
    alice, bob, make_user, party, tomorrow
):
    carol, dave = make_user(1003), make_user(1004)
    confirmed = create_appointment(
        organizer_tg_id=alice.pk, participant_tg_id=bob.pk, event_id=party.pk
    )
    respond_to_invitation(participant_tg_id=bob.pk, appointment_id=confirmed.pk, accept=True)
    pending = create_appointment(
        organizer_tg_id=alice.pk, participant_tg_id=carol.pk, event_id=party.pk
    )
    elsewhen = create_appointment(  # a meeting set for a moment of its own
        organizer_tg_id=alice.pk,
        participant_tg_id=dave.pk,
        event_id=party.pk,
        date=tomorrow,
        time=dt.time(18, 0),
    )
    OutboxMessage.objects.all().delete()
    later = tomorrow + dt.timedelta(days=2)

    update_event(owner_tg_id=alice.pk, event_id=party.pk, date=later, time=dt.time(15, 30))

    moments = dict(Appointment.objects.values_list("pk", "date"))
    assert moments == {confirmed.pk: later, pending.pk: later, elsewhen.pk: tomorrow}
    assert Appointment.objects.get(pk=confirmed.pk).time == dt.time(15, 30)
    told = set(OutboxMessage.objects.filter(kind=MEETING_MOVED).values_list("chat_id", flat=True))
    assert told == {bob.pk, carol.pk}

    OutboxMessage.objects.all().delete()
    update_event(owner_tg_id=alice.pk, event_id=party.pk, name="Party!")  # not moved
    update_event(owner_tg_id=alice.pk, event_id=party.pk, date=later)  # the same moment
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_someone_the_bot_cannot_write_to_is_invited_by_a_link_delivered_at_their_start(
    alice, party
):
    create_user_profile(TelegramProfile(tg_id=2000))  # known from the API, never started the bot
    appointment = create_appointment(
        organizer_tg_id=alice.pk, participant_tg_id=2000, event_id=party.pk, details="Приходи"
    )
    assert appointment.status == Appointment.Status.PENDING
    invitation = Invitation.objects.get(appointment=appointment)
    assert (invitation.invitee_tg_id, invitation.details) == (2000, "Приходи")
    assert not OutboxMessage.objects.exists()  # a message would only bounce (403)
    note_bot_started(2000)
    message = OutboxMessage.objects.get()
    assert (message.chat_id, message.kind) == (2000, INVITATION)
    note_bot_started(2000)  # again: delivered once
    assert OutboxMessage.objects.count() == 1
