from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class CalendarAppConfig(AppConfig):
    default = True  # the app's config, not AxesConfig below
    name = "calendarapp"
    verbose_name = _("Календарь")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from calendarapp import checks, search  # noqa: F401 (checks registers itself)

        search.install()


class AxesConfig(AxesAppConfig):
    """django-axes (the admin's log-in lock-outs) in the admin's languages: its app name, the
    names of its rows (their __str__ is plain English) and its status column. The rest of its
    texts are in its own catalog, completed by webapp/locale/ru."""

    verbose_name = _("Защита входа")

    def ready(self):
        super().ready()
        from axes.admin import AccessAttemptAdmin
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        AccessAttempt.__str__ = _attempt_name
        AccessFailureLog.__str__ = _failure_name
        AccessLog.__str__ = _log_name
        AccessAttemptAdmin.status.short_description = _("Состояние")


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""


def _attempt_name(attempt) -> str:
    return gettext("Попытки входа «{username}» с {address}").format(
        username=attempt.username, address=attempt.ip_address
    )


def _failure_name(failure) -> str:
    text = _("Неудачный вход «{username}» с {address}, {time}")
    if failure.locked_out:
        text = _("Неудачный вход «{username}» с {address}, {time} (заблокирован)")
    return str(text).format(
        username=failure.username, address=failure.ip_address, time=_when(failure.attempt_time)
    )


def _log_name(log) -> str:
    return gettext("Вход «{username}» с {address}, {time}").format(
        username=log.username, address=log.ip_address, time=_when(log.attempt_time)
    )
