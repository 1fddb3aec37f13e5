"""Words of `manage.py chat`, the terminal console that plays a Telegram client offline.

Not the bot's words: the console's own help, prompt and markers around what the bot says.
They follow the language the bot speaks to the console's user.
"""

from django.utils.translation import gettext_lazy as _

CHAT_HELP = _(
    "Чат с ботом без Telegram: настоящий бот и база данных, поддельный Telegram.\n"
    "Пишите текст или /команды. Сообщения бота пронумерованы (#3), кнопки помечены "
    "в скобках: !15 — кнопка [15] (в календаре это 15-е число), !a — кнопка [a], "
    "!Отмена — кнопка по надписи; кнопка старого сообщения: !3.a или !3.15.\n"
    "Медиа: :photo, :sticker. Другой пользователь: :as <id> [username]; выбрать "
    "пользователя кнопкой выбора контакта: :share <id>. Подсказка: :help. "
    "Выход: :quit или Ctrl-D.\n"
    "Журнал бота: {log} (--verbose — показывать его здесь)."
)
CHAT_PROMPT = _("вы: ")
CHAT_BOT = _("бот")
CHAT_BOT_EDITED = _("бот, изменено")
CHAT_TOAST = _("(всплывающее уведомление) {text}")
CHAT_KEYBOARD = _("клавиатура: {buttons}  (напишите надпись кнопки; выбор контакта: :share <id>)")
CHAT_NO_BUTTONS = _("нет сообщений с кнопками")
CHAT_NO_MESSAGE = _("нет сообщения #{number}")
CHAT_NO_BUTTON = _("нет кнопки «{key}» в сообщении #{number}; кнопки: {keys}")
CHAT_LINK = _("ссылка: {url}")
CHAT_SILENT = _("(бот молчит; журнал: {log})")
CHAT_AS_USAGE = _(":as <число> [username] — например, :as 4343 kim")
CHAT_NOW_YOU = _("теперь вы — {name} ({id})")
CHAT_SHARE_USAGE = _(":share <число> — id пользователя, например, :share 4343")
CHAT_NO_PICKER = _("в этом чате нет кнопки выбора пользователя (её показывает /invite)")
CHAT_UNREAD = _("новое сообщение для {name} ({id}); прочитать: :as {id}")
