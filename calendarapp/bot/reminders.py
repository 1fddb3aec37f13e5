"""Reminders in the bot process: a repeating job claims due reminders into the outbox, and the
outbox dispatcher (bot/notifications.py) renders and sends them.

Claiming is `services.reminders.claim_all_due_reminders`: short transactions that lock due
events (`skip_locked` on PostgreSQL), mark them handled and write one outbox row per recipient,
so a reminder is queued exactly once whatever crashes or restarts; the job runs at start too,
so reminders that fell due while the bot was down go out then (or are skipped if the event has
begun). "Now" comes from `clock`, which tests replace to travel in time without sleeping.
"""

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from telegram.ext import Application, ContextTypes

from calendarapp.models import Appointment, Event, OutboxMessage, TgUser
from calendarapp.services.reminders import REMINDER, claim_all_due_reminders
from calendarapp.services.timezones import aware, zone_of

from . import notifications, texts
from .orm import db

logger = logging.getLogger("calendarapp.bot.reminders")

JOB_NAME = "reminders"


def clock() -> dt.datetime:
    """The current instant; tests swap this function to move time."""
    return timezone.now()


def _claim() -> int:
    return claim_all_due_reminders(now=clock())


async def claim_reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The job: queue due reminders, then wake the dispatcher so they leave at once."""
    queued = await db(_claim)()
    if queued:
        logger.info("Queued %s reminder(s)", queued)
        notifications.wake(context)


def schedule(application: Application) -> None:
    if application.job_queue is None:
        logger.warning("No JobQueue: reminders will not be sent by this process")
        return
    application.job_queue.run_repeating(
        claim_reminders, interval=settings.REMINDER_POLL_INTERVAL, first=0, name=JOB_NAME
    )


def _starts_in(delta: dt.timedelta) -> str:
    minutes = max(0, round(delta.total_seconds() / 60))
    if minutes == 0:
        return texts.STARTS_NOW
    if minutes < 60:
        return texts.STARTS_IN_MINUTES.format(minutes=minutes)
    if minutes < 1440:
        hours, rest = divmod(minutes, 60)
        if rest == 0:
            return texts.STARTS_IN_HOURS_EXACT.format(hours=hours)
        return texts.STARTS_IN_HOURS.format(hours=hours, minutes=rest)
    return texts.STARTS_IN_DAYS.format(days=round(minutes / 1440))


@notifications.renderer(REMINDER)
def render_reminder(message: OutboxMessage) -> notifications.Notification | None:
    """The reminder as the recipient sees it, in their own zone; None if no longer useful."""
    event = Event.objects.select_related("owner").filter(pk=message.payload.get("event_id")).first()
    if event is None:
        return None  # deleted since
    starts = aware(event.date, event.time, event.owner.timezone)
    now = clock()
    if starts <= now:
        return None  # waited in the outbox past the start: too late to be useful
    is_owner = message.chat_id == event.owner_id
    if (
        not is_owner
        and not event.appointments.filter(
            participant_id=message.chat_id, status=Appointment.Status.CONFIRMED
        ).exists()
    ):
        return None  # the meeting was cancelled after the reminder was queued
    recipient = TgUser.objects.filter(pk=message.chat_id).only("timezone").first()
    zone_name = recipient.timezone if recipient else event.owner.timezone
    local = starts.astimezone(zone_of(zone_name))
    template = texts.REMINDER_MESSAGE if is_owner else texts.REMINDER_MEETING
    return notifications.Notification(
        template.format(
            name=event.name,
            starts=_starts_in(starts - now),
            date=f"{local:%d.%m.%Y}",
            time=f"{local:%H:%M}",
            zone=zone_name,
        )
    )
