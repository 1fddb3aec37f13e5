"""The one place where domain errors and DRF errors become JSON responses.

Every error body has `detail` (English text) and `code` (stable, machine-readable); when the
error concerns one field of the request body, `field` names it.
"""

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from calendarapp.exceptions import (
    Conflict,
    DomainError,
    NotFound,
    NotRegistered,
    PermissionDenied,
)
from calendarapp.services.export_tokens import ExportTokenInvalid


def domain_error_status(exc: DomainError, view) -> int:
    if isinstance(exc, ExportTokenInvalid | PermissionDenied):
        return status.HTTP_403_FORBIDDEN
    if isinstance(exc, Conflict):
        return status.HTTP_409_CONFLICT
    if isinstance(exc, NotFound | NotRegistered):
        # A POST body naming an unknown id is a bad request; a missing resource is a 404.
        return getattr(view, "not_found_status", status.HTTP_404_NOT_FOUND)
    return status.HTTP_400_BAD_REQUEST


def error_field(view, code: str) -> str | None:
    """The request field an error code concerns: a view lists, per field, its codes."""
    for field, codes in getattr(view, "error_fields", {}).items():
        if code in codes:
            return field
    return None


def api_exception_handler(exc, context):
    view = context.get("view")
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code}
        field = error_field(view, exc.code)
        if field:
            body["field"] = field
        return Response(body, status=domain_error_status(exc, view))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Http404):
        response.data = {"detail": "Not found.", "code": "not_found"}
    elif isinstance(exc, exceptions.ValidationError):
        # Field errors keep DRF's shape under `errors`, next to the common keys.
        response.data = {"detail": "Invalid input.", "code": "invalid", "errors": exc.detail}
    elif isinstance(exc, exceptions.APIException) and isinstance(response.data, dict):
        codes = exc.get_codes()
        response.data = {
            "detail": str(exc.detail),
            "code": codes if isinstance(codes, str) else exc.default_code,
        }
    return response
