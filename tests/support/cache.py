"""The shared cache in tests: a key prefix of the run's own, and clearing only those keys.

The project's cache is Redis (REDIS_URL) or a table in the database. A Redis database may be
used by other test runs at the same time, so a run never flushes it: it deletes the keys under
its own prefix. The database cache lives in the test database and is cleared as a whole.
"""

import os
import secrets

from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache


def unique_prefix(what: str = "test") -> str:
    return f"{what}-{os.getpid()}-{secrets.token_hex(4)}"


def uses_database(cache) -> bool:
    return isinstance(cache, DatabaseCache)


def clear_own_keys(cache) -> None:
    if isinstance(cache, RedisCache):
        delete_prefixed(cache._cache.get_client(write=True), cache.key_prefix)
    else:
        cache.clear()


def delete_prefixed(client, prefix: str) -> int:
    """Delete the keys Django's cache wrote under `prefix` ("<prefix>:<version>:<key>")."""
    pattern = "".join(f"[{c}]" if c in "*?[]\\" else c for c in prefix) + ":*"
    keys = list(client.scan_iter(match=pattern, count=500))
    return client.delete(*keys) if keys else 0
