"""Importing a calendar file (.ics) or a calendar URL: the preview and its outcome."""

from django.utils.translation import gettext_lazy as _

IMPORT_HOWTO = _(
    "Чтобы импортировать календарь, пришлите файл .ics (экспорт из Google, Apple или "
    "Outlook) или напишите /import и адрес календаря: /import https://example.com/cal.ics"
)
IMPORT_READING = _("Читаю файл «{source}»…")
IMPORT_FETCHING = _("Загружаю календарь по ссылке…")
IMPORT_FAILED = _("Не получилось импортировать «{source}»: {reason}")
IMPORT_PREVIEW = _(
    "В «{source}»: событий — {events}, серий — {series}, даты с {first} по {last}.\n"
    "Новых: {new}, уже есть в календаре (обновятся): {existing}."
)
IMPORT_NOTHING = _("В «{source}» нет событий, которые можно импортировать.")
IMPORT_SKIPPED = _("Не импортирую ({count}):")
IMPORT_SKIPPED_LINE = _("— {reason}: {count}")
IMPORT_NOTE_ALL_DAY = _("События на весь день ({count}) будут в 00:00.")
IMPORT_NOTE_SHORTENED = _("Слишком длинные названия и описания ({count}) будут сокращены.")
IMPORT_NOTE_OVERRIDE = _("Перенесённые повторы ({count}) станут отдельными событиями.")
IMPORT_NOTE_OTHER_ZONE = _(
    "Серии из другого часового пояса ({count}) будут повторяться по вашему поясу: время "
    "может сдвинуться на час при переходе на летнее время."
)
IMPORT_NOTE_RDATE = _("Отдельные даты серий (RDATE, {count}) станут повторами со своим временем.")
IMPORT_NOTE_ALARM_ADJUSTED = _(
    "Напоминания ({count}) будут за ближайшее из предлагаемых времён: за 10 или 30 минут, "
    "за час или за день."
)
IMPORT_NOTE_ALARM_MERGED = _("Одинаковые напоминания одного события ({count}) станут одним.")
IMPORT_NOTE_ALARM_ABSOLUTE = _(
    "Напоминания на определённую дату и время ({count}) не импортирую: только за какое-то "
    "время до начала."
)
IMPORT_NOTE_ALARM_AFTER_START = _("Напоминания после начала события ({count}) не импортирую.")
IMPORT_NOTE_ALARM_UNSUPPORTED = _(
    "Напоминания другого вида ({count}: от конца события, без действия) не импортирую."
)
IMPORT_CONFIRM = _("Импортировать?")
BTN_IMPORT = _("Импортировать")
IMPORT_DONE = _(
    "Готово: добавлено событий — {new}, обновлено — {updated}, без изменений — {unchanged}. "
    "Список: /display_events"
)
IMPORT_CANCELLED = _("Импорт отменён.")

# Why an event of the file is not imported (services.ics_read's skip codes).
IMPORT_SKIP_REASONS = {
    "not_event": _("не события (задачи, заметки)"),
    "bot_meeting": _("встречи из выгрузки этого бота"),
    "cancelled": _("отменённые события"),
    "malformed": _("испорченные строки"),
    "no_start": _("без даты начала"),
    "date_out_of_range": _("даты раньше 1900 года или больше чем на 100 лет вперёд"),
    "duplicate": _("повторы одного UID (взят последний)"),
    "exdates_too_many": _("серии со слишком многими исключениями"),
    "rrule_several": _("серии с несколькими правилами повторения"),
    "rrule_too_frequent": _("серии чаще раза в день"),
    "rrule_count": _("серии больше чем из 1000 повторений"),
    "rrule_interval": _("серии с промежутком больше 100"),
    "rrule_invalid": _("серии с неверным правилом повторения"),
    "rrule_too_long": _("серии со слишком длинным правилом"),
    "rrule_empty": _("серии, которые ни разу не повторяются"),
    "rrule_other_zone": _("серии, которые в вашем поясе попадают на другие дни"),
    "rdate_too_many": _("серии со слишком многими отдельными датами (RDATE)"),
    "rdate_same_day": _("отдельные даты (RDATE) в день, когда серия уже идёт в другое время"),
}
IMPORT_SKIP_OTHER = _("другое")
