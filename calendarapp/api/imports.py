"""POST /api/import/: staff import an .ics file or URL into a person's calendar.

The rules are services.imports' (and ics_read's limits, ics_fetch's URL checks); the view
reads the request and shapes the answer. Without `confirm` the answer is the preview.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from calendarapp.api.base import StaffActionView, error_doc
from calendarapp.api.parsers import LimitedJSONParser
from calendarapp.api.serializers import telegram_id_field
from calendarapp.services import imports
from calendarapp.services.ics_fetch import fetch_ics
from calendarapp.services.ics_read import MAX_EVENTS, MAX_ICS_BYTES, check_size


class ImportRequestSerializer(serializers.Serializer):
    tg_user_id = telegram_id_field(help_text="Whose calendar the events go into.")
    file = serializers.FileField(
        required=False,
        help_text=f"An .ics file (multipart), at most {MAX_ICS_BYTES} bytes, {MAX_EVENTS} events.",
    )
    url = serializers.CharField(
        required=False,
        max_length=2000,
        help_text="An https:// (or webcal://) address of an .ics file on a public host.",
    )
    confirm = serializers.BooleanField(
        default=False, help_text="false: only the preview; true: import (by UID: again updates)."
    )

    def validate(self, data):
        if ("file" in data) == ("url" in data):
            raise serializers.ValidationError({"file": ["Give either `file` or `url`."]})
        return data


class ImportSummarySerializer(serializers.Serializer):
    imported = serializers.BooleanField(help_text="Whether the events were written.")
    events = serializers.IntegerField(help_text="One-off events (moved occurrences included).")
    series = serializers.IntegerField()
    first_date = serializers.DateField(allow_null=True)
    last_date = serializers.DateField(allow_null=True)
    new = serializers.IntegerField()
    existing = serializers.IntegerField(help_text="Already imported before (by UID): updated.")
    unchanged = serializers.IntegerField(help_text="Of `existing`, the ones left as they were.")
    skipped = serializers.DictField(
        child=serializers.IntegerField(), help_text="Reason code -> events left out."
    )
    skipped_examples = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Reason code -> up to three names.",
    )
    notes = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=(
            "all_day (stored at 00:00), shortened, override, other_zone, rdate (extra dates "
            "of series, each an occurrence of its own); VALARMs: alarm_adjusted (to the "
            "nearest offered lead time), alarm_merged, and left out: alarm_absolute, "
            "alarm_after_start, alarm_unsupported."
        ),
    )


class ImportView(StaffActionView):
    """Preview or import an .ics file (or URL) into a registered person's calendar."""

    parser_classes = [LimitedJSONParser, MultiPartParser]
    error_fields = {
        "tg_user_id": {"not_registered"},
        "file": {"ics_too_large", "ics_too_many_events", "ics_not_calendar", "ics_malformed"},
    }

    @extend_schema(
        request={
            "multipart/form-data": ImportRequestSerializer,
            "application/json": ImportRequestSerializer,
        },
        responses={
            200: ImportSummarySerializer,
            400: error_doc(
                "Unknown person, a file that is too large, has too many events or is not "
                "iCalendar, or a URL refused (not https, a private or loopback address also "
                "after a redirect, too many redirects, a timeout, an error status)."
            ),
            401: error_doc("Missing or invalid credentials."),
            403: error_doc("The account may not use this endpoint (staff only)."),
        },
        description=(
            "Reads an iCalendar file from Google, Apple, Outlook or this API's own export. "
            "Events that cannot be kept (series more often than daily or over 1000 times, "
            "dates out of range, malformed lines) are left out and counted in `skipped`."
        ),
    )
    def post(self, request):
        body = ImportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        owner = body.validated_data["tg_user_id"]
        upload = body.validated_data.get("file")
        if upload is not None:
            check_size(upload.size)
            data = upload.read(MAX_ICS_BYTES + 1)
        else:
            data = fetch_ics(body.validated_data["url"])
        if body.validated_data["confirm"]:
            summary, imported = imports.import_ics(owner_tg_id=owner, data=data), True
        else:
            summary, imported = imports.preview_ics(owner_tg_id=owner, data=data), False
        return Response({"imported": imported, **summary.as_dict()})
