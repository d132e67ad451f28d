"""A database cache whose counters are exact whatever the number of workers and instances.

The rate limits (django-ratelimit) need a store that every gunicorn worker and every instance
shares, and an atomic increment. Without ``REDIS_URL``, the one store they all share is the
database: Django's ``DatabaseCache`` is shared, but its ``incr`` reads then writes, so two workers
counting at the same moment both write the same number (django-ratelimit's check flags it as
« does not support atomic increment »). ``LockingDatabaseCache.incr`` first takes the write lock
on the counter's row (PostgreSQL) or on the database (SQLite) with a no-op ``UPDATE``, then reads
and writes inside that transaction: a second worker waits for the first one's commit and reads
its count.

The table is created by the migration ``core/0002`` (``createcachetable``, which also
runs when the test database is created).
"""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction


class LockingDatabaseCache(DatabaseCache):
    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table, value_column, expires, cache_key = (
            quote_name(name) for name in (self._table, "value", "expires", "cache_key")
        )
        full_key = self.make_and_validate_key(key, version=version)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            # The write lock first: the row on PostgreSQL, the database on SQLite.
            cursor.execute(f"UPDATE {table} SET {expires} = {expires} WHERE {cache_key} = %s", [full_key])  # noqa: S608
            value = self.get(key, self._missing_key, version=version)  # an expired counter is missing
            if value is self._missing_key:
                raise ValueError(f"Key '{key}' not found.")
            new_value = value + delta
            # The value alone: the expiry stays, so a rate limit's window does not move. (Django's
            # own incr sets the value again with the default timeout.)
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET {value_column} = %s WHERE {cache_key} = %s", [encoded, full_key])  # noqa: S608
        return new_value
