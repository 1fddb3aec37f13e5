"""Django's database cache with a set_many of one statement.

DatabaseCache writes each key on its own (a COUNT of the table, a SELECT, an INSERT or an
UPDATE, in a transaction): storing the VEVENT texts of a 1,000-event feed (exports/writers.py)
took seconds. Here set_many counts and culls once, as Django does before a write, and
upserts every key in one `INSERT ... ON CONFLICT DO UPDATE`, which PostgreSQL and SQLite
(3.24 on) both read. Values are encoded as DatabaseCache encodes them, so its get_many reads
them back.
"""

import base64
import pickle
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.utils.timezone import now as tz_now


class BulkDatabaseCache(DatabaseCache):
    def _expires(self, timeout, connection):
        if timeout is None:
            moment = datetime.max
        else:
            moment = datetime.fromtimestamp(timeout, tz=UTC if settings.USE_TZ else None)
        return connection.ops.adapt_datetimefield_value(moment.replace(microsecond=0))

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        if not data:
            return []
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, key, value, expires = (
            quote(name) for name in (self._table, "cache_key", "value", "expires")
        )
        until = self._expires(self.get_backend_timeout(timeout), connection)
        rows = sorted(
            (self.make_and_validate_key(name, version=version), item) for name, item in data.items()
        )  # one order for every writer: two upserts of the same keys cannot deadlock
        params = []
        for name, item in rows:
            encoded = base64.b64encode(pickle.dumps(item, self.pickle_protocol)).decode("latin1")
            params += [name, encoded, until]
        # Quoted names from the settings, values as parameters.
        values = ", ".join(["(%s, %s, %s)"] * len(rows))
        sql = (
            f"INSERT INTO {table} ({key}, {value}, {expires}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT ({key}) DO UPDATE SET {value} = excluded.{value}, "
            f"{expires} = excluded.{expires}"
        )
        try:
            with transaction.atomic(using=db), connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
                count = cursor.fetchone()[0]
                if count > self._max_entries:
                    self._cull(db, cursor, tz_now().replace(microsecond=0), count)
                cursor.execute(sql, params)
        except DatabaseError:
            return list(data)  # not stored (a cache: the caller builds them again next time)
        return []
