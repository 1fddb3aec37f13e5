"""Reminders of an event: one row per lead time, and reminders put off with «Отложить»."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .calendar import REMINDER_CHOICES, Event
from .links import part_of
from .queues import due_index

LEAD_CHOICES = [(minutes, label) for minutes, label in REMINDER_CHOICES if minutes is not None]


class Reminder(models.Model):
    """ "Remind me `minutes` before" for every occurrence of an event (a one-off event has one).

    `occurrence` is the wall-clock day (owner's zone) of the next occurrence not reminded
    yet and `next_at` the instant that reminder is due; the claim (services.reminder_claims)
    queues it and moves both to the following occurrence in one transaction, so each
    (event, occurrence, lead) is queued once. A series repeats at most daily, so the day
    names the occurrence. Both empty: nothing left to remind.
    """

    event = part_of(Event, verbose_name=_("событие"), related_name="reminders")
    minutes = models.PositiveIntegerField(_("напомнить за"), choices=LEAD_CHOICES)
    occurrence = models.DateField(_("для даты"), null=True, blank=True)
    next_at = models.DateTimeField(_("напомнить в"), null=True, blank=True)

    class Meta:
        verbose_name = _("напоминание")
        verbose_name_plural = _("напоминания")
        ordering = ["event", "minutes"]
        constraints = [
            models.UniqueConstraint(fields=["event", "minutes"], name="reminder_one_per_lead"),
        ]
        indexes = [
            due_index("next_at", waiting=Q(next_at__isnull=False), name="reminder_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} −{self.minutes} min → {self.next_at}"


class SnoozedReminder(models.Model):
    """A reminder put off by its recipient («Отложить на 10 мин»): the claim queues it once
    at `due_at` (through the outbox, like every reminder) and fills `queued_at`."""

    event = part_of(Event, verbose_name=_("событие"), related_name="snoozes")
    chat_id = models.BigIntegerField(_("получатель"))
    occurrence = models.DateField(_("для даты"))
    due_at = models.DateTimeField(_("напомнить в"))
    queued_at = models.DateTimeField(_("поставлено в очередь"), null=True, blank=True)

    class Meta:
        verbose_name = _("отложенное напоминание")
        verbose_name_plural = _("отложенные напоминания")
        indexes = [due_index("due_at", waiting=Q(queued_at__isnull=True), name="snooze_due_idx")]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.chat_id} at {self.due_at}"
