"""`/healthz`: is this web process able to serve, i.e. can it reach its database?

Used by the container healthcheck (`python -m webapp.probe`), by `docker compose` to start the
bot only once the web side has applied migrations, and by any load balancer. It needs no login
and says nothing about the data; the database error goes to the log, only its kind to the caller.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@login_not_required  # stays open even if LoginRequiredMiddleware is switched on
@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Health check failed: database unavailable: %s", exc)
        return JsonResponse(
            {"status": "error", "reason": f"database unavailable ({type(exc).__name__})"},
            status=503,
        )
    return JsonResponse({"status": "ok"})
