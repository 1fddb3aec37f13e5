"""What the Mini App sends and receives. Dates and times are the owner's wall clock, as in
the bot; a meeting is shown on the reader's clock (the organiser's zone converted)."""

import datetime as dt

from rest_framework import serializers

from calendarapp.api.fields import StrictIntegerField
from calendarapp.models import EVENT_DETAILS_MAX_LENGTH, EVENT_NAME_MAX_LENGTH, REMINDER_CHOICES
from calendarapp.services.rsvp import MAX_CAPACITY


class AsciiDateField(serializers.DateField):
    """YYYY-MM-DD in ASCII digits only: strptime's \\d would take "१२३४-01-01" too."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%d"], **kwargs)

    def to_internal_value(self, value):
        if isinstance(value, str) and not value.isascii():
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class AsciiTimeField(serializers.TimeField):
    """HH:MM on the owner's clock; an offset ("12:00+03:00") is refused, never dropped."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%H:%M"], format="%H:%M", **kwargs)

    def to_internal_value(self, value):
        if isinstance(value, str) and not value.isascii():
            self.fail("invalid", format="HH:MM")
        return super().to_internal_value(value)


class EventWriteSerializer(serializers.Serializer):
    # The services clean and check these (length, empty names, past moments); the
    # limits here only keep absurd bodies out before they reach them.
    name = serializers.CharField(max_length=EVENT_NAME_MAX_LENGTH * 4, trim_whitespace=False)
    date = AsciiDateField()
    time = AsciiTimeField()
    details = serializers.CharField(
        max_length=EVENT_DETAILS_MAX_LENGTH * 4,
        allow_blank=True,
        trim_whitespace=False,
        required=False,
    )
    # Left out on creation: the owner's default from /settings, as in the bot.
    reminder_minutes = serializers.ChoiceField(
        choices=[minutes for minutes, _label in REMINDER_CHOICES], allow_null=True, required=False
    )
    is_public = serializers.BooleanField(required=False)


class EventChangeSerializer(EventWriteSerializer):
    """An own event's form, and its answers' settings as the REST API's PATCH takes them
    (the same fields, so the same refusals): seats (null: no limit) and closed answers."""

    capacity = StrictIntegerField(
        min_value=1, max_value=MAX_CAPACITY, allow_null=True, required=False
    )
    rsvp_closed = serializers.BooleanField(required=False)


class RangeSerializer(serializers.Serializer):
    start = AsciiDateField()
    end = AsciiDateField()

    MAX_DAYS = 62  # a month grid is 42 days; a bit more for a week crossing months

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": "The end is before the start."})
        if attrs["end"] - attrs["start"] > dt.timedelta(days=self.MAX_DAYS):
            raise serializers.ValidationError(
                {"end": f"At most {self.MAX_DAYS} days can be asked for at once."}
            )
        return attrs
