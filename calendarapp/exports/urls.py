from django.urls import path

from .views import CsvExportView, IcsExportView, JsonExportView

app_name = "exports"

urlpatterns = [
    path("csv/", CsvExportView.as_view(), name="csv"),
    path("json/", JsonExportView.as_view(), name="json"),
    path("ics/", IcsExportView.as_view(), name="ics"),
]
