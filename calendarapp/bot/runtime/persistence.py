"""Dialog state and per-user dialog drafts in the database (python-telegram-bot persistence).

python-telegram-bot calls `update_*` only from `Application.update_persistence`, which by
default runs every 60 s; `CalendarApplication` (see application.py) runs it after every
update, and runtime/once.py sends what it queued with the update's commit, so each write
lands before the next message of the user is handled and a hard kill loses nothing.
Writes that would not change a row are skipped (kept in memory), so a simple command
costs no persistence queries.

The writes python-telegram-bot asks for in one run (a dialog step: its state and its
draft) are queued and sent by `write_pending` as one statement on PostgreSQL (the upserts
and deletes chained in a WITH, the update's id last), so a step's state and draft land
together or not at all, in one round trip; on SQLite, one transaction.
"""

import json
from collections.abc import Callable

import psycopg
from django.db import connection, transaction
from django.utils import timezone
from telegram.ext import BasePersistence, PersistenceInput

from calendarapp.bot.runtime.orm import db
from calendarapp.models import BotDataEntry, ConversationState


def _upsert_sql(model, unique: tuple[str, ...], **values) -> tuple[str, list]:
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
    return sql, params


def _delete_sql(model, **where) -> tuple[str, list]:
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in where]
    condition = " AND ".join(f"{quote(field.column)} = %s" for field in fields)
    params = [
        field.get_db_prep_value(value, connection)
        for field, value in zip(fields, where.values(), strict=True)
    ]
    return f"DELETE FROM {quote(model._meta.db_table)} WHERE {condition}", params  # noqa: S608


def execute_together(statements: list[tuple[str, list]], *, commit: bool = False) -> None:
    """The statements at once: chained in one WITH on PostgreSQL (data-modifying CTEs), in
    one transaction elsewhere. They touch different rows (one per dialog and per user).

    `commit`: the open transaction (once.py's, around an update) ends with them. On
    PostgreSQL with client-side binding (Django's default) the COMMIT goes in the same
    query string, one round trip; the transaction's own commit then finds nothing to do.
    """
    if connection.vendor == "postgresql" and len(statements) > 1:
        *chained, (last_sql, last_params) = statements
        sql = "WITH " + ", ".join(f"w{n} AS ({part})" for n, (part, _p) in enumerate(chained))
        params = [value for _sql, part_params in chained for value in part_params]
        statements = [(f"{sql} {last_sql}", [*params, *last_params])]
    if len(statements) == 1:  # one statement is atomic by itself: no BEGIN/COMMIT round trips
        with connection.cursor() as cursor:
            sql, params = statements[0]
            if commit and _simple_query(cursor):
                sql = f"{sql}; COMMIT"
            cursor.execute(sql, params)
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def _simple_query(cursor) -> bool:
    """psycopg binds this cursor's values on the client and sends the text with the simple
    query protocol, which takes several statements at once."""
    return connection.in_atomic_block and isinstance(cursor.cursor, psycopg.ClientCursor)


def _upsert(model, unique: tuple[str, ...], **values) -> None:
    """One upsert on its own (tests, tools)."""
    execute_together([_upsert_sql(model, unique, **values)])


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
        # Row -> (sql, params, what to remember once written, whose); see write_pending.
        self._pending: dict[tuple, tuple[str, list, object, int]] = {}

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

    # --- write-through (queued here, sent by write_pending) -------------------------------
    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        text_key = _key_to_text(key)
        marker = (name, text_key)
        if marker in self._states_written and self._states_written[marker] == new_state:
            return
        if new_state is None:
            sql, params = _delete_sql(ConversationState, conversation=name, key=text_key)
        else:
            sql, params = _upsert_sql(
                ConversationState,
                ("conversation", "key"),
                conversation=name,
                key=text_key,
                state=new_state,
            )
        done = ("state", marker, new_state)
        self._pending[("state", *marker)] = (sql, params, done, key[-1])  # (chat, user)

    async def update_user_data(self, user_id: int, data: dict) -> None:
        if self._user_data_written.get(user_id, {}) == data:
            return
        sql, params = _upsert_sql(
            BotDataEntry, ("scope", "key"), scope=BotDataEntry.Scope.USER, key=user_id, data=data
        )
        self._pending[("user", user_id)] = (sql, params, ("user", user_id, dict(data)), user_id)

    async def drop_user_data(self, user_id: int) -> None:
        sql, params = _delete_sql(BotDataEntry, scope=BotDataEntry.Scope.USER, key=user_id)
        self._pending[("user", user_id)] = (sql, params, ("user", user_id, None), user_id)

    async def write_pending(
        self,
        *,
        also: tuple[str, list] | None = None,
        commit: bool = False,
        execute: Callable[[list[tuple[str, list]]], None] | None = None,
        busy: set[int] | frozenset[int] = frozenset(),
        person: int | None = None,
    ) -> None:
        """Send the queued writes (after python-telegram-bot's own run: once.py at the end
        of an update, CalendarApplication.update_persistence otherwise), with `also` (the
        update's id, once.py) last in the same statement, and `commit` (execute_together).
        `execute`: what sends them instead of execute_together, on the ORM's thread.
        If the database fails, they are dropped, as the library drops a failed write too:
        the next change of that dialog writes it again.

        `busy`: people whose writes must wait for their own update (`person`): theirs is
        being handled right now (a write never lands in another person's transaction), or
        their last one failed and what memory holds of them is to be read back, not
        written. The library's run queues every changed dialog, theirs too."""
        if not self._pending and also is None:
            return
        pending, self._pending = self._pending, {}
        for key, entry in list(pending.items()):
            if entry[3] != person and entry[3] in busy:
                self._pending[key] = pending.pop(key)
        statements = [(sql, params) for sql, params, _done, _whose in pending.values()]
        statements += [also] if also else []
        if execute is None:
            await db(execute_together)(statements, commit=commit)
        else:
            await db(execute)(statements)
        for _sql, _params, (kind, key, value), _whose in pending.values():
            if kind == "state":
                self._states_written[key] = value
            elif value is None:
                self._user_data_written.pop(key, None)
            else:
                self._user_data_written[key] = value

    def drop_pending(self, person: int) -> None:
        """Forget what is queued for `person` (their update failed and rolled back)."""
        for key in [key for key, entry in self._pending.items() if entry[3] == person]:
            del self._pending[key]

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
