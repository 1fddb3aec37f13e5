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
connection to one update from its first statement to its commit; other updates queue for
it. The answers go out after the commit (CalendarApplication.process_update), so the
transaction holds no Bot API round trip unless a handler sends directly (a few commands
do: one round trip held).

Webhook replicas (`fresh_state`, PostgreSQL): the transaction's first statement also
takes `pg_try_advisory_xact_lock(person)`: another replica handling the same person's
previous update holds it until its commit, so this one waits, on the event loop, and
then reads the state that update left, in the same query string as the lock (a second
statement, so it sees what was committed before the lock was granted). That string is
`BEGIN; EXECUTE claim; EXECUTE state read` of statements prepared once per connection
(`claims.locked_claim`), then the COMMIT: two round trips, no parse or plan per update.

Polling on PostgreSQL (one process per person: `runbot`, or its workers routed by user;
`PerUserUpdateProcessor` keeps a person's updates in order): no lock, and the id goes in
last, chained with the dialog-state writes into one statement (`_claimed_last`). psycopg
sends BEGIN with a transaction's first statement, so an update whose handlers sent none
(a dialog step, /cancel) is that one statement and nothing else; otherwise the COMMIT
rides in its query string. A redelivery runs the handlers again and fails on the id's
key: nothing is kept, its answers are dropped, and the person's dialog is read back.
These round trips are most of what the bot's event loop waited for per update.

In lanes (orm.py, BOT_DB_THREADS > 0) `orm.exclusive()` gives the update a lane of its
own, connection included, for the same span: the same transaction, with other people's
updates in their own lanes meanwhile instead of queued behind it.
"""

import asyncio
import contextlib
import functools
import json
import logging
import sys

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from psycopg.pq import TransactionStatus
from telegram import Update

from calendarapp.bot.runtime import claims, orm
from calendarapp.bot.runtime.persistence import DjangoPersistence, execute_together
from calendarapp.models import ProcessedUpdate

logger = logging.getLogger("calendarapp.bot")

# Advisory lock keys: one bigint space shared with anything else on the database, so ours
# carry a tag in the high bits (Telegram ids fit in 52 bits).
_TAG_PERSON = 0x5CA << 52
TAG_LEADER = (0x5CA << 52) - 1
LOCK_WAIT_FIRST, LOCK_WAIT_MAX = 0.0005, 0.02  # seconds between tries (doubling)


def person_key(tg_id: int) -> int:
    return _TAG_PERSON | (tg_id & ((1 << 52) - 1))


class _Transaction:
    """The update's transaction, opened and closed by hand around awaits (atomic's
    __enter__/__exit__), always inside orm.exclusive()."""

    def __init__(self):
        self.atomic = transaction.atomic()
        self.closed = False

    def begin(self, update_id: int, lock_key: int | None, fresh: tuple | None = None) -> str:
        """'new': go on; 'busy': the person's lock is taken (rolled back); 'done': seen.

        `fresh` (person id, conversation names): their dialog state is read too, into
        `self.fresh`, in the same round trip as the lock (see claims.locked_claim).
        """
        self.atomic.__enter__()
        self.fresh = None
        try:
            if lock_key is not None:
                got, inserted, self.fresh = claims.locked_claim(lock_key, update_id, fresh)
                outcome = "busy" if not got else "new" if inserted else "done"
            else:
                with connection.cursor() as cursor:
                    cursor.execute(claims.claim_sql(), [update_id, timezone.now()])
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


def _load_fresh_state(application, tg_id: int, known: tuple | None = None) -> None:
    """Replace what this process remembers of the person's dialogs by what the database
    holds now (`known`: already read, see _Transaction.begin): another replica may have
    handled their previous update."""
    handlers = application._conversation_handler_conversations  # name -> TrackingDict
    states, draft = known if known is not None else claims.fresh_state(tg_id, list(handlers))
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


def _loaded(application, tg_id: int) -> None:
    """After _load_fresh_state, on the event loop (where writes are queued): what was
    queued from the memory just replaced is not to be written."""
    application.stale_people.discard(tg_id)
    application.persistence.drop_pending(tg_id)


def _is_redelivery(error: IntegrityError) -> bool:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "table_name", None) == ProcessedUpdate._meta.db_table


def _nothing_sent() -> bool:
    """No statement of the open transaction reached the server yet (psycopg sends BEGIN
    with the first one): ending it costs no round trip."""
    raw = connection.connection
    return raw is not None and raw.info.transaction_status == TransactionStatus.IDLE


async def _write(application, claim=None, *, commit=False, execute=None, person=None) -> None:
    """The update's dialog-state writes (queued by python-telegram-bot's persistence run),
    with `claim` in the same statement; `commit`: and the transaction's COMMIT if it can go
    along (persistence.execute_together); `execute`: what sends them instead; `person`: the
    sender, whose writes these are (other people's wait for their own updates)."""
    persistence = application.persistence
    if isinstance(persistence, DjangoPersistence):
        await persistence.write_pending(
            also=claim,
            commit=commit,
            execute=execute,
            busy=application.people_in_flight | application.stale_people,
            person=person,
        )
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


def _id(user) -> int | None:
    return None if user is None else user.id


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
    sender = update.effective_user
    if sender is not None:  # one update per person at a time (PerUserUpdateProcessor)
        application.people_in_flight.add(sender.id)
    try:
        if orm.VENDOR == "postgresql" and not fresh_state:
            async with _claimed_last(application, update, outcome):
                yield outcome
            return
        async with _claimed_first(application, update, outcome, fresh_state=fresh_state):
            yield outcome
    finally:
        if sender is not None:
            application.people_in_flight.discard(sender.id)


async def _undo(application, current: _Transaction, sender, failure: tuple) -> None:
    """After a failure inside the update (`failure`: its exc_info): roll back what is open.
    Nothing of this update was kept, but the dialog in memory moved on: the next update of
    this person reads it back from the database (what memory queued for them till then is
    never written: see _write and _loaded)."""
    if current.atomic_open():
        await orm.db(current.atomic.__exit__)(*failure)
    if sender is not None:
        application.stale_people.add(sender.id)


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
                _loaded(application, sender.id)
            yield
            claim = claims.claim_last(update.update_id)
            try:
                ending = functools.partial(_last_writes, current)
                await _write(application, claim, execute=ending, person=_id(sender))
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
            await _undo(application, current, sender, sys.exc_info())
            raise


@contextlib.asynccontextmanager
async def _claimed_first(application, update: Update, outcome: Outcome, *, fresh_state: bool):
    """The id (and on PostgreSQL the person's lock) first: webhook replicas, SQLite."""
    update_id = update.update_id
    sender = update.effective_user
    locked = sender is not None and orm.VENDOR == "postgresql"
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
                        _loaded(application, sender.id)
                    yield
                    ending = functools.partial(_writes_and_end, current)
                    await _write(application, commit=True, execute=ending, person=_id(sender))
                    if current.atomic_open():  # nothing to write: the commit alone
                        await orm.db(current.end)(commit=True)
                except BaseException:
                    await _undo(application, current, sender, sys.exc_info())
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
