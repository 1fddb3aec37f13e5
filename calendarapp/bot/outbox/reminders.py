"""Reminders in the bot process: a repeating job claims due reminders into the outbox, and the
outbox dispatcher (bot/outbox/notifications.py) renders and sends them.

Claiming is `services.reminders.claim_all_due_reminders`: short transactions that lock due
reminder rows (`skip_locked` on PostgreSQL), write one outbox row per recipient and move each
row to its next occurrence, so a reminder is queued exactly once whatever crashes or restarts
(snoozed ones too); the job runs at start too,
so reminders that fell due while the bot was down go out then (or are skipped if the event has
begun). "Now" comes from `clock`, which tests replace to travel in time without sleeping.
The same job forgets handled update ids past their age (runtime/once.py), once an hour.
"""

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from telegram.ext import Application, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.outbox import notifications
from calendarapp.bot.runtime.orm import db
from calendarapp.bot.ui import choice_keyboards
from calendarapp.bot.ui.formatting import date_text, time_text
from calendarapp.models import OutboxMessage
from calendarapp.selectors.reminders import due_reminder
from calendarapp.services.processed_updates import prune_processed_updates
from calendarapp.services.reminders import REMINDER, claim_all_due_reminders
from calendarapp.timezones import offset_name

logger = logging.getLogger("calendarapp.bot.outbox.reminders")

JOB_NAME = "reminders"
PRUNE_EVERY = dt.timedelta(hours=1)
_last_prune: dict[str, dt.datetime] = {}


def clock() -> dt.datetime:
    """The current instant; tests swap this function to move time."""
    return timezone.now()


def _claim() -> int:
    now = clock()
    last = _last_prune.get("at")
    if last is None or now - last >= PRUNE_EVERY or now < last:
        _last_prune["at"] = now
        pruned = prune_processed_updates(now=now)
        if pruned:
            logger.info("Forgot %s handled update id(s)", pruned)
    return claim_all_due_reminders(now=now)


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


def _day(payload: dict) -> dt.date | None:
    try:
        return dt.date.fromisoformat(payload["on"])
    except (KeyError, TypeError, ValueError):
        return None  # queued before reminders named their occurrence: the first one


@notifications.renderer(REMINDER)
def render_reminder(message: OutboxMessage) -> notifications.Notification | None:
    """The reminder as the recipient sees it, in their own zone, with its snooze and done
    buttons; None if no longer useful."""
    now = clock()
    due = due_reminder(
        event_id=message.payload.get("event_id"),
        recipient_id=message.chat_id,
        now=now,
        day=_day(message.payload),
    )
    if due is None:
        return None
    if message.payload.get("snoozed"):
        template = texts.REMINDER_AGAIN
    else:
        template = texts.REMINDER_MESSAGE if due.for_owner else texts.REMINDER_MEETING
    return notifications.Notification(
        template.format(
            name=due.name,
            starts=_starts_in(due.starts - now),
            date=date_text(due.local_start.date()),
            time=time_text(due.local_start),
            zone=offset_name(due.zone_name),
        ),
        choice_keyboards.reminder_actions(message.pk),
    )
