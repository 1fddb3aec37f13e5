"""Dialog state and per-user dialog drafts in the database (python-telegram-bot persistence).

python-telegram-bot calls `update_*` only from `Application.update_persistence`, which by
default runs every 60 s; `CalendarApplication` (see application.py) calls it after every
update, so each write here lands before the next message of the user is handled and a hard
kill loses nothing. Writes that would not change a row are skipped (kept in memory), so a
simple command costs no persistence queries.
"""

import json

from django.db import connection
from django.utils import timezone
from telegram.ext import BasePersistence, PersistenceInput

from calendarapp.models import BotDataEntry, ConversationState

from .orm import db


def _upsert(model, unique: tuple[str, ...], **values) -> None:
    """One INSERT ... ON CONFLICT DO UPDATE (PostgreSQL and SQLite), not select-then-write.

    Hand-written SQL because this runs after every dialog step, and `bulk_create(...,
    update_conflicts=True)` spent more CPU building the statement than the database spent
    running it (a sixth of the bot's CPU under load). Values still go through the fields'
    own conversion (JSON, time zones), so they are stored exactly as the ORM would store them.
    """
    values["updated_at"] = timezone.now()
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in values]
    columns = [quote(field.column) for field in fields]
    conflict = ", ".join(quote(model._meta.get_field(name).column) for name in unique)
    updates = ", ".join(
        f"{column} = EXCLUDED.{column}"
        for field, column in zip(fields, columns, strict=True)
        if field.name not in unique
    )
    # Names come from model metadata, values are parameters: nothing from users is spliced in.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


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
        for entry in await db(list)(BotDataEntry.objects.filter(scope=BotDataEntry.Scope.USER)):
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
        for row in await db(list)(ConversationState.objects.filter(conversation=name)):
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
            await db(ConversationState.objects.filter(conversation=name, key=text_key).delete)()
        else:
            await db(_upsert)(
                ConversationState,
                ("conversation", "key"),
                conversation=name,
                key=text_key,
                state=new_state,
            )
        self._states_written[marker] = new_state

    async def update_user_data(self, user_id: int, data: dict) -> None:
        if self._user_data_written.get(user_id, {}) == data:
            return
        await db(_upsert)(
            BotDataEntry, ("scope", "key"), scope=BotDataEntry.Scope.USER, key=user_id, data=data
        )
        self._user_data_written[user_id] = dict(data)

    async def drop_user_data(self, user_id: int) -> None:
        await db(BotDataEntry.objects.filter(scope=BotDataEntry.Scope.USER, key=user_id).delete)()
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
