from django.urls import path

from . import views

app_name = "miniapp"

urlpatterns = [
    path("", views.app_page, name="page"),
    path("api/me", views.MeView.as_view(), name="me"),
    path("api/calendar", views.CalendarView.as_view(), name="calendar"),
    path("api/events", views.EventCreateView.as_view(), name="events"),
    path("api/events/<int:event_id>", views.EventDetailView.as_view(), name="event"),
]
