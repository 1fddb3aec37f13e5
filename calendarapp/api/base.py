"""What the API's views share: the error answers of their schemas, and the staff-only
base views (an unknown id in a POST body is the body's fault, a 400)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.views import APIView

from . import serializers
from .pagination import CappedPageNumberPagination
from .permissions import IsStaff

ERROR = serializers.ErrorSerializer
RRULE_ERROR_CODES = (
    "rrule_invalid",
    "rrule_too_long",
    "rrule_too_frequent",
    "rrule_count",
    "rrule_interval",
    "rrule_not_on_start",
)


def error_doc(description: str) -> OpenApiResponse:
    return OpenApiResponse(ERROR, description=description)


LIST_ERRORS = {
    400: error_doc("A query parameter is unknown, empty or invalid (`errors` names it)."),
    401: error_doc("Missing or invalid credentials."),
    403: error_doc("The account may not use this endpoint (staff only)."),
    404: error_doc("The page does not exist."),
}
CREATE_ERRORS = {
    400: error_doc("Invalid body, or an id in it is unknown (`field` names it)."),
    401: error_doc("Missing or invalid credentials."),
    403: error_doc("The account may not use this endpoint (staff only)."),
}


def list_create_schema(serializer, *, conflict: str, description: str):
    """OpenAPI for a staff list + create endpoint whose create can clash (409)."""
    return extend_schema_view(
        get=extend_schema(responses={200: serializer(many=True), **LIST_ERRORS}),
        post=extend_schema(
            responses={201: serializer, **CREATE_ERRORS, 409: error_doc(conflict)},
            description=description,
        ),
    )


class StaffListCreateView(generics.ListCreateAPIView):
    """Staff-only list + create. An unknown id in a POST body is the body's fault: 400."""

    permission_classes = [IsStaff]
    pagination_class = CappedPageNumberPagination
    not_found_status = status.HTTP_400_BAD_REQUEST


class StaffActionView(APIView):
    """A staff-only POST whose body names the rows it acts on: an unknown one is the
    body's fault, a 400, not a missing page."""

    permission_classes = [IsStaff]
    not_found_status = status.HTTP_400_BAD_REQUEST
