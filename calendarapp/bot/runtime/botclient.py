"""The bot's Bot API client: python-telegram-bot's ExtBot, minus work nobody reads, plus
one fallback Telegram makes necessary.

Telegram answers sendMessage and the edit methods with the whole message, the inline
keyboard it was sent with included, and python-telegram-bot turns that echo into objects
again (a month calendar: about 45 button objects, ~0.4 ms of CPU per answer, for every
date question). No handler reads the keyboard of a message the bot itself sent (it built
it), so the echo is dropped before parsing; the rest of the returned `Message` is intact.

Telegram refuses URL buttons to addresses it considers invalid (a host without a dot, such
as `localhost`: "BUTTON_URL_INVALID"), and a newcomer's SITE_BASE_URL is such an address.
Rather than losing the whole answer (a /calendar page with its export links), the message
is sent again with those links written into its text.
"""

import logging

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest

from calendarapp.bot.runtime.i18n import TranslatingBot

logger = logging.getLogger("calendarapp.bot")

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
_TEXT_METHODS = frozenset({"sendMessage", "editMessageText"})


def refused_url(error: BadRequest) -> bool:
    message = str(error).lower()
    return "url" in message and ("invalid" in message or "wrong" in message)


def links_in_text(data: dict) -> dict | None:
    """The request with its URL buttons moved into the text, or None if it has none."""
    markup = data.get("reply_markup")
    if not isinstance(markup, InlineKeyboardMarkup):
        return None
    links = [button for row in markup.inline_keyboard for button in row if button.url]
    if not links:
        return None
    rows = [[button for button in row if not button.url] for row in markup.inline_keyboard]
    rows = [row for row in rows if row]
    lines = "\n".join(f"{button.text}: {button.url}" for button in links)
    return data | {
        "text": f"{data['text']}\n\n{lines}",
        "reply_markup": InlineKeyboardMarkup(rows) if rows else None,
    }


class CalendarBot(TranslatingBot):
    __slots__ = ()

    async def _do_post(self, endpoint: str, data: dict, **kwargs):
        try:
            result = await super()._do_post(endpoint, data, **kwargs)
        except BadRequest as error:
            fallback = links_in_text(data) if endpoint in _TEXT_METHODS else None
            if fallback is None or not refused_url(error):
                raise
            logger.warning(
                "Telegram refused URL buttons (%s); links sent in the text instead. "
                "Set SITE_BASE_URL to a public https address to get buttons.",
                error,
            )
            fallback = {key: value for key, value in fallback.items() if value is not None}
            result = await super()._do_post(endpoint, fallback, **kwargs)
        if endpoint in _MESSAGE_RESULTS and isinstance(result, dict):
            result.pop("reply_markup", None)
        return result
