"""The bot's side of languages: the language of an update, and lazy texts made sendable.

`CalendarApplication.process_update` activates `update_language(update, profile)` with
`translation.override` around the whole handling, answers included. Django keeps the active
language in a context variable (asgiref's Local), so updates of different users, handled
concurrently in their own asyncio tasks, never see each other's language; the ORM thread
pool gets it passed explicitly (see orm.py).
"""

from django.utils.functional import Promise
from telegram import TelegramObject, Update
from telegram.ext import ExtBot

from calendarapp.bot.transport.http import AiohttpRequest
from calendarapp.i18n import DEFAULT_LANGUAGE, resolve_language
from calendarapp.models import TgUser


def update_language(update: object, profile: TgUser | None) -> str:
    """The sender's /language choice (`profile`: their row, see profiles.py), else their
    Telegram client's language."""
    user = update.effective_user if isinstance(update, Update) else None
    if user is None:
        return DEFAULT_LANGUAGE
    return resolve_language(profile.language if profile is not None else "", user.language_code)


def _plain(value: object) -> tuple[object, bool]:
    """(value with lazy texts turned into str in the active language, whether any were)."""
    if isinstance(value, Promise):
        return str(value), True
    if isinstance(value, TelegramObject):
        data, changed = _plain(value.to_dict())
        return (data, True) if changed else (value, False)
    if isinstance(value, dict):
        items = {key: _plain(item) for key, item in value.items()}
        if any(changed for _item, changed in items.values()):
            return {key: item for key, (item, _changed) in items.items()}, True
        return value, False
    if isinstance(value, list | tuple):
        items = [_plain(item) for item in value]
        if any(changed for _item, changed in items):
            return [item for item, _changed in items], True
        return value, False
    return value, False


def plain(value: object) -> object:
    """`value` (a text, a dict, a list, a TelegramObject) with lazy texts rendered now."""
    return _plain(value)[0]


class TranslatingBot(ExtBot):
    """An ExtBot that accepts Django's lazy texts anywhere in a request.

    Handlers may pass `texts.X` as it is (a message, a button label, a callback answer);
    without this, JSON encoding of the request would fail on the lazy object. The text is
    rendered at send time, which is inside the update's language.

    With the aiohttp client (bot/transport/http.py) the JSON encoder renders them, so nothing
    here has to walk each request (and turn each keyboard into a dict) to look for them; python-
    telegram-bot leaves values it does not know as they are up to the encoding.
    """

    __slots__ = ()

    def _insert_defaults(self, data: dict[str, object]) -> None:
        super()._insert_defaults(data)
        if isinstance(self.request, AiohttpRequest):
            return
        for key, value in data.items():
            converted, changed = _plain(value)
            if changed:
                data[key] = converted
