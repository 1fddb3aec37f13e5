from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # --- REST API and signed exports (issue 5) ---
    path("api/", include("calendarapp.api.urls")),
    path("export/", include("calendarapp.exports.urls")),
]
