"""The bot's Bot API client: python-telegram-bot's ExtBot, minus work nobody reads.

Telegram answers sendMessage and the edit methods with the whole message, the inline
keyboard it was sent with included, and python-telegram-bot turns that echo into objects
again (a month calendar: about 45 button objects, ~0.4 ms of CPU per answer, for every
date question). No handler reads the keyboard of a message the bot itself sent (it built
it), so the echo is dropped before parsing; the rest of the returned `Message` is intact.
"""

from .i18n import TranslatingBot

# Methods whose result is the sent or edited message (or True for inline messages).
_MESSAGE_RESULTS = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "editMessageMedia",
    }
)


class CalendarBot(TranslatingBot):
    __slots__ = ()

    async def _do_post(self, endpoint: str, data: dict, **kwargs):
        result = await super()._do_post(endpoint, data, **kwargs)
        if endpoint in _MESSAGE_RESULTS and isinstance(result, dict):
            result.pop("reply_markup", None)
        return result
