"""Every word the bot says to people (Russian), plus the English command menu.

Handlers never hold literal texts: they pick them here, so wording changes in one place.
"""

from calendarapp.models import (
    APPOINTMENT_DETAILS_MAX_LENGTH,
    EVENT_DETAILS_MAX_LENGTH,
    EVENT_NAME_MAX_LENGTH,
)

# --- command menu: (command, Russian description, English description) -------------------
COMMANDS = [
    ("start", "Начало работы и меню", "Start and menu"),
    ("help", "Справка по командам", "Help"),
    ("register", "Регистрация", "Register"),
    ("login", "Привязать аккаунт (как /register)", "Link the account (same as /register)"),
    ("create_event", "Создать событие", "Create an event"),
    ("display_events", "Мои события", "My events"),
    ("read_event", "Показать событие: /read_event <номер>", "Show an event: /read_event <id>"),
    ("edit_event", "Изменить описание события", "Edit an event's details"),
    ("delete_event", "Удалить событие", "Delete an event"),
    ("share_event", "Сделать событие публичным или личным", "Make an event public or private"),
    ("my_public", "Мои публичные события", "My public events"),
    ("public_of", "Публичные события другого пользователя", "Another user's public events"),
    ("invite", "Пригласить на встречу", "Invite someone to a meeting"),
    ("meetings", "Мои встречи: ответить, отменить", "My meetings: answer, cancel"),
    ("calendar", "Мой календарь и ссылки для выгрузки", "My calendar and export links"),
    ("export", "Выгрузить календарь (CSV, JSON)", "Export the calendar (CSV, JSON)"),
    ("settings", "Напоминания по умолчанию", "Default reminders"),
    ("timezone", "Часовой пояс", "Time zone"),
    ("cancel", "Отменить текущее действие", "Cancel the current dialog"),
]

CANCEL_WORDS = ("отмена", "отменить", "cancel")

# --- buttons ------------------------------------------------------------------------------
BTN_CANCEL = "Отмена"
BTN_SKIP = "Пропустить"
BTN_CONFIRM_DELETE = "Да, удалить"
BTN_MAKE_PUBLIC = "Сделать публичным"
BTN_MAKE_PRIVATE = "Сделать личным"
BTN_PREV = "« Назад"
BTN_NEXT = "Дальше »"
BTN_EXPORT_CSV = "Скачать CSV"
BTN_EXPORT_JSON = "Скачать JSON"

# --- general ------------------------------------------------------------------------------
START = (
    "Привет! Я календарь-бот: храню ваши события, показываю публичные события других "
    "и выгружаю календарь в CSV и JSON.\n\n"
)
START_REGISTER_HINT = "Чтобы начать, зарегистрируйтесь: /register\n\n"


def help_text() -> str:
    lines = ["Команды:"]
    lines += [f"/{name} — {ru}" for name, ru, _en in COMMANDS]
    lines.append("\nВ любой момент диалога: /cancel или слово «Отмена».")
    return "\n".join(lines)


REGISTERED_NEW = "Готово, {name}, вы зарегистрированы. Создайте первое событие: /create_event"
REGISTERED_AGAIN = "Вы уже зарегистрированы, {name}. Данные профиля обновлены."
NEED_REGISTER = "Сначала зарегистрируйтесь: /register"
CANCELLED = "Отменено."
NOTHING_TO_CANCEL = "Сейчас нечего отменять."
UNKNOWN_COMMAND = "Такой команды нет. Список команд: /help"
NOT_UNDERSTOOD = "Не понял. Список команд: /help"
TEXT_EXPECTED = "Пришлите, пожалуйста, ответ текстом."
BUTTON_EXPIRED = "Эта кнопка уже не действует."
INTERNAL_ERROR = "Что-то пошло не так. Попробуйте ещё раз чуть позже."

# --- create -------------------------------------------------------------------------------
ASK_NAME = f"Как назовём событие? (до {EVENT_NAME_MAX_LENGTH} символов)"
ASK_DATE = (
    "Дата события? Выберите день в календаре или напишите: «завтра», «в пятницу», "
    "«25 декабря», «завтра в 15:00», «через 2 часа», 2026-12-31 или 31.12.2026."
)
ASK_TIME = "Время начала? Например 18:30 или «в 9:00»."
ASK_DETAILS = (
    f"Описание события (до {EVENT_DETAILS_MAX_LENGTH} символов). "
    "Если описание не нужно, нажмите «Пропустить» или отправьте «-»."
)
EVENT_CREATED = "Событие создано:\n{event}"

# --- read / list --------------------------------------------------------------------------
ASK_EVENT_ID = "Номер события? Номера видны в /display_events."
READ_USAGE = "Укажите номер события: /read_event 5. Номера видны в /display_events."
NO_EVENTS = "У вас пока нет событий. Создайте: /create_event"
NO_PUBLIC_EVENTS = "У вас нет публичных событий. Сделать событие публичным: /share_event"
NO_PUBLIC_OF = "У {user} нет публичных событий."
LIST_TITLE_MINE = "Ваши события"
LIST_TITLE_PUBLIC_MINE = "Ваши публичные события"
LIST_TITLE_PUBLIC_OF = "Публичные события {user}"
LIST_TITLE_CALENDAR = "Ваш календарь"
PAGE_SUFFIX = " (стр. {page} из {pages})"
PUBLIC_MARK = " 🌐"
EVENT_CARD = "Событие #{id}: {name}\nКогда: {date} {time}\nДоступ: {access}\n{details}"
ACCESS_PUBLIC = "публичное"
ACCESS_PRIVATE = "личное"
NO_DETAILS = "Описания нет."
DETAILS_PREFIX = "Описание: "

# --- edit ---------------------------------------------------------------------------------
ASK_NEW_DETAILS = f"Новое описание события #{{id}} (до {EVENT_DETAILS_MAX_LENGTH} символов):"
EVENT_EDITED = "Описание события #{id} обновлено."

# --- delete -------------------------------------------------------------------------------
CONFIRM_DELETE = "Удалить событие?\n{event}"
EVENT_DELETED = "Событие #{id} «{name}» удалено."
CONFIRM_DELETE_EXPECTED = "Нажмите «Да, удалить» или «Отмена»."

# --- share --------------------------------------------------------------------------------
SHARE_CHOICE = "Событие #{id} «{name}» сейчас {access}. Что сделать?"
SHARE_CHOICE_EXPECTED = "Выберите кнопкой, что сделать с событием, или нажмите «Отмена»."
NOW_PUBLIC = "Событие #{id} теперь публичное: его видят все в /public_of и в API."
NOW_PRIVATE = "Событие #{id} теперь личное: его видите только вы."

# --- public_of ----------------------------------------------------------------------------
ASK_WHOSE = "Чьи публичные события показать? Пришлите @username или Telegram ID."
USER_NOT_FOUND = "Пользователь {who} не найден. Пришлите @username или Telegram ID."

# --- export -------------------------------------------------------------------------------
EXPORT_LINKS = "Ссылки для выгрузки календаря действуют {minutes} мин."

# --- domain error codes -> words ----------------------------------------------------------
ERRORS = {
    "name_empty": "Название не может быть пустым.",
    "name_too_long": "Название длиннее {limit} символов.",
    "details_too_long": "Описание длиннее {limit} символов.",
    "in_past": "{date} {time} уже прошло. Укажите время в будущем.",
    "event_not_found": "Событие #{event_id} не найдено.",
    "not_found": "Не найдено.",
    "not_registered": NEED_REGISTER,
    "date_format": "Не понял дату. Формат ГГГГ-ММ-ДД или ДД.ММ.ГГГГ, например 2026-12-31.",
    "date_impossible": "Такой даты не бывает: {text}.",
    "date_in_past": "Эта дата уже прошла. Укажите сегодняшнюю или будущую дату.",
    "time_format": "Не понял время. Формат ЧЧ:ММ, например 18:30.",
    "time_impossible": "Такого времени не бывает: {text}.",
    "id_format": "Номер — это целое положительное число, например 5.",
    "invalid_tg_id": "Telegram ID — это целое положительное число.",
}


def error_text(error) -> str:
    """The Russian words for a DomainError (falls back to a generic sentence)."""
    template = ERRORS.get(error.code)
    if template is None:
        return "Не получилось: запрос некорректен."
    try:
        return template.format(**error.params)
    except (KeyError, IndexError):
        return template


# --- meetings -----------------------------------------------------------------------------
BTN_PICK_USER = "👤 Выбрать из контактов"
BTN_ACCEPT = "Принять"
BTN_DECLINE = "Отклонить"
BTN_CANCEL_MEETING = "Отменить #{id}"
ASK_PARTICIPANT = (
    "Кого пригласить? Нажмите «Выбрать из контактов» внизу или пришлите @username "
    "или Telegram ID участника."
)
PARTICIPANT_CHOSEN = "Приглашаем: {who}."
PARTICIPANT_EXPECTED = "Пришлите @username или Telegram ID участника либо выберите его кнопкой."
INVITEE_UNKNOWN = (
    "{who} ещё не пользуется ботом. Попросите его открыть бота, нажать /start и "
    "зарегистрироваться (/register) — после этого его можно пригласить."
)
ASK_INVITE_EVENT = "На какое событие приглашаем? Выберите кнопкой или пришлите номер события."
NO_EVENTS_TO_INVITE = "Сначала создайте событие, на которое позовёте: /create_event"
ASK_INVITE_DETAILS = (
    f"Комментарий к приглашению (до {APPOINTMENT_DETAILS_MAX_LENGTH} символов) — "
    "или нажмите «Пропустить»."
)
INVITE_SENT = (
    "Приглашение для {who} на «{name}» ({date} {time}) отправлено. "
    "Когда он ответит, я напишу. Ваши встречи: /meetings"
)
INVITATION = "{who} приглашает вас на встречу «{name}».\nКогда: {date} {time}{zone}"
INVITATION_COMMENT = "\nКомментарий: {details}"
INVITATION_ZONE = " ({zone})"
YOU_ACCEPTED = "✅ Вы приняли приглашение. Встреча в вашем календаре: /calendar"
YOU_DECLINED = "❌ Вы отклонили приглашение."
TOAST_ACCEPTED = "Приглашение принято."
TOAST_DECLINED = "Приглашение отклонено."
ALREADY_ANSWERED = {
    "confirmed": "Вы уже приняли это приглашение.",
    "cancelled": "Это приглашение уже отклонено или встреча отменена.",
}
INVITATION_GONE = "Этого приглашения больше нет."
ANSWER_ACCEPTED = "✅ {who} принимает приглашение на «{name}» ({date} {time})."
ANSWER_DECLINED = "❌ {who} отклоняет приглашение на «{name}» ({date} {time})."
MEETING_CANCELLED_BY = "🚫 {who} отменяет встречу «{name}» ({date} {time})."
INVITATION_UNDELIVERED = (
    "Не удалось доставить приглашение на «{name}» ({date} {time}): {who} заблокировал(а) "
    "бота. Встреча отменена."
)
MEETING_NO_EVENT = "(событие удалено)"
CALENDAR_MEETING_LINE = "🤝 встреча #{id} · {date} {time} · {name}"
MEETINGS_TITLE = "Ваши встречи"
NO_MEETINGS = "У вас нет встреч, ожидающих ответа или подтверждённых. Пригласить: /invite"
MEETING_AS_ORGANIZER = "#{id} · {date} {time} · «{name}»\n   вы пригласили {who} — {status}"
MEETING_AS_GUEST = "#{id} · {date} {time} · «{name}»\n   вас пригласил(а) {who} — {status}"
MEETING_STATUS = {"pending": "ждёт ответа", "confirmed": "подтверждена", "cancelled": "отменена"}
MEETING_CANCELLED = "Встреча #{id} отменена, {who} получит уведомление."

ERRORS.update(
    {
        "invite_self": (
            "Себя пригласить нельзя. Пришлите @username или Telegram ID другого человека."
        ),
        "participant_not_found": (
            "Пользователь {tg_id} ещё не пользуется ботом. Попросите его открыть бота, "
            "нажать /start и зарегистрироваться (/register) — после этого его можно пригласить."
        ),
        "participant_unreachable": (
            "Бот не может написать пользователю {tg_id}: он ещё не начинал диалог с ботом "
            "или заблокировал его. Попросите его открыть бота и нажать /start, затем /register."
        ),
        "organizer_not_found": NEED_REGISTER,
        "already_invited": "Этот человек уже приглашён на это событие.",
        "participant_busy": (
            "У участника уже есть встреча {date} в {time}. Выберите другое событие."
        ),
        "appointment_not_found": "Встреча #{appointment_id} не найдена.",
        "already_answered": "На это приглашение уже ответили.",
        "already_cancelled": "Эта встреча уже отменена.",
    }
)


# --- dates, reminders, time zones ---------------------------------------------------------
BTN_CAL_PREV = "‹"
BTN_CAL_NEXT = "›"
CAL_PAST_DAY = "·"
CAL_WEEKDAYS = ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс")
CAL_MONTHS = (
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
)
CAL_OUT_OF_RANGE = "Этот месяц в календаре не открыть."
CAL_DAY_PAST = "Этот день уже прошёл."
WHEN_CHOSEN = "Когда: {date} в {time}."
DATE_CHOSEN = "Дата: {date}."

# Reminder lead times (minutes; None: no reminder), as buttons and in sentences.
REMINDER_BUTTONS = {
    None: "Без напоминания",
    10: "За 10 минут",
    30: "За 30 минут",
    60: "За 1 час",
    1440: "За 1 день",
}
REMINDER_PHRASES = {
    None: "без напоминания",
    10: "за 10 минут",
    30: "за 30 минут",
    60: "за 1 час",
    1440: "за 1 день",
}
CHOSEN_MARK = "✓ "
ASK_REMINDER = (
    "Напомнить о событии? По умолчанию — {default} (меняется в /settings); "
    "«Пропустить» оставит его."
)
REMINDER_OF_EVENT = "Напоминание: {phrase}."
REMINDER_ALREADY_DUE = "Напоминание: {phrase} — это время уже наступило, напоминать не буду."

SETTINGS = (
    "Настройки\n"
    "Часовой пояс: {zone} (сейчас там {now}). Сменить: /timezone\n"
    "Напоминание о новых событиях по умолчанию: {phrase}.\n\n"
    "Выберите, за сколько напоминать:"
)
SETTINGS_SAVED = "Сохранено: {phrase}."

ASK_TIMEZONE = (
    "Ваш часовой пояс: {zone} (сейчас там {now}).\n"
    "Выберите новый кнопкой или напишите название вроде Europe/Berlin или город (Новосибирск, "
    "London)."
)
TIMEZONE_SET = (
    "Часовой пояс: {zone}, сейчас там {now}. Даты и время событий считаются в нём; "
    "напоминания пересчитаны."
)
# Button labels of the common zones (services.timezones.COMMON_TIMEZONES).
TIMEZONE_CITIES = {
    "Europe/Kaliningrad": "Калининград",
    "Europe/Moscow": "Москва",
    "Europe/Samara": "Самара",
    "Asia/Yekaterinburg": "Екатеринбург",
    "Asia/Novosibirsk": "Новосибирск",
    "Asia/Vladivostok": "Владивосток",
    "Europe/Minsk": "Минск",
    "Europe/Berlin": "Берлин",
    "Europe/London": "Лондон",
    "America/New_York": "Нью-Йорк",
}

REMINDER_MESSAGE = "🔔 Напоминание: «{name}» {starts} — {date} в {time} ({zone})."
REMINDER_MEETING = "🔔 Напоминание о встрече: «{name}» {starts} — {date} в {time} ({zone})."
STARTS_IN_MINUTES = "начнётся через {minutes} мин"
STARTS_IN_HOURS_EXACT = "начнётся через {hours} ч"
STARTS_IN_HOURS = "начнётся через {hours} ч {minutes} мин"
STARTS_IN_DAYS = "начнётся через {days} дн."
STARTS_NOW = "начинается сейчас"

ERRORS.update(
    {
        "date_invalid": (
            "Не понял дату «{text}». Напишите, например, «завтра», «в пятницу», «25 декабря», "
            "2026-12-31 или 31.12.2026, или выберите день в календаре."
        ),
        "time_invalid": "Не понял время «{text}». Напишите, например, 18:30.",
        "reminder_invalid": "Такого варианта нет: выберите кнопкой, за сколько напомнить.",
        "timezone_unknown": (
            "Не знаю часового пояса «{text}». Напишите название вроде Europe/Berlin "
            "или город, например Новосибирск."
        ),
    }
)
