"""Download views: the signed token is the only credential; the body is streamed.

Missing or malformed token -> 400, forged or expired -> 403 (JSON, via `api.errors`).
A token names one Telegram id, and only that user's calendar is ever read.
"""

from django.http import StreamingHttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from calendarapp.api.permissions import Anyone
from calendarapp.api.throttling import ExportDownloadRateThrottle
from calendarapp.exceptions import NotFound
from calendarapp.selectors.calendar import calendar_entries, calendar_owner, calendar_time_zones
from calendarapp.selectors.reminders import lead_times_of_owner
from calendarapp.services.export_tokens import read_export_token

from . import tables, writers


class JsonErrorsOnly(BaseContentNegotiation):
    """Calendar apps send `Accept: text/calendar`; errors are JSON whatever they ask for."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema(exclude=True)
class ExportView(APIView):
    authentication_classes = []
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsOnly
    permission_classes = [Anyone]
    throttle_classes = [ExportDownloadRateThrottle]
    content_type = ""
    extension = ""

    def get(self, request):
        tg_id = read_export_token(request.query_params.get("token"))
        owner = calendar_owner(tg_id)
        if owner is None:
            raise NotFound("This calendar no longer exists.", code="user_not_found")
        response = StreamingHttpResponse(self.chunks(owner), content_type=self.content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="calendar-{owner.pk}.{self.extension}"'
        )
        # The URL carries a credential: keep it and the body out of shared caches.
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response

    def chunks(self, owner):
        raise NotImplementedError


class CsvExportView(ExportView):
    content_type = f"text/csv; charset={tables.CSV_ENCODING}"
    extension = "csv"

    def chunks(self, owner):
        return tables.csv_chunks(owner, calendar_entries(owner=owner))


class JsonExportView(ExportView):
    content_type = "application/json; charset=utf-8"
    extension = "json"

    def chunks(self, owner):
        return tables.json_chunks(owner, calendar_entries(owner=owner))


class IcsExportView(ExportView):
    content_type = "text/calendar; charset=utf-8"
    extension = "ics"

    def chunks(self, owner):
        return writers.ics_chunks(
            owner,
            calendar_entries(owner=owner),
            calendar_time_zones(owner),
            alarms=lead_times_of_owner(owner_tg_id=owner.pk),
        )
