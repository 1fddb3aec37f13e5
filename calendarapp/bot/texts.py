"""Every word the bot says to people (Russian), plus the English command menu.

Handlers never hold literal texts: they pick them here, so wording changes in one place.
"""

from calendarapp.models import EVENT_DETAILS_MAX_LENGTH, EVENT_NAME_MAX_LENGTH

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
    ("calendar", "Мой календарь и ссылки для выгрузки", "My calendar and export links"),
    ("export", "Выгрузить календарь (CSV, JSON)", "Export the calendar (CSV, JSON)"),
    ("feed", "Ссылка-подписка для Google и Apple Календаря", "Calendar subscription link"),
    ("feed_reset", "Сменить ссылку-подписку (старая перестанет работать)", "New subscription link"),
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
ASK_DATE = "Дата события? Формат ГГГГ-ММ-ДД или ДД.ММ.ГГГГ, например 2026-12-31."
ASK_TIME = "Время начала? Формат ЧЧ:ММ, например 18:30."
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
    # Params may echo what the user typed: a lone surrogate there could not even be sent.
    params = {
        key: value.encode("utf-8", "replace").decode() if isinstance(value, str) else value
        for key, value in error.params.items()
    }
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


# --- pick by buttons, calendar feed (issue 7 points 4 and 6) ------------------------------
PICK_PREV = "◀"
PICK_NEXT = "▶"
PICK_PAGE = "{page}/{pages}"
PICK_TO_READ = "Какое событие показать? Нажмите на него или пришлите номер."
PICK_TO_EDIT = "Описание какого события изменить? Нажмите на него или пришлите номер."
PICK_TO_DELETE = "Какое событие удалить? Нажмите на него или пришлите номер."
PICK_TO_SHARE = "Какое событие сделать публичным или личным? Нажмите на него или пришлите номер."
FEED_HOWTO = (
    "Google Календарь: «Другие календари» → «+» → «Добавить по URL», вставьте первую ссылку. "
    "Apple Календарь: откройте вторую ссылку или «Файл» → «Новая подписка на календарь».\n\n"
    "В подписке ваши события и подтверждённые встречи; приложение само обновляет её. "
    "Не пересылайте ссылку: по ней виден ваш календарь. Сменить ссылку: /feed_reset"
)
FEED_LINKS = (
    "Ваша личная ссылка-подписка на календарь:\n{https}\n\n"
    "Для приложения календаря:\n{webcal}\n\n" + FEED_HOWTO
)
FEED_RESET = (
    "Готово: старая ссылка больше не работает. Новая ссылка-подписка:\n{https}\n\n"
    "Для приложения календаря:\n{webcal}\n\n"
    "Подписки по старой ссылке перестанут обновляться: подпишитесь заново по новой."
)
