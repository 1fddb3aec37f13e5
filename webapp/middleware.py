"""The database is away (restart, failover, network): answer 503 with Retry-After, not 500.

A restart of PostgreSQL cuts every connection; for a second or two each request fails
with OperationalError/InterfaceError. That is the server's momentary state, not a bug or
bad input: clients and proxies retry a 503 on their own, and the log says what happened
without a traceback per request. Django's CONN_HEALTH_CHECKS replace the dead connection
on the next request, so the service recovers by itself. Other database errors (integrity,
programming) stay 500s: they are bugs.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
JSON_PREFIXES = ("/api/", "/export/", "/healthz")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable for %s: %s", request.path, exception)
        if request.path_info.startswith(JSON_PREFIXES):
            response = JsonResponse(
                {
                    "detail": "The database is unavailable; retry in a few seconds.",
                    "code": "database_unavailable",
                },
                status=503,
            )
        else:
            response = HttpResponse(
                "The service is briefly unavailable; retry in a few seconds.",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
