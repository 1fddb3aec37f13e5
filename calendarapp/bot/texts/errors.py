"""Domain error codes -> words (calendarapp.exceptions): one sentence per stable code."""

import datetime as dt
import re

from django.utils.translation import gettext_lazy as _

from calendarapp.bot.texts.common import DATE_FORMAT, NEED_REGISTER

ERRORS = {
    "name_empty": _("Название не может быть пустым."),
    "name_too_long": _("Название длиннее {limit} символов."),
    "details_too_long": _("Описание длиннее {limit} символов."),
    "in_past": _("{date} {time} уже прошло. Укажите время в будущем."),
    "event_not_found": _("Событие #{event_id} не найдено."),
    "not_found": _("Не найдено."),
    "not_registered": NEED_REGISTER,
    "date_in_past": _("Эта дата уже прошла. Укажите сегодняшнюю или будущую дату."),
    "date_too_far": _("Это слишком далеко. Укажите дату не позже {latest}."),
    "date_too_early": _("Это слишком давно. Укажите дату не раньше {earliest}."),
    "time_impossible": _("Такого времени не бывает: {text}."),
    "id_format": _("Номер — это целое положительное число, например 5."),
    "id_too_large": _("Под номером {text} ничего нет: такого большого номера не бывает."),
    "invalid_tg_id": _("Telegram ID — это целое положительное число."),
    "rrule_phrase_unknown": _(
        "Не понял, как повторять: «{text}». Напишите, например, «каждый вторник», «по будням», "
        "«каждые 2 недели до 1 марта» или «в последнюю пятницу месяца»."
    ),
    "rrule_invalid": _("Правило повторения «{text}» не по RFC 5545."),
    "rrule_too_long": _("Правило повторения слишком длинное."),
    "rrule_too_frequent": _("Событие может повторяться не чаще раза в день."),
    "rrule_count": _("В серии может быть не больше {limit} повторений."),
    "rrule_interval": _("Промежуток между повторениями — от 1 до {limit}."),
    "rrule_until_past": _("Серия закончилась бы {date}, раньше, чем началась."),
    "rrule_empty": _("По этому правилу событие больше ни разу не случится."),
    "not_an_occurrence": _("Событие #{event_id} не повторяется {date}."),
    "not_a_series": _("Событие #{event_id} не повторяется: приглашайте на него без серии."),
    "whole_series_with_date": _("На всю серию приглашают без даты и времени: они у серии свои."),
    "rrule_not_on_start": _("Первый день серии не подходит под правило."),
    "ics_too_large": _("Файл больше {limit} байт: столько за раз не импортировать."),
    "ics_too_many_events": _("В файле {count} событий, а за раз можно не больше {limit}."),
    "ics_not_calendar": _("Это не файл календаря (.ics)."),
    "ics_malformed": _("Файл календаря испорчен, его не прочитать."),
    "import_draft_gone": _("Этот предпросмотр устарел. Пришлите файл ещё раз."),
    "import_url_invalid": _("Это не адрес в интернете."),
    "import_url_scheme": _("Можно импортировать только по адресу https://."),
    "import_url_private": _(
        "Адрес {host} ведёт во внутреннюю сеть: импортировать можно только из интернета."
    ),
    "import_url_redirects": _("Адрес перенаправляет больше {limit} раз."),
    "import_url_timeout": _("Сервер {host} не ответил вовремя."),
    "import_url_unreachable": _("Не удалось скачать календарь с {host}."),
    "import_telegram_file": _("Не удалось получить файл из Telegram. Пришлите его ещё раз."),
    "import_url_status": _("Сервер {host} ответил кодом {status} вместо календаря."),
    "scope_invalid": _("Выберите: только это, это и следующие или все."),
}
ERROR_FALLBACK = _("Не получилось: запрос некорректен.")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _shown(value):
    """A param as the bot shows it: services give dates as ISO text (the API's form)."""
    if isinstance(value, str):
        # Params may echo what the user typed: a lone surrogate there could not be sent.
        value = value.encode("utf-8", "replace").decode()
        if _ISO_DATE.match(value):
            try:
                return dt.date.fromisoformat(value).strftime(DATE_FORMAT)
            except ValueError:
                return value
    return value


def error_text(error) -> str:
    """The words for a DomainError in the active language (a generic sentence if unknown)."""
    template = ERRORS.get(error.code, ERROR_FALLBACK)
    params = {key: _shown(value) for key, value in error.params.items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return str(template)
