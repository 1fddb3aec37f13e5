from django.contrib import admin
from django.http import HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path

from calendarapp.exports.feed import calendar_feed
from calendarapp.web.views import front_page
from webapp.health import healthz


def favicon(request):
    """Browsers ask for /favicon.ico on every page: answer instead of logging a 404."""
    try:
        return HttpResponseRedirect(
            static("drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png")
        )
    except ValueError:  # no collectstatic manifest yet
        return HttpResponse(status=204)


urlpatterns = [
    path("", front_page, name="front-page"),
    path("admin/", admin.site.urls),
    # The admin's language switcher posts here (Django's set_language view).
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    # --- REST API and signed exports ---
    path("api/", include("calendarapp.api.urls")),
    path("export/", include("calendarapp.exports.urls")),
    # --- the Telegram Mini App (a calendar to look at) ---
    path("app/", include("calendarapp.miniapp.urls")),
    # --- calendar subscription feed ---
    path("feed/<str:token>.ics", calendar_feed, name="calendar-feed"),
    path("favicon.ico", favicon),
]
