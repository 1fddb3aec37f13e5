"""Counters for the admin's activity chart."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .calendar import EVENTS_CANCELLED, EVENTS_CREATED, EVENTS_EDITED


class BotStatistics(models.Model):
    """Daily activity counters; one row per day, updated with F() upserts."""

    date = models.DateField(_("дата"), unique=True)
    user_count = models.PositiveIntegerField(_("новых пользователей"), default=0)
    event_count = models.PositiveIntegerField(EVENTS_CREATED, default=0)
    edited_events = models.PositiveIntegerField(EVENTS_EDITED, default=0)
    cancelled_events = models.PositiveIntegerField(EVENTS_CANCELLED, default=0)
    appointment_count = models.PositiveIntegerField(_("создано встреч"), default=0)

    class Meta:
        verbose_name = _("статистика за день")
        verbose_name_plural = _("статистика по дням")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"
