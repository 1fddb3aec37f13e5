"""The buttons under a delivered reminder: «Отложить на 10 мин», «на 1 час», «завтра» and
«Готово» (`rs:<outbox message id>:<10m|1h|tm|ok>`).

A snooze comes back once at the new time (services.snooze writes it; the reminder job
queues it through the outbox). The message says what was done and loses its buttons; a
forged, someone else's or already used button, or a reminder whose event has begun, gets
a toast that says so and changes nothing. "Now" is the reminder job's clock, which tests
move.
"""

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.outbox import reminders as reminder_job
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import choice_keyboards
from calendarapp.bot.ui.dialog import db, deliver, stops, unless_unchanged
from calendarapp.bot.ui.formatting import date_text, time_text
from calendarapp.exceptions import DomainError
from calendarapp.models import TgUser
from calendarapp.services import snooze as snooze_services
from calendarapp.timezones import zone_of


def _snooze(*, tg_id: int, message_id: int, choice: str):
    """The snooze's instant on the presser's clock."""
    _event, snooze = snooze_services.snooze_reminder(
        tg_id=tg_id, message_id=message_id, choice=choice, now=reminder_job.clock()
    )
    zone = TgUser.objects.filter(pk=tg_id).values_list("timezone", flat=True).first()
    return snooze.due_at.astimezone(zone_of(zone or "UTC"))


@stops
async def reminder_action(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    tg_id, message_id = update.effective_user.id, int(context.match.group(1))
    choice = context.match.group(2)
    try:
        if choice == choice_keyboards.DONE:
            await db(snooze_services.finish_reminder)(tg_id=tg_id, message_id=message_id)
            toast, line = texts.REMINDER_DONE_TOAST, texts.REMINDER_DONE_LINE
        else:
            due = await db(_snooze)(tg_id=tg_id, message_id=message_id, choice=choice)
            words = {"date": date_text(due.date()), "time": time_text(due)}
            toast = texts.REMINDER_SNOOZED_TOAST.format(**words)
            line = texts.REMINDER_SNOOZED_LINE.format(**words)
    except DomainError as error:
        refusal = texts.error_text(error)
        await deliver(lambda: query.answer(refusal, show_alert=True))
        return
    text = f"{query.message.text}\n{line}" if query.message and query.message.text else str(line)
    await deliver(lambda: query.answer(toast))
    await deliver(unless_unchanged(lambda: query.edit_message_text(text, reply_markup=None)))


def handlers():
    return [
        (
            Group.EVENT_BUTTONS,
            CallbackQueryHandler(reminder_action, pattern=choice_keyboards.CB_REMINDER_ACTION),
        )
    ]
