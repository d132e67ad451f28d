"""The store of the rate limits without Redis: a database table, shared and counted exactly (issue 9 §3)."""

import threading
import time

import pytest
from django.core.cache import caches
from django.db import connection

pytestmark = pytest.mark.django_db

KEY = "essai-compteur"


@pytest.fixture
def store():
    cache = caches["ratelimit"]
    cache.clear()
    yield cache
    cache.clear()


def test_without_redis_the_limits_count_in_the_database(settings, store):
    assert settings.RATELIMIT_USE_CACHE == "ratelimit"
    assert type(store).__name__ == "LockingDatabaseCache"
    assert settings.RATE_LIMIT_TABLE in connection.introspection.table_names()


def test_incr_and_decr_count_and_keep_the_window(store):
    store.add(KEY, 0, timeout=3600)
    expires_before = store_expiry(store)

    assert store.incr(KEY) == 1
    assert store.incr(KEY, 5) == 6
    assert store.decr(KEY) == 5

    assert store.get(KEY) == 5
    # Django's own incr sets the value again with the default timeout (300 s): a window of an hour
    # would then end five minutes after the last post.
    assert store_expiry(store) == expires_before


def test_incr_of_a_missing_or_expired_key_says_so(store):
    with pytest.raises(ValueError):
        store.incr("absent")
    store.add(KEY, 0, timeout=1)
    time.sleep(1.1)
    with pytest.raises(ValueError):
        store.incr(KEY)


def store_expiry(store):
    full_key = store.make_and_validate_key(KEY)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT expires FROM {store._table} WHERE cache_key = %s", [full_key])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_workers_counting_at_the_same_moment_lose_no_count(store):
    """Four threads, each with its own database connection, as four gunicorn workers would be."""
    if connection.vendor != "postgresql":
        pytest.skip("Connexions simultanées : PostgreSQL (la base SQLite des tests est en mémoire, une par connexion).")
    store.add(KEY, 0, timeout=3600)
    per_thread, threads, errors = 25, 4, []
    start = threading.Barrier(threads)

    def count():
        from django.db import connections

        try:
            start.wait()
            for _ in range(per_thread):
                caches["ratelimit"].incr(KEY)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=count) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert errors == []
    assert store.get(KEY) == per_thread * threads
