"""Outgoing request pacing and retries.

`AIORateLimiter` keeps within Telegram's flood limits and retries 429 after `retry_after`.
It does not retry server errors (5xx) or dropped connections: this subclass does, with a
short exponential back-off. Timeouts are not retried, because the request may have arrived;
nor are 400s, which python-telegram-bot also raises as NetworkError subclasses.
"""

import asyncio
import logging

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

logger = logging.getLogger("calendarapp.bot")


class RetryingRateLimiter(AIORateLimiter):
    def __init__(self, *, max_retries: int = 3, backoff: float = 0.5, **kwargs):
        super().__init__(max_retries=max_retries, **kwargs)
        self._network_retries = max_retries
        self._backoff = backoff

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        for attempt in range(self._network_retries + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except (TimedOut, BadRequest):  # BadRequest subclasses NetworkError
                raise
            except NetworkError as error:
                if attempt >= self._network_retries:
                    raise
                delay = self._backoff * 2**attempt
                logger.warning("%s failed (%s); retry in %.1f s", endpoint, error, delay)
                await asyncio.sleep(delay)
        return None  # pragma: no cover - the loop always returns or raises
