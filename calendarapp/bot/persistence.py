"""Dialog state and per-user dialog drafts in the database (python-telegram-bot persistence).

python-telegram-bot calls `update_*` only from `Application.update_persistence`, which by
default runs every 60 s; `CalendarApplication` (see application.py) calls it after every
update, so each write here lands before the next message of the user is handled and a hard
kill loses nothing. Writes that would not change a row are skipped (kept in memory), so a
simple command costs no persistence queries.
"""

import json

from telegram.ext import BasePersistence, PersistenceInput

from calendarapp.models import BotDataEntry, ConversationState


def _key_to_text(key: tuple) -> str:
    return json.dumps(list(key))


def _text_to_key(text: str) -> tuple:
    return tuple(json.loads(text))


class DjangoPersistence(BasePersistence):
    """Stores conversations and user_data; chat_data, bot_data and callback data are unused."""

    def __init__(self, update_interval: float = 60):
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self._user_data_written: dict[int, dict] = {}
        self._states_written: dict[tuple[str, str], object] = {}

    # --- reads at start -------------------------------------------------------------------
    async def get_user_data(self) -> dict[int, dict]:
        data = {}
        async for entry in BotDataEntry.objects.filter(scope=BotDataEntry.Scope.USER):
            data[entry.key] = dict(entry.data)
            self._user_data_written[entry.key] = dict(entry.data)
        return data

    async def get_chat_data(self) -> dict[int, dict]:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self):
        return None

    async def get_conversations(self, name: str) -> dict:
        conversations = {}
        async for row in ConversationState.objects.filter(conversation=name):
            conversations[_text_to_key(row.key)] = row.state
            self._states_written[(name, row.key)] = row.state
        return conversations

    # --- write-through --------------------------------------------------------------------
    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        text_key = _key_to_text(key)
        marker = (name, text_key)
        if marker in self._states_written and self._states_written[marker] == new_state:
            return
        if new_state is None:
            await ConversationState.objects.filter(conversation=name, key=text_key).adelete()
        else:
            await ConversationState.objects.aupdate_or_create(
                conversation=name, key=text_key, defaults={"state": new_state}
            )
        self._states_written[marker] = new_state

    async def update_user_data(self, user_id: int, data: dict) -> None:
        if self._user_data_written.get(user_id, {}) == data:
            return
        await BotDataEntry.objects.aupdate_or_create(
            scope=BotDataEntry.Scope.USER, key=user_id, defaults={"data": data}
        )
        self._user_data_written[user_id] = dict(data)

    async def drop_user_data(self, user_id: int) -> None:
        await BotDataEntry.objects.filter(scope=BotDataEntry.Scope.USER, key=user_id).adelete()
        self._user_data_written.pop(user_id, None)

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        return None

    async def update_bot_data(self, data: dict) -> None:
        return None

    async def update_callback_data(self, data) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None

    async def flush(self) -> None:
        return None
