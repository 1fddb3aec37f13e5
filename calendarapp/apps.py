from django.apps import AppConfig


class CalendarAppConfig(AppConfig):
    name = "calendarapp"
    verbose_name = "Календарь"
    default_auto_field = "django.db.models.BigAutoField"
