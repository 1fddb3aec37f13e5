"""Each update once, one person's updates one at a time across bot processes.

`handling(update)` wraps everything an update writes (the handlers' service calls, the
outbox rows they queue, the dialog state and draft) in one database transaction that
also inserts the update's id into `ProcessedUpdate`. Telegram redelivers an update whose
delivery it could not confirm (a webhook replica killed mid-update, a poller's offset not
confirmed): the redelivery finds the id and does nothing, and an update interrupted before
its commit left nothing behind, so the redelivery runs it as if for the first time. A
database drop between the event's insert and the dialog-state write can therefore no
longer leave the event without its state (and a second event after the retry).

Where the boundary can be: python-telegram-bot runs handlers as coroutines, and inline
(orm.py) every update shares the process's one connection, so a transaction spanning an
update's awaits would take in other people's queries. `orm.exclusive()` hands the
connection to one update from its first statement to its commit; other updates keep
doing their Python work and queue only for their own queries. The answers go out after
the commit (CalendarApplication.process_update), so the transaction holds no Bot API
round trip unless a handler sends directly (a few commands do: one round trip held).

Webhook replicas (`fresh_state`, PostgreSQL): the transaction's first statement also
takes `pg_try_advisory_xact_lock(person)`: another replica handling the same person's
previous update holds it until its commit, so this one waits, on the event loop, and
then reads the state that update left, in the same query string as the lock (a second
statement, so it sees what was committed before the lock was granted). That string is
`BEGIN; EXECUTE claim; EXECUTE state read` of statements prepared once per connection
(`_locked_claim`), then the COMMIT: two round trips, no parse or plan per update.

Polling on PostgreSQL (one process per person: `runbot`, or its workers routed by user;
`PerUserUpdateProcessor` keeps a person's updates in order): no lock, and the id goes in
last, chained with the dialog-state writes into one statement (`_claimed_last`). psycopg
sends BEGIN with a transaction's first statement, so an update whose handlers sent none
(a dialog step, /cancel) is that one statement and nothing else; otherwise the COMMIT
rides in its query string. A redelivery runs the handlers again and fails on the id's
key: nothing is kept, its answers are dropped, and the person's dialog is read back.
These round trips are most of what the bot's event loop waited for per update.

With BOT_DB_THREADS > 0 there is no single connection to hold: the id is inserted on its
own before the handlers (a redelivery is still a no-op; a crash mid-update loses it).
"""

import asyncio
import contextlib
import functools
import json
import logging
import sys
import weakref

import psycopg
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from psycopg import generators, pq, sql
from psycopg.pq import TransactionStatus
from telegram import Update

from calendarapp.bot.runtime import orm
from calendarapp.bot.runtime.persistence import DjangoPersistence, execute_together
from calendarapp.models import BotDataEntry, ConversationState, ProcessedUpdate

logger = logging.getLogger("calendarapp.bot")

# Advisory lock keys: one bigint space shared with anything else on the database, so ours
# carry a tag in the high bits (Telegram ids fit in 52 bits).
_TAG_PERSON = 0x5CA << 52
TAG_LEADER = (0x5CA << 52) - 1
LOCK_WAIT_FIRST, LOCK_WAIT_MAX = 0.0005, 0.02  # seconds between tries (doubling)


def person_key(tg_id: int) -> int:
    return _TAG_PERSON | (tg_id & ((1 << 52) - 1))


def _table() -> str:
    return connection.ops.quote_name(ProcessedUpdate._meta.db_table)


def _claim_sql() -> str:
    table = _table()
    return f"INSERT INTO {table} (update_id, processed_at) VALUES (%s, %s) ON CONFLICT DO NOTHING"  # noqa: S608


# The replicas' claim as server-side prepared statements, per (psycopg) connection: key
# None, the lock and the id; a tuple of conversation names, the read of their states.
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CLAIM = "calendarbot_claim"


def _prepared_names(raw: psycopg.Connection, conversations: tuple[str, ...] | None) -> str | None:
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
            f"i AS (INSERT INTO {_table()} (update_id, processed_at) SELECT $2, now() FROM l "
            "WHERE got ON CONFLICT DO NOTHING RETURNING 1) "
            "SELECT (SELECT got FROM l), EXISTS (SELECT 1 FROM i)"
        )
        made[None] = _CLAIM
    if conversations is not None and conversations not in names:
        made[conversations] = name = f"calendarbot_fresh_{len(names) + len(made)}"
        # _fresh_state_sql's statement, the person's key and id as its two parameters.
        text, params = _fresh_state_sql(0, list(conversations))
        fixed = [sql.Literal(value).as_string(raw) for value in params[1:-1]]
        parts.append(f"PREPARE {name} (text, bigint) AS {text % ('$1', *fixed, '$2')}")
    _run(raw, "; ".join(parts))
    names.update(made)
    return names.get(conversations)


def _locked_claim(lock_key: int, update_id: int, fresh: tuple | None) -> tuple:
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
        read = _prepared_names(raw, conversations)
        text = f"BEGIN; EXECUTE {_CLAIM}({int(lock_key)}, {int(update_id)})"
        if read is not None:
            person = int(fresh[0])  # private chats only (gate.py): chat id == user id
            text += f"; EXECUTE {read}('[{person}, {person}]', {person})"
        results = _run(raw, text)
    got, inserted = (results[1].get_value(0, n) == b"t" for n in (0, 1))
    if read is None or not got:
        return got, inserted, None
    found = results[2]
    rows = [
        tuple(None if (v := found.get_value(r, c)) is None else v.decode() for c in (0, 1))
        for r in range(found.ntuples)
    ]
    return got, inserted, _fresh_state_of(rows)


def _run(raw: psycopg.Connection, text: str) -> list:
    """The statements of `text` as one simple query on psycopg's connection; their results."""
    raw.pgconn.send_query(text.encode())
    results = raw.wait(generators.execute(raw.pgconn))
    for result in results:
        if result.status == pq.ExecStatus.FATAL_ERROR:
            raise psycopg.errors.error_from_result(result, encoding=raw.info.encoding)
    return results


class _Transaction:
    """The update's transaction, opened and closed by hand around awaits (atomic's
    __enter__/__exit__), always inside orm.exclusive()."""

    def __init__(self):
        self.atomic = transaction.atomic()
        self.closed = False

    def begin(self, update_id: int, lock_key: int | None, fresh: tuple | None = None) -> str:
        """'new': go on; 'busy': the person's lock is taken (rolled back); 'done': seen.

        `fresh` (person id, conversation names): their dialog state is read too, into
        `self.fresh`, in the same round trip as the lock (see _locked_claim).
        """
        self.atomic.__enter__()
        self.fresh = None
        try:
            if lock_key is not None:
                got, inserted, self.fresh = _locked_claim(lock_key, update_id, fresh)
                outcome = "busy" if not got else "new" if inserted else "done"
            else:
                with connection.cursor() as cursor:
                    cursor.execute(_claim_sql(), [update_id, timezone.now()])
                    outcome = "new" if cursor.rowcount == 1 else "done"
        except BaseException:
            self.closed = True
            self.atomic.__exit__(*sys.exc_info())
            raise
        if outcome != "new":
            self.end(commit=False)
        return outcome

    def end(self, *, commit: bool) -> None:
        if not commit:
            transaction.set_rollback(True)
        self.closed = True  # even if the commit fails: atomic has rolled back then
        self.atomic.__exit__(None, None, None)

    def atomic_open(self) -> bool:
        return not self.closed


def _fresh_state_sql(tg_id: int, conversations: list[str]) -> tuple[str, list]:
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


def _fresh_state_of(found: list[tuple]) -> tuple[dict[str, object], dict | None]:
    """(conversation -> state, draft) from the rows of _fresh_state_sql."""
    states = {name: json.loads(value) for name, value in found if name is not None and value}
    drafts = [json.loads(value) for name, value in found if name is None and value]
    return states, (drafts[0] if drafts else None)


def _fresh_state(tg_id: int, conversations: list[str]) -> tuple[dict[str, object], dict | None]:
    with connection.cursor() as cursor:
        cursor.execute(*_fresh_state_sql(tg_id, conversations))
        return _fresh_state_of(cursor.fetchall())


def _load_fresh_state(application, tg_id: int, known: tuple | None = None) -> None:
    """Replace what this process remembers of the person's dialogs by what the database
    holds now (`known`: already read, see _Transaction.begin): another replica may have
    handled their previous update."""
    handlers = application._conversation_handler_conversations  # name -> TrackingDict
    states, draft = known if known is not None else _fresh_state(tg_id, list(handlers))
    persistence = application.persistence
    key = (tg_id, tg_id)
    text_key = json.dumps(list(key))
    for name, conversations in handlers.items():
        state = states.get(name)
        if state is None:
            conversations.data.pop(key, None)
        else:
            conversations.data[key] = state
        persistence._states_written[(name, text_key)] = state
    application._user_data[tg_id] = dict(draft) if draft else {}
    if draft is None:
        persistence._user_data_written.pop(tg_id, None)
    else:
        persistence._user_data_written[tg_id] = dict(draft)


def _insert_alone(update_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(), [update_id, timezone.now()])
        return cursor.rowcount == 1


def _claim_last(update_id: int) -> tuple[str, list]:
    """The id's row as the update's last write: a plain INSERT, so a redelivery fails on
    the key and takes the writes sent with it (and the transaction) down too."""
    return (
        f"INSERT INTO {_table()} (update_id, processed_at) VALUES (%s, %s)",  # noqa: S608
        [update_id, timezone.now()],
    )


def _is_redelivery(error: IntegrityError) -> bool:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "table_name", None) == ProcessedUpdate._meta.db_table


def _nothing_sent() -> bool:
    """No statement of the open transaction reached the server yet (psycopg sends BEGIN
    with the first one): ending it costs no round trip."""
    raw = connection.connection
    return raw is not None and raw.info.transaction_status == TransactionStatus.IDLE


async def _write(application, claim=None, *, commit=False, execute=None) -> None:
    """The update's dialog-state writes (queued by python-telegram-bot's persistence run),
    with `claim` in the same statement; `commit`: and the transaction's COMMIT if it can go
    along (persistence.execute_together); `execute`: what sends them instead."""
    persistence = application.persistence
    if isinstance(persistence, DjangoPersistence):
        await persistence.write_pending(also=claim, commit=commit, execute=execute)
    elif claim is not None:
        await orm.db(execute or functools.partial(execute_together, commit=commit))([claim])


def _last_writes(current: "_Transaction", statements: list[tuple[str, list]]) -> None:
    """End the update with its last writes, in one call on the ORM's thread. If none of
    its statements reached the server, the transaction ends without a round trip and the
    writes go as one statement on their own (atomic by itself): no BEGIN, no COMMIT."""
    if _nothing_sent():
        current.end(commit=True)
        execute_together(statements)
    else:
        execute_together(statements, commit=True)
        current.end(commit=True)


def _begin(current: "_Transaction", application, update_id: int, lock_key, along) -> str:
    """The update's claim and, with `along` (person id, conversations), their dialog state
    read fresh and loaded: one call on the ORM's thread."""
    result = current.begin(update_id, lock_key, along)
    if result == "new" and along is not None:
        _load_fresh_state(application, along[0], current.fresh)
    return result


def _writes_and_end(current: "_Transaction", statements: list[tuple[str, list]]) -> None:
    """The update's last writes with its COMMIT (execute_together), and the transaction
    closed: one call on the ORM's thread."""
    execute_together(statements, commit=True)
    current.end(commit=True)


class Outcome:
    """What became of an update: `new` is False for one handled before (known at the start,
    nothing runs); `redelivered` means that was found at the end (nothing kept or said)."""

    def __init__(self):
        self.new, self.redelivered = True, False

    def __bool__(self) -> bool:
        return self.new


@contextlib.asynccontextmanager
async def handling(application, update: object, *, fresh_state: bool):
    """Around one update's handling; yields its `Outcome`: when it is false the update was
    handled already and the caller does nothing. Commits when the block ends normally, and
    the caller sends nothing if `redelivered` is then set."""
    outcome = Outcome()
    update_id = getattr(update, "update_id", None) if isinstance(update, Update) else None
    if update_id is None:
        yield outcome
        await _write(application)
        return
    if not orm.INLINE:
        outcome.new = await orm.db(_insert_alone)(update_id)
        yield outcome
        if outcome.new:
            await _write(application)
        return
    if connection.vendor == "postgresql" and not fresh_state:
        async with _claimed_last(application, update, outcome):
            yield outcome
        return
    async with _claimed_first(application, update, outcome, fresh_state=fresh_state):
        yield outcome


async def _undo(current: _Transaction, stale: set[int], sender, failure: tuple) -> None:
    """After a failure inside the update (`failure`: its exc_info): roll back what is open.
    Nothing of this update was kept, but the dialog in memory moved on: the next update of
    this person reads it back from the database."""
    if current.atomic_open():
        await orm.db(current.atomic.__exit__)(*failure)
    if sender is not None:
        stale.add(sender.id)


@contextlib.asynccontextmanager
async def _claimed_last(application, update: Update, outcome: Outcome):
    """One process per person (polling, runbot --workers): no lock, and the id goes in
    with the last write. Statements the handlers send run in the transaction as usual; an
    update that sent none (a dialog step, /cancel) costs one statement and no BEGIN/COMMIT:
    its state, draft and id in one INSERT chain that is atomic by itself. A redelivery runs
    the handlers again and fails on the id: nothing of it is kept and its answers are
    dropped (an answer a handler sent directly, not through `deliver`, goes out again)."""
    sender = update.effective_user
    stale = application.stale_people
    async with orm.exclusive():
        current = _Transaction()
        await orm.db(current.atomic.__enter__)()
        try:
            if sender is not None and sender.id in stale and application.persistence:
                await orm.db(_load_fresh_state)(application, sender.id)
                stale.discard(sender.id)
            yield
            claim = _claim_last(update.update_id)
            try:
                await _write(application, claim, execute=functools.partial(_last_writes, current))
            except IntegrityError as error:
                if not _is_redelivery(error):
                    raise
                if current.atomic_open():
                    await orm.db(current.end)(commit=False)
                outcome.redelivered = True
                logger.info(
                    "Update %s was handled already (a redelivery): dropped", update.update_id
                )
                if sender is not None:
                    stale.add(sender.id)  # the dialog in memory moved on: read it back
                    application.profiles.forget(sender.id)
        except BaseException:
            await _undo(current, stale, sender, sys.exc_info())
            raise


@contextlib.asynccontextmanager
async def _claimed_first(application, update: Update, outcome: Outcome, *, fresh_state: bool):
    """The id (and on PostgreSQL the person's lock) first: webhook replicas, SQLite."""
    update_id = update.update_id
    sender = update.effective_user
    locked = sender is not None and connection.vendor == "postgresql"
    lock_key = person_key(sender.id) if locked else None
    wait = LOCK_WAIT_FIRST
    while True:
        async with orm.exclusive():
            current = _Transaction()
            stale = application.stale_people
            reload = sender is not None and application.persistence is not None
            reload = reload and (fresh_state or sender.id in stale)
            conversations = list(application._conversation_handler_conversations)
            along = (sender.id, conversations) if reload else None
            result = await orm.db(_begin)(current, application, update_id, lock_key, along)
            if result == "new":
                try:
                    if reload:
                        stale.discard(sender.id)
                    yield
                    ending = functools.partial(_writes_and_end, current)
                    await _write(application, commit=True, execute=ending)
                    if current.atomic_open():  # nothing to write: the commit alone
                        await orm.db(current.end)(commit=True)
                except BaseException:
                    await _undo(current, stale, sender, sys.exc_info())
                    raise
                return
            if result == "done":
                logger.info("Update %s was handled already (a redelivery): skipped", update_id)
                outcome.new = False
                yield
                return
        # Another process is handling this person's previous update: wait for its commit.
        await asyncio.sleep(wait)
        wait = min(wait * 2, LOCK_WAIT_MAX)
