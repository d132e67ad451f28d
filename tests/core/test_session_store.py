"""The session engine of a site with Redis (core/session_store.py): Django's cached_db, fewer round trips.

Here on the test cache (in memory) and the test database; tests/security/test_signed_cache.py runs
it on Redis with the production settings.
"""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import session_store
from core.session_store import SessionStore

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    caches["default"].clear()
    yield
    caches["default"].clear()


class CountingCache:
    """The default cache, with the names of the operations made through it."""

    def __init__(self, cache):
        self.cache = cache
        self.operations = []

    def __getattr__(self, name):
        attribute = getattr(self.cache, name)
        if callable(attribute):
            self.operations.append(name)
        return attribute

    def __contains__(self, key):
        self.operations.append("has_key")
        return key in self.cache


def test_a_new_session_is_one_insert_and_one_cache_write():
    session = SessionStore()
    session._cache = counting = CountingCache(session._cache)
    session["mutuelle_reference"] = "MC-AAAA-AAAA"

    with CaptureQueriesContext(connection) as queries:
        session.save()

    statements = [query["sql"].split()[0] for query in queries.captured_queries]
    assert [s for s in statements if s not in {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"}] == ["INSERT"]
    assert counting.operations == ["set"]
    # Readable again, from the cache and from the database.
    assert SessionStore(session_key=session.session_key)["mutuelle_reference"] == "MC-AAAA-AAAA"
    caches["default"].clear()
    assert SessionStore(session_key=session.session_key)["mutuelle_reference"] == "MC-AAAA-AAAA"


def test_a_key_already_taken_is_drawn_again(monkeypatch):
    first = SessionStore()
    first["who"] = "la première"
    first.save()
    drawn = iter([first.session_key, "b" * 32])
    monkeypatch.setattr(session_store, "get_random_string", lambda length, chars: next(drawn))

    second = SessionStore()
    second["who"] = "la seconde"
    second.save()

    assert second.session_key == "b" * 32
    assert Session.objects.count() == 2
    caches["default"].clear()
    assert SessionStore(session_key=first.session_key)["who"] == "la première"
    assert SessionStore(session_key=second.session_key)["who"] == "la seconde"


def test_a_saved_session_is_updated_in_both_stores():
    session = SessionStore()
    session["step"] = 1
    session.save()
    session["step"] = 2
    session.save()

    assert Session.objects.count() == 1
    assert SessionStore(session_key=session.session_key)["step"] == 2
    caches["default"].clear()
    assert SessionStore(session_key=session.session_key)["step"] == 2
