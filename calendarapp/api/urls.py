from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .imports import ImportView
from .permissions import Anyone
from .views import (
    APIRootView,
    AppointmentListCreateView,
    EventAnswersView,
    EventAttendeesView,
    EventCreateView,
    ExportTokenView,
    PublicEventListView,
    UserListCreateView,
)

app_name = "api"

urlpatterns = [
    path("", APIRootView.as_view(), name="root"),
    path("events/", EventCreateView.as_view(), name="events"),
    path("events/public/", PublicEventListView.as_view(), name="public-events"),
    path("events/<int:event_id>/", EventAnswersView.as_view(), name="event"),
    path("events/<int:event_id>/attendees/", EventAttendeesView.as_view(), name="event-attendees"),
    path("users/", UserListCreateView.as_view(), name="users"),
    path("appointments/", AppointmentListCreateView.as_view(), name="appointments"),
    path("export/token/", ExportTokenView.as_view(), name="export-token"),
    path("import/", ImportView.as_view(), name="import"),
    # The description of the API is public; the data behind it is not.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[Anyone]), name="schema"),
    path(
        "docs/",
        # The split view serves Swagger UI's start-up script as a file of its own: the
        # Content-Security-Policy allows no inline script.
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[Anyone]),
        name="docs",
    ),
]
