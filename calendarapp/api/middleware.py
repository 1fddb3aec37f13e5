from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils import translation
from rest_framework.response import Response

# Everything machines read: the API (and the Mini App's), the downloads, the calendar feed,
# the health probe.
API_PREFIXES = ("/api/", "/app/api/", "/export/", "/feed/", "/healthz")


class EnglishApiMiddleware:
    """The API, the downloads and the feed answer in English (the domain errors' language), whatever
    the site's default language (Russian, for the admin) or the client's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIXES):
            return self.get_response(request)
        request.LANGUAGE_CODE = "en"
        # override, not activate: the language must not outlive the request and leak into the
        # next one the same worker thread serves (an admin page, in Russian).
        with translation.override("en"):
            response = self.get_response(request)
        # Said here: LocaleMiddleware, outside, would name the language of the request
        # (Russian by default) for a body written in English.
        response["Content-Language"] = "en"
        return response


# Where every error is JSON in the API's error shape (`api.errors`): the clients there are
# programs (the Mini App's page too, which reads the codes). The feed keeps plain answers
# (calendar apps show neither), the pages keep HTML.
JSON_ERROR_PREFIXES = ("/api/", "/app/api/", "/export/")

# What an error with no words of its own says, per status; `code` is as stable as the API's.
_STATUS_ERRORS = {
    400: ("Bad request.", "bad_request"),
    401: ("Authentication credentials were not provided.", "not_authenticated"),
    403: ("You do not have permission to perform this action.", "permission_denied"),
    404: ("Not found.", "not_found"),
    405: ("Method not allowed.", "method_not_allowed"),
    413: ("The request body is too large.", "payload_too_large"),
    500: ("Internal server error.", "server_error"),
}
# Headers of the original answer that still describe the JSON one.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary", "Cache-Control")


def error_response(status: int, *, detail: str | None = None, code: str | None = None):
    default_detail, default_code = _STATUS_ERRORS.get(
        status, (HTTPStatus(status).phrase + ".", HTTPStatus(status).name.lower())
    )
    return JsonResponse(
        {"detail": detail or default_detail, "code": code or default_code}, status=status
    )


def body_too_large_response():
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(
        413, detail=f"The request body is larger than the limit of {limit} bytes."
    )


def declared_body_too_large(request) -> bool:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django treats an unreadable length as no body
    return limit is not None and length > limit


class JsonErrorMiddleware:
    """Errors under JSON_ERROR_PREFIXES answer JSON in the API's error shape, whoever made them:
    Django's URL resolver (an unknown path), a view of Django's rather than DRF's, an exception
    (the 500 page, DEBUG's traceback page), an oversized body. DRF's own JSON errors pass
    unchanged. Django still logs the exception and sends `got_request_exception` first: only
    the body the client gets changes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(JSON_ERROR_PREFIXES):
            return self.get_response(request)
        # Refused before anything reads it: Django would raise RequestDataTooBig (a 400) only
        # when a form is read, and DRF's JSON parser reads the stream past the limit.
        if declared_body_too_large(request):
            return body_too_large_response()
        response = self.get_response(request)
        # DRF's own answers already carry the error shape (api.errors); one in HTML is the
        # browsable API, which a browser asked for, showing that error next to its form.
        if response.status_code < 400 or _is_json(response) or isinstance(response, Response):
            return response
        replacement = error_response(response.status_code)
        for header in _KEPT_HEADERS:
            if header in response:
                replacement[header] = response[header]
        # Not response.close(): that sends request_finished, which would close the database
        # connection in the middle of the request; the server closes the replacement.
        return replacement

    def process_exception(self, request, exception):
        if request.path_info.startswith(JSON_ERROR_PREFIXES) and isinstance(
            exception, RequestDataTooBig
        ):
            return body_too_large_response()
        return None


def _is_json(response) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"
