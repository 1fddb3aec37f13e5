from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarAppConfig(AppConfig):
    name = "calendarapp"
    verbose_name = _("Календарь")
    default_auto_field = "django.db.models.BigAutoField"
