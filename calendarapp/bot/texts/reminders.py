"""Several reminders per event, and a delivered reminder with its buttons (snooze, done)."""

from django.utils.translation import gettext_lazy as _

from calendarapp.bot.texts.errors import ERRORS

REMINDERS_OF_EVENT = _("Напоминания: {phrase}.")
BTN_REMINDERS = _("⏰ Напоминания")
REMINDERS_CARD = _(
    "⏰ Напоминания о «{name}» (#{id}). Нажмите на срок, чтобы включить или выключить его; "
    "у повторяющегося события напоминание приходит перед каждым разом.\n{line}"
)

# The reminder: what starts, and in how long.
REMINDER_MESSAGE = _("🔔 Напоминание: «{name}» {starts} — {date} в {time} ({zone}).")
REMINDER_MEETING = _("🔔 Напоминание о встрече: «{name}» {starts} — {date} в {time} ({zone}).")
STARTS_IN_MINUTES = _("начнётся через {minutes} мин")
STARTS_IN_HOURS_EXACT = _("начнётся через {hours} ч")
STARTS_IN_HOURS = _("начнётся через {hours} ч {minutes} мин")
STARTS_IN_DAYS = _("начнётся через {days} дн.")
STARTS_NOW = _("начинается сейчас")
BTN_SNOOZE_10M = _("Отложить на 10 мин")
BTN_SNOOZE_1H = _("на 1 час")
BTN_SNOOZE_TOMORROW = _("завтра")
BTN_REMINDER_DONE = _("Готово")
REMINDER_SNOOZED_LINE = _("⏰ Отложено до {date} {time}.")
REMINDER_SNOOZED_TOAST = _("Напомню ещё раз {date} в {time}.")
REMINDER_DONE_LINE = _("✓ Готово.")
REMINDER_DONE_TOAST = _("Отмечено.")
REMINDER_AGAIN = _("🔔 Напоминаю ещё раз: «{name}» {starts} — {date} в {time} ({zone}).")

ERRORS.update(
    {
        "reminder_not_found": _("Этого напоминания нет: кнопка устарела или не ваша."),
        "reminder_handled": _("С этим напоминанием уже всё: его отложили или отметили."),
        "reminder_event_gone": _("Этого события больше нет: оно удалено или отменено."),
        "reminder_event_over": _("«{name}» уже началось — откладывать напоминание поздно."),
        "snooze_after_start": _(
            "«{name}» начнётся раньше — так надолго не отложить. Выберите срок покороче."
        ),
        "snooze_invalid": _("Такой кнопки нет: выберите срок кнопкой под напоминанием."),
    }
)
