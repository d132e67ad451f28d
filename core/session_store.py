"""The session engine with Redis: Django's ``cached_db``, without three round trips per new session.

Django's ``cached_db`` draws a new session key, then asks the cache and then the database whether
it is taken (two round trips) before inserting the row, which the database refuses anyway when the
key exists: ``save(must_create=True)`` raises ``CreateError`` and ``create()`` draws another key.
With 32 random characters (about 165 bits) the question never finds anything; the row's unique
key is the guarantee, as before. And ``save()`` on a session without a key wrote it to the cache
twice: once in the ``create()`` it calls, once more on its way out. Each new session (a visitor's
first form sent, a login) costs the INSERT and one cache write; reads, changes and expiry are
Django's, unchanged.

This module imports no app of the project: it is shared machinery.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.utils.crypto import get_random_string

SESSION_KEY_LENGTH = 32  # as Django's


class SessionStore(CachedDBStore):
    def _get_new_session_key(self):
        """A fresh random key; whether it is free is the INSERT's to say (``create()`` draws again)."""
        return get_random_string(SESSION_KEY_LENGTH, VALID_KEY_CHARS)

    def save(self, must_create=False):
        if self.session_key is None:
            # create() saves the new session, in the database and in the cache: nothing more to write.
            return self.create()
        return super().save(must_create)
