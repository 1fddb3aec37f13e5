"""Concurrent updates, in order per user.

Different users are served in parallel; one user's updates run one after another, so a
dialog never sees its answers out of order.
"""

import asyncio
from collections.abc import Awaitable

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, list] = {}  # user id -> [lock, waiting count]

    async def do_process_update(self, update: object, coroutine: Awaitable) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            await coroutine
            return
        entry = self._locks.setdefault(user.id, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                await coroutine
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._locks.pop(user.id, None)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
