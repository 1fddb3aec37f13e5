"""The statements of an update's claim (runtime/once.py): the processed-update id, the
replicas' per-person lock with the fresh read of the dialog state, prepared once per
connection and sent as one simple query."""

import functools
import json
import weakref

import psycopg
from django.db import connection
from django.utils import timezone
from psycopg import generators, pq, sql

from calendarapp.models import BotDataEntry, ConversationState, ProcessedUpdate


@functools.cache
def processed_table() -> str:
    """Quoted once: also called on the event loop, outside the ORM's calls (see orm.VENDOR)."""
    return connection.ops.quote_name(ProcessedUpdate._meta.db_table)


def claim_sql() -> str:
    table = processed_table()
    return f"INSERT INTO {table} (update_id, processed_at) VALUES (%s, %s) ON CONFLICT DO NOTHING"  # noqa: S608


# The replicas' claim as server-side prepared statements, per (psycopg) connection: key
# None, the lock and the id; a tuple of conversation names, the read of their states.
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CLAIM = "calendarbot_claim"


def prepared_names(raw: psycopg.Connection, conversations: tuple[str, ...] | None) -> str | None:
    """PREPARE what this connection lacks (a round trip, once); the name of the state read
    of `conversations`."""
    names = _prepared.setdefault(raw, {})
    if None in names and (conversations is None or conversations in names):
        return names.get(conversations)
    parts, made = [], {}
    if None not in names:
        parts.append(
            f"PREPARE {_CLAIM} (bigint, bigint) AS "  # noqa: S608 - names from models
            "WITH l AS (SELECT pg_try_advisory_xact_lock($1) AS got), "
            f"i AS (INSERT INTO {processed_table()} (update_id, processed_at) "
            "SELECT $2, now() FROM l WHERE got ON CONFLICT DO NOTHING RETURNING 1) "
            "SELECT (SELECT got FROM l), EXISTS (SELECT 1 FROM i)"
        )
        made[None] = _CLAIM
    if conversations is not None and conversations not in names:
        made[conversations] = name = f"calendarbot_fresh_{len(names) + len(made)}"
        # fresh_state_sql's statement, the person's key and id as its two parameters.
        text, params = fresh_state_sql(0, list(conversations))
        fixed = [sql.Literal(value).as_string(raw) for value in params[1:-1]]
        parts.append(f"PREPARE {name} (text, bigint) AS {text % ('$1', *fixed, '$2')}")
    run_simple(raw, "; ".join(parts))
    names.update(made)
    return names.get(conversations)


def locked_claim(lock_key: int, update_id: int, fresh: tuple | None) -> tuple:
    """(lock granted, id inserted, fresh state or None) in one round trip, the
    transaction's BEGIN included: `BEGIN; EXECUTE claim; EXECUTE state read` as one query
    string (the simple query protocol).

    Each statement of a READ COMMITTED transaction sees what was committed before it
    began, so the state read, a statement after the lock's, sees what the previous holder
    of the lock committed. Prepared once per connection, the statements cost the server no
    parse and plan per update; sent on psycopg's libpq connection (as psycopg sends its
    own COMMIT) they cost the bot none of the cursor's work. psycopg reads the transaction
    status from libpq, so it sends no BEGIN of its own before the handlers' queries.
    Only integers go into the text; the names were quoted into the PREPARE."""
    connection.ensure_connection()
    raw = connection.connection
    conversations = tuple(fresh[1]) if fresh is not None else None
    with connection.wrap_database_errors:
        read = prepared_names(raw, conversations)
        person = int(fresh[0]) if read is not None else None
        results = run_simple(raw, locked_claim_text(lock_key, update_id, read, person))
    got, inserted = (results[1].get_value(0, n) == b"t" for n in (0, 1))
    if read is None or not got:
        return got, inserted, None
    found = results[2]
    rows = [
        tuple(None if (v := found.get_value(r, c)) is None else v.decode() for c in (0, 1))
        for r in range(found.ntuples)
    ]
    return got, inserted, fresh_state_of(rows)


def locked_claim_text(lock_key: int, update_id: int, read: str | None, person: int | None) -> str:
    """`BEGIN; EXECUTE claim; EXECUTE state read` (the read named by prepared_names, None:
    none) as one simple query; only integers go into it."""
    text = f"BEGIN; EXECUTE {_CLAIM}({int(lock_key)}, {int(update_id)})"
    if read is not None:
        person = int(person)  # private chats only (gate.py): chat id == user id
        text += f"; EXECUTE {read}('[{person}, {person}]', {person})"
    return text


def run_simple(raw: psycopg.Connection, text: str) -> list:
    """The statements of `text` as one simple query on psycopg's connection; their results."""
    raw.pgconn.send_query(text.encode())
    results = raw.wait(generators.execute(raw.pgconn))
    for result in results:
        if result.status == pq.ExecStatus.FATAL_ERROR:
            raise psycopg.errors.error_from_result(result, encoding=raw.info.encoding)
    return results


def fresh_state_sql(tg_id: int, conversations: list[str]) -> tuple[str, list]:
    """The person's dialog states and draft, as now committed: one statement, hand-written
    like persistence.py's writes (the ORM's two queries cost about three times the CPU, on
    every update)."""
    quote = connection.ops.quote_name
    text = "::text" if connection.vendor == "postgresql" else ""
    states_table = quote(ConversationState._meta.db_table)
    data_table = quote(BotDataEntry._meta.db_table)
    marks = ", ".join(["%s"] * len(conversations)) or "NULL"  # IN (NULL): none
    sql = (
        f"SELECT conversation, state{text} FROM {states_table} "  # noqa: S608 - names from models
        f"WHERE key = %s AND conversation IN ({marks}) "
        f"UNION ALL SELECT NULL, data{text} FROM {data_table} WHERE scope = %s AND key = %s"
    )
    key = json.dumps([tg_id, tg_id])  # private chats only (gate.py): chat id == user id
    return sql, [key, *conversations, BotDataEntry.Scope.USER, tg_id]


def fresh_state_of(found: list[tuple]) -> tuple[dict[str, object], dict | None]:
    """(conversation -> state, draft) from the rows of fresh_state_sql."""
    states = {name: json.loads(value) for name, value in found if name is not None and value}
    drafts = [json.loads(value) for name, value in found if name is None and value]
    return states, (drafts[0] if drafts else None)


def fresh_state(tg_id: int, conversations: list[str]) -> tuple[dict[str, object], dict | None]:
    with connection.cursor() as cursor:
        cursor.execute(*fresh_state_sql(tg_id, conversations))
        return fresh_state_of(cursor.fetchall())


def claim_last(update_id: int) -> tuple[str, list]:
    """The id's row as the update's last write: a plain INSERT, so a redelivery fails on
    the key and takes the writes sent with it (and the transaction) down too."""
    return (
        f"INSERT INTO {processed_table()} (update_id, processed_at) VALUES (%s, %s)",  # noqa: S608
        [update_id, timezone.now()],
    )
