"""Words of every dialog: the command menu, buttons, greetings, cancel and fallbacks."""

from django.utils.translation import gettext_lazy as _

# --- command menu: (command, description); the English menu comes from the catalog --------
COMMANDS = [
    ("start", _("Начало работы и меню")),
    ("help", _("Справка по командам")),
    ("register", _("Регистрация")),
    ("login", _("Привязать аккаунт (как /register)")),
    ("create_event", _("Создать событие")),
    ("display_events", _("Мои события")),
    ("read_event", _("Показать событие: /read_event <номер>")),
    ("edit_event", _("Изменить событие: название, дату, время, описание")),
    ("delete_event", _("Удалить событие")),
    ("share_event", _("Сделать событие публичным или личным")),
    ("my_public", _("Мои публичные события")),
    ("public_of", _("Публичные события другого пользователя")),
    ("invite", _("Пригласить на встречу")),
    ("meetings", _("Мои встречи: ответить, отменить")),
    ("post", _("Карточка события для любого чата: /post <номер>")),
    ("calendar", _("Мой календарь и ссылки для выгрузки")),
    ("app", _("Календарь на экране: месяц, неделя, список")),
    ("export", _("Выгрузить календарь (CSV, JSON)")),
    ("language", _("Язык бота: русский или английский")),
    ("feed", _("Ссылка-подписка для Google и Apple Календаря")),
    ("feed_reset", _("Сменить ссылку-подписку (старая перестанет работать)")),
    ("import", _("Импорт календаря: пришлите файл .ics или /import <ссылка>")),
    ("settings", _("Напоминания по умолчанию")),
    ("timezone", _("Часовой пояс")),
    ("cancel", _("Отменить текущее действие")),
]

# How every answer writes a day (ui/formatting.py): 31.12.2026.
DATE_FORMAT = "%d.%m.%Y"

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
BTN_OPEN_APP = _("📅 Открыть в календаре")
MENU_APP = _("Календарь")  # the chat's menu button, beside the input field

# --- the Mini App (/app) ------------------------------------------------------------------
APP_OPEN = _("Ваш календарь: месяц, неделя и список, с формой для нового события.")
APP_NEEDS_HTTPS = _(
    "Календарь на экране открывается только по https, а этот сервер работает по адресу "
    "{url}. Администратору: задайте SITE_BASE_URL с https://. А пока — /display_events "
    "и /calendar."
)

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
