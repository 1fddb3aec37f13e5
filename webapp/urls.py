from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    # --- REST API and signed exports (issue 5) ---
    path("api/", include("calendarapp.api.urls")),
    path("export/", include("calendarapp.exports.urls")),
    # Browsers ask for /favicon.ico on every page; answer instead of logging a 404.
    path(
        "favicon.ico",
        RedirectView.as_view(
            url=static("drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png"),
            permanent=True,
        ),
    ),
]
