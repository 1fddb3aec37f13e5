"""Events: create, list, read, edit, delete, the event picker and the month calendar."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from calendarapp.models import (
    EVENT_DETAILS_MAX_LENGTH,
    EVENT_NAME_MAX_LENGTH,
)

# --- create -------------------------------------------------------------------------------
ASK_NAME = format_lazy(_("Как назовём событие? (до {limit} символов)"), limit=EVENT_NAME_MAX_LENGTH)
ASK_DATE = _(
    "Дата события? Выберите день в календаре или напишите: «завтра», «в пятницу», "
    "«25 декабря», «завтра в 15:00», «через 2 часа», 2026-12-31 или 31.12.2026."
)
ASK_TIME = _("Время начала? Например 18:30 или «в 9:00».")
ASK_DETAILS = format_lazy(
    _(
        "Описание события (до {limit} символов). "
        "Если описание не нужно, нажмите «Пропустить» или отправьте «-»."
    ),
    limit=EVENT_DETAILS_MAX_LENGTH,
)
EVENT_CREATED = _("Событие создано:\n{event}")
DATE_MOVED = _("Во фразе был и день: событие будет {date} в {time}.")

# --- read / list --------------------------------------------------------------------------
NO_EVENTS = _("У вас пока нет событий. Создайте: /create_event")
NO_PUBLIC_EVENTS = _("У вас нет публичных событий. Сделать событие публичным: /share_event")
NO_PUBLIC_OF = _("У пользователя {user} нет публичных событий.")
LIST_TITLE_MINE = _("Ваши события")
LIST_TITLE_PUBLIC_MINE = _("Ваши публичные события")
LIST_TITLE_PUBLIC_OF = _("Публичные события пользователя {user}")
LIST_TITLE_CALENDAR = _("Ваш календарь")
PAGE_SUFFIX = _(" (стр. {page} из {pages})")
PUBLIC_MARK = " 🌐"  # a sign, not a word: the same in every language
REPEAT_MARK = " 🔁"  # a series' occurrence in a list
REPEATS_LINE = _("🔁 Повторяется: {rule}\nДалее: {next}")
REPEATS_OVER = _("🔁 Повторялось: {rule}. Больше повторений нет.")
EVENT_CARD = _("Событие #{id}: {name}\nКогда: {date} {time}\nДоступ: {access}\n{details}")
ACCESS_PUBLIC = _("публичное")
ACCESS_PRIVATE = _("личное")
NO_DETAILS = _("Описания нет.")
DETAILS_PREFIX = _("Описание: ")

# --- edit ---------------------------------------------------------------------------------
ASK_EDIT_FIELD = _("Что изменить?\n{event}")
EDIT_FIELD_EXPECTED = _("Выберите кнопкой, что изменить: название, дату, время или описание.")
BTN_EDIT_NAME = _("Название")
BTN_EDIT_DATE = _("Дата")
BTN_EDIT_TIME = _("Время")
BTN_EDIT_DETAILS = _("Описание")
ASK_NEW_NAME = _("Новое название события #{id} (до {limit} символов). Сейчас: «{name}».")
ASK_NEW_DATE = _(
    "Новая дата события #{id}? Сейчас: {date}. Выберите день в календаре или напишите: "
    "«завтра», «в пятницу», «25 декабря», 31.12.2026; можно сразу со временем: «завтра в 15:00»."
)
ASK_NEW_TIME = _("Новое время события #{id}? Сейчас: {time}. Например 18:30 или «в 9:00».")
EVENT_UPDATED = _("Событие изменено:\n{event}")
ASK_NEW_DETAILS = _(
    "Новое описание события #{id} (до {limit} символов). Чтобы убрать описание, отправьте «-»."
)
EVENT_EDITED = _("Описание события #{id} обновлено.")
CLOCKS_SKIP_TIME = _(
    "⚠️ В этот день часы переводят вперёд, и {time} не наступает: событие будет в {instant}."
)
CLOCKS_REPEAT_TIME = _(
    "⚠️ В этот день часы переводят назад, и {time} бывает дважды: событие — в первый раз, "
    "до перевода часов."
)

# --- delete -------------------------------------------------------------------------------
CONFIRM_DELETE = _("Удалить событие?\n{event}")
DELETE_GUESTS_COMING = _("На встречу придут: {who}.")
DELETE_GUESTS_INVITED = _("Приглашены и ещё не ответили: {who}.")
DELETE_GUESTS_TOLD = _("Они получат уведомление об отмене.")
EVENT_DELETED = _("Событие #{id} «{name}» удалено.")
BTN_DELETE_SERIES = _("Всю серию")
OCCURRENCE_DELETED = _(
    "Готово: {date} события #{id} «{name}» не будет, остальные повторения остаются."
)
CONFIRM_DELETE_EXPECTED = _("Нажмите «Да, удалить» или «Отмена».")


PICK_PREV = "◀"
PICK_NEXT = "▶"
PICK_PAGE = "{page}/{pages}"
PICK_TO_READ = _("Какое событие показать? Нажмите на него или пришлите номер.")
PICK_TO_EDIT = _("Какое событие изменить? Нажмите на него или пришлите номер.")
PICK_TO_DELETE = _("Какое событие удалить? Нажмите на него или пришлите номер.")
PICK_TO_SHARE = _("Какое событие сделать публичным? Нажмите на него или пришлите номер.")

# --- dates, reminders, time zones ---------------------------------------------------------
BTN_CAL_PREV = "‹"
BTN_CAL_NEXT = "›"
CAL_PAST_DAY = "·"
CAL_WEEKDAYS = (_("Пн"), _("Вт"), _("Ср"), _("Чт"), _("Пт"), _("Сб"), _("Вс"))
CAL_MONTHS = (
    _("Январь"),
    _("Февраль"),
    _("Март"),
    _("Апрель"),
    _("Май"),
    _("Июнь"),
    _("Июль"),
    _("Август"),
    _("Сентябрь"),
    _("Октябрь"),
    _("Ноябрь"),
    _("Декабрь"),
)
CAL_OUT_OF_RANGE = _("Этот месяц в календаре не открыть.")
WHEN_CHOSEN = _("Когда: {date} в {time}.")
DATE_CHOSEN = _("Дата: {date}.")

# --- repeat (🔁) ----------------------------------------------------------------------------
BTN_REPEAT = _("🔁 Повторять")
ASK_REPEAT = _("Как повторять «{name}»?")
BTN_REPEAT_DAILY = _("Каждый день")
BTN_REPEAT_WEEKDAYS = _("По будням")
BTN_REPEAT_WEEKLY = _("Каждую неделю")
BTN_REPEAT_FORTNIGHTLY = _("Каждые 2 недели")
BTN_REPEAT_MONTHLY = _("Каждый месяц")
BTN_REPEAT_YEARLY = _("Каждый год")
BTN_REPEAT_OFF = _("Не повторять")
BTN_REPEAT_TYPE = _("✏️ Написать своё")
ASK_REPEAT_RULE = _(
    "Напишите, как повторять событие #{id}, например: «каждый вторник», «по будням до 1 марта», "
    "«в последнюю пятницу месяца», «каждые 2 недели, 10 раз»."
)
REPEAT_SET = _("Готово: событие #{id} повторяется.\n{repeats}")
REPEAT_OFF = _("Готово: событие #{id} больше не повторяется.")
