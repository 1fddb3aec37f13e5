"""Shapes of the API's requests and responses; the rules themselves live in the services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calendarapp.models import (
    APPOINTMENT_DETAILS_MAX_LENGTH,
    EVENT_NAME_MAX_LENGTH,
    RRULE_MAX_LENGTH,
    Appointment,
    Event,
    Invitation,
    Rsvp,
    TgUser,
)
from calendarapp.parsing import MAX_TELEGRAM_ID
from calendarapp.selectors.bot_identity import bot_username
from calendarapp.services.invitations import invite_url
from calendarapp.services.rsvp import MAX_CAPACITY

from .fields import (
    EventIdField,
    StrictBooleanField,
    StrictDateField,
    StrictIntegerField,
    WallClockTimeField,
)

STARTS_AT_HELP = (
    "The instant date and time mean in the owner's (organiser's) time zone, in UTC; "
    "what exports sort by."
)
DATE_RANGE_HELP = (
    "Wall-clock date in the {whose} time zone, from 1900-01-01 (`date_too_early`) to the "
    "end of the year a hundred years ahead (`date_too_far`)."
)


def telegram_id_field(**kwargs) -> serializers.IntegerField:
    return StrictIntegerField(min_value=1, max_value=MAX_TELEGRAM_ID, **kwargs)


class RsvpCountsSerializer(serializers.Serializer):
    going = serializers.IntegerField(read_only=True)
    maybe = serializers.IntegerField(read_only=True)
    not_going = serializers.IntegerField(read_only=True)
    waiting = serializers.IntegerField(
        read_only=True, help_text="Answered «going» beyond the capacity: in line for a seat."
    )


RRULE_HELP = (
    "RFC 5545 RRULE without DTSTART (`FREQ=WEEKLY;BYDAY=TU`, `RRULE:` optional; empty: a "
    "one-off event); UNTIL is a wall-clock moment of the owner's zone, or UTC with `Z`. "
    "Refused with 400 and a stable code: `rrule_invalid`, `rrule_too_long`, "
    "`rrule_too_frequent` (finer than daily), `rrule_count` (COUNT over 1000), "
    "`rrule_interval` (INTERVAL over 100), `rrule_not_on_start` (the rule skips `date`)."
)
NEXT_OCCURRENCES_HELP = (
    "The instants of the next three occurrences from now; a one-off event: its start "
    "while it is ahead, else empty."
)


class PublicEventSerializer(serializers.ModelSerializer):
    owner_tg_id = serializers.IntegerField(source="owner_id", read_only=True)
    owner_username = serializers.CharField(source="owner.username", read_only=True)
    date = serializers.DateField(read_only=True, help_text=DATE_RANGE_HELP.format(whose="owner's"))
    time = WallClockTimeField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True, help_text=STARTS_AT_HELP)
    rsvp = RsvpCountsSerializer(
        source="rsvp_counts", read_only=True, help_text="Answers to the event's cards."
    )
    rrule = serializers.CharField(read_only=True, help_text=RRULE_HELP)
    repeats = serializers.BooleanField(
        read_only=True, help_text="A series, or one occurrence of a series changed on its own."
    )
    next_occurrences = serializers.ListField(
        child=serializers.DateTimeField(), read_only=True, help_text=NEXT_OCCURRENCES_HELP
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "owner_tg_id",
            "owner_username",
            "name",
            "date",
            "time",
            "starts_at",
            "details",
            "capacity",
            "rsvp",
            "rrule",
            "repeats",
            "next_occurrences",
        ]
        read_only_fields = fields


class AttendeeSerializer(serializers.ModelSerializer):
    tg_id = serializers.IntegerField(source="person_id", read_only=True)
    username = serializers.CharField(source="person.username", read_only=True)
    first_name = serializers.CharField(source="person.first_name", read_only=True)
    last_name = serializers.CharField(source="person.last_name", read_only=True)

    class Meta:
        model = Rsvp
        fields = ["tg_id", "username", "first_name", "last_name", "answer", "guests", "answered_at"]


class EventCreateSerializer(serializers.Serializer):
    owner_tg_id = telegram_id_field(help_text="The owner, a registered user.")
    name = serializers.CharField(max_length=EVENT_NAME_MAX_LENGTH * 2)
    date = StrictDateField(help_text="The first occurrence, on the owner's wall clock.")
    time = WallClockTimeField()
    details = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    is_public = serializers.BooleanField(required=False, default=False)
    rrule = serializers.CharField(
        required=False, allow_blank=True, max_length=RRULE_MAX_LENGTH * 2, help_text=RRULE_HELP
    )


class EventSerializer(PublicEventSerializer):
    rsvp_closed = serializers.BooleanField(
        read_only=True, help_text="The organiser closed answers: the cards take no more."
    )

    class Meta(PublicEventSerializer.Meta):
        fields = [*PublicEventSerializer.Meta.fields, "is_public", "rsvp_closed"]
        read_only_fields = fields


SEATS_HELP = (
    f"Seats for «going» answers and their guests, 1 to {MAX_CAPACITY:,}; null: no limit. "
    "Raised (or lifted), the first people waiting take the freed seats and the bot tells "
    "them; lowered, nobody loses a seat taken already."
)


class EventAnswersChangeSerializer(serializers.Serializer):
    """What PATCH /api/events/{id}/ may change: the answers' settings, as the bot's
    /capacity and «Закрыть ответы» do. Any other key is refused, not ignored."""

    owner_tg_id = telegram_id_field(
        required=False,
        help_text=(
            "The organiser the change is made for. Given, the event must be theirs: "
            "another person's event is a 404 `event_not_found`, like a missing one."
        ),
    )
    capacity = StrictIntegerField(
        min_value=1, max_value=MAX_CAPACITY, allow_null=True, required=False, help_text=SEATS_HELP
    )
    rsvp_closed = serializers.BooleanField(
        required=False,
        help_text="true: the event's cards take no more answers; false: open again.",
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {key: ["Not a field this request can change."] for key in unknown}
                )
        return super().to_internal_value(data)


class UserSerializer(serializers.ModelSerializer):
    tg_id = telegram_id_field(help_text="Telegram user id (positive 64-bit integer).")

    class Meta:
        model = TgUser
        read_only_fields = [
            "timezone",
            "is_active",
            "bot_started_at",
            "events_created",
            "events_edited",
            "events_cancelled",
            "created_at",
        ]
        fields = [
            "tg_id",
            "username",
            "first_name",
            "last_name",
            "language_code",
            *read_only_fields,
        ]
        # Uniqueness is the service's rule (409 Conflict), not a serializer check.
        extra_kwargs = {"tg_id": {"validators": []}}


class AppointmentSerializer(serializers.ModelSerializer):
    organizer_tg_id = telegram_id_field(source="organizer_id")
    participant_tg_id = telegram_id_field(source="participant_id")
    # Null once the event is deleted (meetings keep their history); required when creating.
    event_id = EventIdField(min_value=1, max_value=2**63 - 1)
    date = StrictDateField(
        required=False,
        help_text=DATE_RANGE_HELP.format(whose="organiser's") + " Defaults to the event's date.",
    )
    time = WallClockTimeField(required=False, help_text="Defaults to the event's time.")
    starts_at = serializers.DateTimeField(read_only=True, help_text=STARTS_AT_HELP)
    whole_series = StrictBooleanField(
        required=False,
        default=False,
        help_text=(
            "For a repeating event: true invites to every occurrence (date and time must "
            "then be left out; they are the series' first). Otherwise `date` must be one of "
            "its occurrences (not cancelled); an overridden day's meeting is on the override "
            "(its `event_id`, date and time). The participant is busy if another meeting "
            "falls on one of the series' occurrences of the next 366 days."
        ),
    )
    details = serializers.CharField(
        required=False, allow_blank=True, max_length=APPOINTMENT_DETAILS_MAX_LENGTH
    )
    invite_url = serializers.SerializerMethodField(
        help_text=(
            "For a pending meeting whose participant has not started the bot: the "
            "t.me link to forward them (the invitation also reaches them the moment they "
            "start the bot). Null otherwise, or while the bot's username is unknown."
        )
    )

    class Meta:
        model = Appointment
        fields = [
            "id",
            "organizer_tg_id",
            "participant_tg_id",
            "event_id",
            "date",
            "time",
            "starts_at",
            "whole_series",
            "details",
            "status",
            "invite_url",
            "responded_at",
            "created_at",
        ]
        read_only_fields = ["id", "starts_at", "status", "invite_url", "responded_at", "created_at"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_invite_url(self, appointment) -> str | None:
        try:
            invitation = appointment.invitation
        except Invitation.DoesNotExist:
            return None
        if appointment.status != Appointment.Status.PENDING:
            return None
        if "bot_username" not in self.context:  # once per response, not per row
            self.context["bot_username"] = bot_username()
        return invite_url(invitation, username=self.context["bot_username"])


class ExportTokenRequestSerializer(serializers.Serializer):
    tg_user_id = telegram_id_field(help_text="Whose calendar the links export.")


class ExportTokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    tg_user_id = serializers.IntegerField(source="tg_id")
    expires_at = serializers.DateTimeField()
    csv_url = serializers.SerializerMethodField()
    json_url = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()

    def get_csv_url(self, obj) -> str:
        return obj.url("csv")

    def get_json_url(self, obj) -> str:
        return obj.url("json")

    def get_ics_url(self, obj) -> str:
        return obj.url("ics")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(required=False, help_text="The request field at fault.")
    errors = serializers.DictField(required=False, help_text="Per-field messages (400).")
