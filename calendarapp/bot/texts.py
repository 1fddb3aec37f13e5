"""Every word the bot says to people, in Russian, marked for translation.

Handlers never hold literal texts: they pick them here, so wording changes in one place.
Each text is `gettext_lazy` (`_`): Russian is the source language (the msgid), and the text
turns into the language active for the update (see calendarapp/i18n.py) only when it is
used (`str()`, `.format()`, or sent: the bot converts lazy texts it is given). A new text:
wrap it in `_()` and run `make messages` (docs/architecture.md, "Languages").
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from calendarapp.models import (
    APPOINTMENT_DETAILS_MAX_LENGTH,
    EVENT_DETAILS_MAX_LENGTH,
    EVENT_NAME_MAX_LENGTH,
)

# --- command menu: (command, description); the English menu comes from the catalog --------
COMMANDS = [
    ("start", _("Начало работы и меню")),
    ("help", _("Справка по командам")),
    ("register", _("Регистрация")),
    ("login", _("Привязать аккаунт (как /register)")),
    ("create_event", _("Создать событие")),
    ("display_events", _("Мои события")),
    ("read_event", _("Показать событие: /read_event <номер>")),
    ("edit_event", _("Изменить описание события")),
    ("delete_event", _("Удалить событие")),
    ("share_event", _("Сделать событие публичным или личным")),
    ("my_public", _("Мои публичные события")),
    ("public_of", _("Публичные события другого пользователя")),
    ("invite", _("Пригласить на встречу")),
    ("meetings", _("Мои встречи: ответить, отменить")),
    ("calendar", _("Мой календарь и ссылки для выгрузки")),
    ("export", _("Выгрузить календарь (CSV, JSON)")),
    ("language", _("Язык бота: русский или английский")),
    ("feed", _("Ссылка-подписка для Google и Apple Календаря")),
    ("feed_reset", _("Сменить ссылку-подписку (старая перестанет работать)")),
    ("settings", _("Напоминания по умолчанию")),
    ("timezone", _("Часовой пояс")),
    ("cancel", _("Отменить текущее действие")),
]

# Words that cancel a dialog, in any language the bot speaks.
CANCEL_WORDS = ("отмена", "отменить", "cancel")

# --- buttons ------------------------------------------------------------------------------
BTN_CANCEL = _("Отмена")
BTN_SKIP = _("Пропустить")
BTN_CONFIRM_DELETE = _("Да, удалить")
BTN_MAKE_PUBLIC = _("Сделать публичным")
BTN_MAKE_PRIVATE = _("Сделать личным")
BTN_PREV = _("« Назад")
BTN_NEXT = _("Дальше »")
BTN_EXPORT_CSV = _("Скачать CSV")
BTN_EXPORT_JSON = _("Скачать JSON")

# --- general ------------------------------------------------------------------------------
START = _(
    "Привет! Я календарь-бот: храню ваши события, показываю публичные события других "
    "и выгружаю календарь в CSV и JSON.\n\n"
)
START_REGISTER_HINT = _("Чтобы начать, зарегистрируйтесь: /register\n\n")
HELP_TITLE = _("Команды:")
HELP_CANCEL_HINT = _("В любой момент диалога: /cancel или слово «Отмена».")


def command_menu() -> list[tuple[str, str]]:
    """(command, description) in the active language."""
    return [(name, str(description)) for name, description, *_rest in COMMANDS]


def help_text() -> str:
    lines = [str(HELP_TITLE)]
    lines += [f"/{name} — {description}" for name, description in command_menu()]
    lines.append(f"\n{HELP_CANCEL_HINT}")
    return "\n".join(lines)


REGISTERED_NEW = _("Готово, {name}, вы зарегистрированы. Создайте первое событие: /create_event")
REGISTERED_AGAIN = _("Вы уже зарегистрированы, {name}. Данные профиля обновлены.")
NEED_REGISTER = _("Сначала зарегистрируйтесь: /register")
CANCELLED = _("Отменено.")
NOTHING_TO_CANCEL = _("Сейчас нечего отменять.")
DIALOG_LEFT = _("Предыдущий диалог закрыт.")
UNKNOWN_COMMAND = _("Такой команды нет. Список команд: /help")
NOT_UNDERSTOOD = _("Не понял. Список команд: /help")
TEXT_EXPECTED = _("Пришлите, пожалуйста, ответ текстом.")
BUTTON_EXPIRED = _("Эта кнопка уже не действует.")
INTERNAL_ERROR = _("Что-то пошло не так. Попробуйте ещё раз чуть позже.")
PRIVATE_CHATS_ONLY = _(
    "Я работаю только в личном чате, чтобы ваши события не видели другие. "
    "Напишите мне в личные сообщения."
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

# --- read / list --------------------------------------------------------------------------
ASK_EVENT_ID = _("Номер события? Номера видны в /display_events.")
READ_USAGE = _("Укажите номер события: /read_event 5. Номера видны в /display_events.")
NO_EVENTS = _("У вас пока нет событий. Создайте: /create_event")
NO_PUBLIC_EVENTS = _("У вас нет публичных событий. Сделать событие публичным: /share_event")
NO_PUBLIC_OF = _("У пользователя {user} нет публичных событий.")
LIST_TITLE_MINE = _("Ваши события")
LIST_TITLE_PUBLIC_MINE = _("Ваши публичные события")
LIST_TITLE_PUBLIC_OF = _("Публичные события пользователя {user}")
LIST_TITLE_CALENDAR = _("Ваш календарь")
PAGE_SUFFIX = _(" (стр. {page} из {pages})")
PUBLIC_MARK = " 🌐"  # a sign, not a word: the same in every language
EVENT_CARD = _("Событие #{id}: {name}\nКогда: {date} {time}\nДоступ: {access}\n{details}")
ACCESS_PUBLIC = _("публичное")
ACCESS_PRIVATE = _("личное")
NO_DETAILS = _("Описания нет.")
DETAILS_PREFIX = _("Описание: ")

# --- edit ---------------------------------------------------------------------------------
ASK_NEW_DETAILS = _(
    "Новое описание события #{id} (до {limit} символов). Чтобы убрать описание, отправьте «-»."
)
EVENT_EDITED = _("Описание события #{id} обновлено.")

# --- delete -------------------------------------------------------------------------------
CONFIRM_DELETE = _("Удалить событие?\n{event}")
EVENT_DELETED = _("Событие #{id} «{name}» удалено.")
CONFIRM_DELETE_EXPECTED = _("Нажмите «Да, удалить» или «Отмена».")

# --- share --------------------------------------------------------------------------------
SHARE_CHOICE = _("Событие #{id} «{name}» сейчас {access}. Что сделать?")
SHARE_CHOICE_EXPECTED = _("Выберите кнопкой, что сделать с событием, или нажмите «Отмена».")
NOW_PUBLIC = _("Событие #{id} теперь публичное: его видят все в /public_of и в API.")
NOW_PRIVATE = _("Событие #{id} теперь личное: его видите только вы.")

# --- public_of ----------------------------------------------------------------------------
ASK_WHOSE = _("Чьи публичные события показать? Пришлите @username или Telegram ID.")
USER_NOT_FOUND = _("Пользователь {who} не найден. Пришлите @username или Telegram ID.")

# --- export -------------------------------------------------------------------------------
EXPORT_LINKS = _("Ссылки для выгрузки календаря действуют {minutes} мин.")

# --- domain error codes -> words ----------------------------------------------------------
ERRORS = {
    "name_empty": _("Название не может быть пустым."),
    "name_too_long": _("Название длиннее {limit} символов."),
    "details_too_long": _("Описание длиннее {limit} символов."),
    "in_past": _("{date} {time} уже прошло. Укажите время в будущем."),
    "event_not_found": _("Событие #{event_id} не найдено."),
    "not_found": _("Не найдено."),
    "not_registered": NEED_REGISTER,
    "date_format": _("Не понял дату. Формат ГГГГ-ММ-ДД или ДД.ММ.ГГГГ, например 2026-12-31."),
    "date_impossible": _("Такой даты не бывает: {text}."),
    "date_in_past": _("Эта дата уже прошла. Укажите сегодняшнюю или будущую дату."),
    "date_too_far": _("Это слишком далеко. Укажите дату не позже {latest}."),
    "time_format": _("Не понял время. Формат ЧЧ:ММ, например 18:30."),
    "time_impossible": _("Такого времени не бывает: {text}."),
    "id_format": _("Номер — это целое положительное число, например 5."),
    "invalid_tg_id": _("Telegram ID — это целое положительное число."),
}
ERROR_FALLBACK = _("Не получилось: запрос некорректен.")


def error_text(error) -> str:
    """The words for a DomainError in the active language (a generic sentence if unknown)."""
    template = ERRORS.get(error.code, ERROR_FALLBACK)
    # Params may echo what the user typed: a lone surrogate there could not even be sent.
    params = {
        key: value.encode("utf-8", "replace").decode() if isinstance(value, str) else value
        for key, value in error.params.items()
    }
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return str(template)


# --- language -----------------------------------------------------------------------------
# Button labels are the languages' own names (settings.LANGUAGES), never translated.
LANGUAGE_ASK = _("Выберите язык бота. Сейчас: {language}.")
LANGUAGE_SET = _("Готово, язык бота: {language}. Сменить: /language")
ERRORS["language_unknown"] = _("Такого языка нет: {language}. Выберите кнопкой.")


# --- pick by buttons, calendar feed (issue 7 points 4 and 6) ------------------------------
PICK_PREV = "◀"
PICK_NEXT = "▶"
PICK_PAGE = "{page}/{pages}"
PICK_TO_READ = _("Какое событие показать? Нажмите на него или пришлите номер.")
PICK_TO_EDIT = _("Описание какого события изменить? Нажмите на него или пришлите номер.")
PICK_TO_DELETE = _("Какое событие удалить? Нажмите на него или пришлите номер.")
PICK_TO_SHARE = _("Какое событие сделать публичным или личным? Нажмите на него или пришлите номер.")
FEED_HOWTO = _(
    "Google Календарь: «Другие календари» → «+» → «Добавить по URL», вставьте первую ссылку. "
    "Apple Календарь: откройте вторую ссылку или «Файл» → «Новая подписка на календарь».\n\n"
    "В подписке ваши события и подтверждённые встречи; приложение само обновляет её. "
    "Не пересылайте ссылку: по ней виден ваш календарь. Сменить ссылку: /feed_reset"
)
FEED_LINKS = format_lazy(
    "{}{}",
    _(
        "Ваша личная ссылка-подписка на календарь:\n{https}\n\n"
        "Для приложения календаря:\n{webcal}\n\n"
    ),
    FEED_HOWTO,
)
FEED_RESET = _(
    "Готово: старая ссылка больше не работает. Новая ссылка-подписка:\n{https}\n\n"
    "Для приложения календаря:\n{webcal}\n\n"
    "Подписки по старой ссылке перестанут обновляться: подпишитесь заново по новой."
)


# --- meetings -----------------------------------------------------------------------------
BTN_PICK_USER = _("👤 Выбрать из контактов")
BTN_ACCEPT = _("Принять")
BTN_DECLINE = _("Отклонить")
BTN_CANCEL_MEETING = _("Отменить #{id}")
BTN_ACCEPT_MEETING = _("✅ Принять #{id}")
BTN_DECLINE_MEETING = _("❌ Отклонить #{id}")
ASK_PARTICIPANT = _(
    "Кого пригласить? Нажмите «Выбрать из контактов» внизу или пришлите @username "
    "или Telegram ID участника."
)
PARTICIPANT_CHOSEN = _("Приглашаем: {who}.")
PARTICIPANT_EXPECTED = _("Пришлите @username или Telegram ID участника либо выберите его кнопкой.")
INVITEE_UNKNOWN = _(
    "{who} ещё не пользуется ботом. Попросите его открыть бота, нажать /start и "
    "зарегистрироваться (/register) — после этого его можно пригласить."
)
INVITEE_UNREACHABLE = _(
    "Бот не может написать {who}: этот человек ещё не начинал диалог с ботом или "
    "заблокировал его. Попросите его открыть бота и нажать /start."
)
ASK_INVITE_EVENT = _("На какое событие приглашаем? Выберите кнопкой или пришлите номер события.")
ASK_INVITE_DETAILS = format_lazy(
    _("Комментарий к приглашению (до {limit} символов) — или нажмите «Пропустить»."),
    limit=APPOINTMENT_DETAILS_MAX_LENGTH,
)
INVITE_SENT = _(
    "Приглашение для {who} на «{name}» ({date} {time}) отправлено. "
    "Когда участник ответит, я напишу. Ваши встречи: /meetings"
)
INVITATION = _("{who} приглашает вас на встречу «{name}».\nКогда: {date} {time}{zone}")
INVITATION_COMMENT = _("\nКомментарий: {details}")
INVITATION_ZONE = " ({zone})"
YOU_ACCEPTED = _("✅ Вы приняли приглашение. Встреча в вашем календаре: /calendar")
YOU_DECLINED = _("❌ Вы отклонили приглашение.")
TOAST_ACCEPTED = _("Приглашение принято.")
TOAST_DECLINED = _("Приглашение отклонено.")
ALREADY_ANSWERED = {
    "confirmed": _("Вы уже приняли это приглашение."),
    "cancelled": _("Это приглашение уже отклонено или встреча отменена."),
}
INVITATION_GONE = _("Этого приглашения больше нет.")
ANSWER_ACCEPTED = _("✅ {who} принимает приглашение на «{name}» ({date} {time}).")
ANSWER_DECLINED = _("❌ {who} отклоняет приглашение на «{name}» ({date} {time}).")
MEETING_CANCELLED_BY = _("🚫 {who} отменяет встречу «{name}» ({date} {time}).")
INVITATION_UNDELIVERED = _(
    "Не удалось доставить приглашение на «{name}» ({date} {time}): {who} заблокировал(а) "
    "бота. Встреча отменена."
)
MEETING_NO_EVENT = _("(событие удалено)")
CALENDAR_MEETING_LINE = _("🤝 встреча #{id} · {date} {time} · {name}")
MEETINGS_TITLE = _("Ваши встречи")
NO_MEETINGS = _("У вас нет встреч, ожидающих ответа или подтверждённых. Пригласить: /invite")
MEETING_AS_ORGANIZER = _("#{id} · {date} {time} · «{name}»\n   вы пригласили {who} — {status}")
MEETING_AS_GUEST = _("#{id} · {date} {time} · «{name}»\n   вас пригласил(а) {who} — {status}")
MEETING_STATUS = {
    "pending": _("ждёт ответа"),
    "confirmed": _("подтверждена"),
    "cancelled": _("отменена"),
}
MEETING_CANCELLED = _("Встреча #{id} отменена, {who} получит уведомление.")

ERRORS.update(
    {
        "invite_self": (
            _("Себя пригласить нельзя. Пришлите @username или Telegram ID другого человека.")
        ),
        "participant_not_found": (
            _(
                "Пользователь {tg_id} ещё не пользуется ботом. Попросите его открыть бота, "
                "нажать /start и зарегистрироваться (/register) — после этого его можно пригласить."
            )
        ),
        "participant_unreachable": (
            _(
                "Бот не может написать пользователю {tg_id}: он ещё не начинал диалог с ботом "
                "или заблокировал его. Попросите его открыть бота и нажать /start."
            )
        ),
        "organizer_not_found": NEED_REGISTER,
        "already_invited": _("Этот человек уже приглашён на это событие."),
        "participant_busy": (
            _("У участника уже есть встреча {date} в {time}. Выберите другое событие.")
        ),
        "appointment_not_found": _("Встреча #{appointment_id} не найдена."),
        "already_answered": _("На это приглашение уже ответили."),
        "already_cancelled": _("Эта встреча уже отменена."),
    }
)


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
CAL_DAY_PAST = _("Этот день уже прошёл.")
WHEN_CHOSEN = _("Когда: {date} в {time}.")
DATE_CHOSEN = _("Дата: {date}.")

# Reminder lead times (minutes; None: no reminder), as buttons and in sentences.
REMINDER_BUTTONS = {
    None: _("Без напоминания"),
    10: _("За 10 минут"),
    30: _("За 30 минут"),
    60: _("За 1 час"),
    1440: _("За 1 день"),
}
REMINDER_PHRASES = {
    None: _("без напоминания"),
    10: _("за 10 минут"),
    30: _("за 30 минут"),
    60: _("за 1 час"),
    1440: _("за 1 день"),
}
CHOSEN_MARK = "✓ "
ASK_REMINDER = _(
    "Напомнить о событии? По умолчанию — {default} (меняется в /settings); "
    "«Пропустить» оставит его."
)
REMINDER_OF_EVENT = _("Напоминание: {phrase}.")
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
    "Выберите новый кнопкой или напишите название вроде Europe/Berlin или город (Новосибирск, "
    "London)."
)
TIMEZONE_SET = _(
    "Часовой пояс: {zone}, сейчас там {now}. Даты и время событий считаются в нём; "
    "напоминания пересчитаны."
)
# Button labels of the common zones (services.timezones.COMMON_TIMEZONES).
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

REMINDER_MESSAGE = _("🔔 Напоминание: «{name}» {starts} — {date} в {time} ({zone}).")
REMINDER_MEETING = _("🔔 Напоминание о встрече: «{name}» {starts} — {date} в {time} ({zone}).")
STARTS_IN_MINUTES = _("начнётся через {minutes} мин")
STARTS_IN_HOURS_EXACT = _("начнётся через {hours} ч")
STARTS_IN_HOURS = _("начнётся через {hours} ч {minutes} мин")
STARTS_IN_DAYS = _("начнётся через {days} дн.")
STARTS_NOW = _("начинается сейчас")

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
        "timezone_unknown": (
            _(
                "Не знаю часового пояса «{text}». Напишите название вроде Europe/Berlin "
                "или город, например Новосибирск."
            )
        ),
    }
)
