"""Literals the API accepts exactly as its schema writes them, and nothing that merely converts.

Python's int() and Django's date and time parsers are generous: `1.0`, `1e3` (a float), `"007"`
and `"٣"` (an Arabic-Indic digit) all become integers, `"१२३४-01-01"` a date, and
`"12:00+03:00"` a time whose offset is dropped (the meeting moves by three hours, silently).
Here each is refused with a reason; the same rules serve the request bodies (serializers) and
the query strings (filters).
"""

import datetime as dt
import re

from django import forms
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# ASCII only: `\d` and int() take every script's digits.
INTEGER_PATTERN = r"^-?(0|[1-9][0-9]*)$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
_LONGEST = 21  # digits: more than any 64-bit id has
_OFFSET = re.compile(r"^[0-9:.]+([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$", re.ASCII)

INTEGER_MESSAGE = (
    "A whole number is required, written with the digits 0-9: no decimal point, exponent or "
    "leading zeros."
)
DATE_MESSAGE = "A date is required as YYYY-MM-DD, written with the digits 0-9."
TIME_MESSAGE = "A time is required as HH:MM or HH:MM:SS (24-hour), written with the digits 0-9."
OFFSET_MESSAGE = (
    "A time with a UTC offset or Z is refused: give the wall-clock time (HH:MM[:SS]) in the "
    "event owner's time zone."
)


def parse_integer(value) -> int | None:
    """The integer a JSON number or a form/query string denotes, or None if it is not written
    as an integer (a bool, a float such as 1.0 or 1e3, padded or non-ASCII digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(INTEGER_PATTERN, value, re.ASCII):
        if len(value) > _LONGEST:
            # Beyond every limit here (and int() refuses more than 4,300 digits): the range
            # check says so, with the limit.
            return -(10**_LONGEST) if value.startswith("-") else 10**_LONGEST
        return int(value)
    return None


def parse_date(value) -> dt.date | None:
    if isinstance(value, str) and re.fullmatch(DATE_PATTERN, value, re.ASCII):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def time_error(value) -> str | None:
    """Why `value` is not a wall-clock time literal, or None if it is one."""
    if isinstance(value, str) and re.fullmatch(TIME_PATTERN, value, re.ASCII):
        return None
    if isinstance(value, str) and _OFFSET.fullmatch(value):
        return OFFSET_MESSAGE
    return TIME_MESSAGE


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": INTEGER_MESSAGE}

    def to_internal_value(self, data):
        value = parse_integer(data)
        if value is None:
            self.fail("invalid")
        return super().to_internal_value(value)


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only: DRF's own field would read "yes", "1" or "on" as true."""

    default_error_messages = {"invalid": "Must be true or false (a JSON boolean)."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class EventIdField(StrictIntegerField):
    """Required (never null) in a request; null in a response once the event was deleted (a
    meeting keeps its history). The schema says both: see EventIdFieldExtension."""

    default_error_messages = {"null": "An event id is required."}


class EventIdFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EventIdField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "response":
            schema["nullable"] = True
        return schema


@extend_schema_field({"type": "string", "format": "date", "pattern": DATE_PATTERN})
class StrictDateField(serializers.DateField):
    default_error_messages = {"invalid": DATE_MESSAGE}

    def to_internal_value(self, value):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        parsed = parse_date(value)
        if parsed is None:
            self.fail("invalid")
        return parsed


@extend_schema_field(
    {
        "type": "string",
        "pattern": TIME_PATTERN,
        "example": "15:00:00",
        "description": (
            "Wall-clock time (HH:MM[:SS]) in the event owner's time zone; a UTC offset or Z "
            "is refused. A time the clocks skip that day (02:30 when they jump from 02:00 to "
            "03:00) means as many minutes after the jump (03:30); a time they repeat (02:30 "
            "when they go back) means the first of the two (RFC 5545). `starts_at` gives the "
            "instant."
        ),
    }
)
class WallClockTimeField(serializers.TimeField):
    """A time without an offset: calendar times are local to the owner's zone."""

    def to_internal_value(self, value):
        if isinstance(value, dt.time):
            return value
        error = time_error(value)
        if error:
            raise serializers.ValidationError(error, code="invalid")
        return dt.time.fromisoformat(value)


# --- the same rules for query strings (django-filter's form fields) ---------------------
class _ParsedFormField:
    """A form field read by `parse`, one of the parsers above: None is the "invalid" error."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        parsed = self.parse(value)
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class StrictIntegerFormField(_ParsedFormField, forms.IntegerField):
    default_error_messages = {"invalid": INTEGER_MESSAGE}
    parse = staticmethod(parse_integer)


class StrictDateFormField(_ParsedFormField, forms.DateField):
    default_error_messages = {"invalid": DATE_MESSAGE}
    parse = staticmethod(parse_date)
