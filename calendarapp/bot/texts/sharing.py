"""Public events: /share_event, /my_public, /public_of."""

from django.utils.translation import gettext_lazy as _

from calendarapp.bot.texts.errors import ERRORS

# --- share --------------------------------------------------------------------------------
ALREADY_PUBLIC = _("Событие #{id} «{name}» уже публичное. Сделать его личным?")
NOW_PUBLIC = _("Событие #{id} теперь публичное: его видят все в /public_of и в API.")
NOW_PRIVATE = _("Событие #{id} теперь личное: его видите только вы.")

# --- public_of ----------------------------------------------------------------------------
ASK_WHOSE = _("Чьи публичные события показать? Пришлите @username или Telegram ID.")
USER_NOT_FOUND = _("Пользователь {who} не найден. Пришлите @username или Telegram ID.")

# A typed @username that no Telegram account can have (/public_of, /invite).
ERRORS["username_invalid"] = _(
    "Такого имени пользователя в Telegram не бывает. Пришлите @username (без пробелов, "
    "не длиннее {limit} символов) или Telegram ID."
)
