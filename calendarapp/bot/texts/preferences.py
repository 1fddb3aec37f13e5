"""Preferences: language, default reminders, time zone."""

from django.utils.translation import gettext_lazy as _

from calendarapp.bot.texts.errors import ERRORS
from calendarapp.models import REMINDER_CHOICES

# --- language -----------------------------------------------------------------------------
# Button labels are the languages' own names (settings.LANGUAGES), never translated.
LANGUAGE_ASK = _("Выберите язык бота. Сейчас: {language}.")
LANGUAGE_SET = _("Готово, язык бота: {language}. Сменить: /language")
ERRORS["language_unknown"] = _("Такого языка нет: {language}. Выберите кнопкой.")


# Reminder lead times (minutes; None: no reminder), as buttons and in sentences.
REMINDER_BUTTONS = {
    None: _("Без напоминания"),
    10: _("За 10 минут"),
    30: _("За 30 минут"),
    60: _("За 1 час"),
    1440: _("За 1 день"),
}
REMINDER_PHRASES = dict(REMINDER_CHOICES)
CHOSEN_MARK = "✓ "
REMINDER_OF_EVENT = _("Напоминание: {phrase}.")
REMINDER_BY_DEFAULT = _("Напоминание: {phrase} (по умолчанию).")
REMINDER_ALREADY_DUE = _("Напоминание: {phrase} — это время уже наступило, напоминать не буду.")

SETTINGS = _(
    "Настройки\n"
    "Часовой пояс: {zone} (сейчас там {now}). Сменить: /timezone\n"
    "Напоминание о новых событиях по умолчанию: {phrase}.\n\n"
    "Выберите, за сколько напоминать:"
)
SETTINGS_SAVED = _("Сохранено: {phrase}.")

ASK_TIMEZONE = _(
    "Ваш часовой пояс: {zone} (сейчас там {now}).\n"
    "Выберите новый кнопкой или напишите название вроде Europe/Berlin, город (Новосибирск, "
    "London) или смещение от UTC (UTC+3, UTC-5)."
)
TIMEZONE_SET = _(
    "Часовой пояс: {zone}, сейчас там {now}. Даты и время событий считаются в нём; "
    "напоминания пересчитаны."
)
# Button labels of the common zones (calendarapp.timezones.COMMON_TIMEZONES).
TIMEZONE_CITIES = {
    "Europe/Kaliningrad": _("Калининград"),
    "Europe/Moscow": _("Москва"),
    "Europe/Samara": _("Самара"),
    "Asia/Yekaterinburg": _("Екатеринбург"),
    "Asia/Novosibirsk": _("Новосибирск"),
    "Asia/Vladivostok": _("Владивосток"),
    "Europe/Minsk": _("Минск"),
    "Europe/Berlin": _("Берлин"),
    "Europe/London": _("Лондон"),
    "America/New_York": _("Нью-Йорк"),
}

ERRORS.update(
    {
        "date_invalid": (
            _(
                "Не понял дату «{text}». Напишите, например, «завтра», «в пятницу», «25 декабря», "
                "2026-12-31 или 31.12.2026, или выберите день в календаре."
            )
        ),
        "time_invalid": _("Не понял время «{text}». Напишите, например, 18:30."),
        "reminder_invalid": _("Такого варианта нет: выберите кнопкой, за сколько напомнить."),
        "timezone_offset_minutes": (
            _(
                "Смещение {text} не круглое, числом его не выбрать. Напишите город, "
                "например Asia/Kolkata."
            )
        ),
        "timezone_unknown": (
            _(
                "Не знаю часового пояса «{text}». Напишите название вроде Europe/Berlin "
                "или город, например Новосибирск."
            )
        ),
    }
)
