"""Cache backends that sign what they store and never unpickle what they did not sign.

Django's Redis and file-based caches pickle their values, and unpickling runs code: whoever can
write to the Redis database, or into the cache directory, could make every gunicorn worker run
theirs. These backends put an HMAC-SHA256 of each stored value in front of it, keyed from
``CACHE_SIGNING_KEY`` (``DJANGO_CACHE_SIGNING_KEY``, by default ``SECRET_KEY``), and check it
(in constant time) before anything is unpickled:

- ``SignedRedisCache``: Django's ``RedisCache`` with ``SignedRedisSerializer``. Integers stay raw
  numbers in Redis, as with Django's serializer, so that ``incr()`` stays one atomic ``INCRBY``
  (django-ratelimit and the page cache count with ``add()`` / ``incr()``); a raw number read back
  is only ever parsed by ``int()``.
- ``SignedFileBasedCache``: Django's ``FileBasedCache`` whose files are
  ``signature + expiry + compressed pickle``; the expiry is a packed float, not a pickle.

A value that is unsigned, tampered with or signed with another key (a staging site with its own
``SECRET_KEY``) is refused: it reads as a miss (``get`` returns the default, ``get_many`` leaves it
out) and is deleted, one warning is logged without any of its content, and the caller computes the
value again. Changing the key therefore only empties the caches, in effect.

The signature does not bind a value to its key: whoever can write to the store can still delete
values, write numbers, or copy one of the site's own values under another key. Keeping others out
of the store (one Redis database per site, with a password or an ACL user) is docs/production.md's.

This module imports no app of the project: it is shared machinery.
"""

import logging
import math
import os
import pickle
import struct
import time
import zlib

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient, RedisSerializer
from django.core.files import locks
from django.utils.crypto import constant_time_compare, salted_hmac

logger = logging.getLogger(__name__)

# One salt per format, so that a value signed for one store is never valid in the other.
REDIS_SALT = "core.signed_cache.redis"
FILE_SALT = "core.signed_cache.file"
SIGNATURE_LENGTH = 32  # HMAC-SHA256
# The expiry of a cache file: seconds since the epoch, infinity for « never ».
EXPIRY = struct.Struct(">d")


class RefusedValue(Exception):
    """A stored value without a valid signature: it is never unpickled."""


def signing_key():
    """Read at each use, so that a test (or a staging copy) can sign with another key."""
    return getattr(settings, "CACHE_SIGNING_KEY", "") or settings.SECRET_KEY


def signature(salt, payload):
    return salted_hmac(salt, payload, secret=signing_key(), algorithm="sha256").digest()


def sign(salt, payload):
    return signature(salt, payload) + payload


def unsign(salt, data):
    """The payload of ``data`` if its signature is ours; RefusedValue otherwise."""
    if not isinstance(data, bytes) or len(data) <= SIGNATURE_LENGTH:
        raise RefusedValue
    payload = data[SIGNATURE_LENGTH:]
    if not constant_time_compare(data[:SIGNATURE_LENGTH], signature(salt, payload)):
        raise RefusedValue
    return payload


def log_refused(store, count=1):
    """One warning per read, with neither the value nor the key (a session's key is a credential)."""
    logger.warning(
        "Cache %s : %d valeur(s) sans signature valide ignorée(s) et supprimée(s) "
        "(écrite(s) par un autre que ce site ou signée(s) avec une autre clé)",
        store,
        count,
    )


class SignedRedisSerializer(RedisSerializer):
    """Django's Redis serializer, with every pickle signed; raw integers are kept (see the module docstring)."""

    def dumps(self, obj):
        if type(obj) is int:  # not bool, as in Django's serializer
            return obj
        return sign(REDIS_SALT, pickle.dumps(obj, self.protocol))

    def loads(self, data):
        try:
            return int(data)
        except ValueError:
            return pickle.loads(unsign(REDIS_SALT, data))  # noqa: S301 (signed by this site)


class SignedRedisCacheClient(RedisCacheClient):
    """Reads a refused value as a miss, and deletes it: the next ``add()`` of its key then succeeds."""

    def get_client(self, key=None, *, write=False):
        """One ``redis.Redis`` per connection pool, kept: Django builds a new one for every operation.

        Its constructor fills a table of some 170 response callbacks, about 0.1 ms of processor each
        time, and an interest request makes ten cache operations (rate limits, session). A client is
        safe to share between threads: each command takes a connection from the pool.
        """
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_kept_clients", {})
        client = clients.get(id(pool))
        if client is None or client.connection_pool is not pool:
            client = clients[id(pool)] = super().get_client(key, write=write)
        return client

    def get(self, key, default):
        try:
            return super().get(key, default)
        except RefusedValue:
            self._drop_refused([key])
            return default

    def get_many(self, keys):
        values = self.get_client(None).mget(keys)
        found, refused = {}, []
        for key, value in zip(keys, values, strict=True):
            if value is None:
                continue
            try:
                found[key] = self._serializer.loads(value)
            except RefusedValue:
                refused.append(key)
        if refused:
            self._drop_refused(refused)
        return found

    def _drop_refused(self, keys):
        log_refused("Redis", len(keys))
        self.get_client(None, write=True).delete(*keys)


class SignedRedisCache(RedisCache):
    """``RedisCache`` with ``SignedRedisSerializer`` unless OPTIONS name another serializer."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SignedRedisCacheClient
        self._options = {"serializer": SignedRedisSerializer, **self._options}


class SignedFileBasedCache(FileBasedCache):
    """``FileBasedCache`` whose files are ``signature + expiry + zlib(pickle(value))``.

    Django's backend unpickles the expiry header of a file before anything else (``has_key``,
    ``add``, ``get``, ``touch``): here nothing of a file is unpickled, nor even decompressed,
    before its signature is checked. An empty, expired or refused file is a miss and is deleted.
    """

    def _write_content(self, file, timeout, value):
        self._write_body(file, timeout, zlib.compress(pickle.dumps(value, self.pickle_protocol)))

    def _write_body(self, file, timeout, body):
        expiry = self.get_backend_timeout(timeout)
        file.write(sign(FILE_SALT, EXPIRY.pack(math.inf if expiry is None else expiry) + body))

    # Small values read again and again (the page cache's generations: at every request) are kept in
    # the process while their file has not changed: then a read is one stat() instead of an open,
    # a read, an HMAC and an unpickling. Only immutable values (the caller cannot change the copy
    # kept), and only from a file that had not changed for a second when it was read: a later
    # write then has a later modification time, even where the file system's clock is coarse and a
    # new file takes the number of a deleted one (same inode, same size).
    KEPT_TYPES = (str, int)
    KEPT_MAX_ENTRIES = 256
    SETTLED_NS = 1_000_000_000

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._kept = {}

    def _unpack(self, data):
        """(expiry, compressed pickle) of a file's content; None if it is empty or refused."""
        if not data:
            return None  # as in Django: an empty file is expired
        try:
            payload = unsign(FILE_SALT, data)
        except RefusedValue:
            log_refused("sur disque")
            return None
        if len(payload) < EXPIRY.size:
            return None
        (expiry,) = EXPIRY.unpack_from(payload)
        return expiry, payload[EXPIRY.size :]

    def _fresh_body(self, data):
        """The compressed pickle of a file's content, or None if the file is empty, expired or refused."""
        unpacked = self._unpack(data)
        return unpacked[1] if unpacked is not None and unpacked[0] >= time.time() else None

    def _is_expired(self, f):
        """Used by ``has_key()`` (and so ``add()``): a refused file counts as expired and is deleted."""
        if self._fresh_body(f.read()) is None:
            f.close()
            self._delete(f.name)
            return True
        return False

    @staticmethod
    def _identity(stat):
        return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, signing_key())

    def get(self, key, default=None, version=None):
        fname = self._key_to_file(key, version)
        try:
            kept = self._kept.get(fname)
            if kept is not None and kept[0] == self._identity(os.stat(fname)) and kept[1] >= time.time():
                return kept[2]
            with open(fname, "rb") as f:
                stat = os.fstat(f.fileno())
                unpacked = self._unpack(f.read())
        except FileNotFoundError:
            return default
        if unpacked is None or unpacked[0] < time.time():
            self._delete(fname)
            return default
        value = pickle.loads(zlib.decompress(unpacked[1]))  # noqa: S301 (signed by this site)
        if type(value) in self.KEPT_TYPES and time.time_ns() - stat.st_mtime_ns >= self.SETTLED_NS:
            if len(self._kept) >= self.KEPT_MAX_ENTRIES:
                self._kept.clear()
            self._kept[fname] = (self._identity(stat), unpacked[0], value)
        return value

    def _delete(self, fname):
        self._kept.pop(fname, None)
        return super()._delete(fname)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        # The value is re-signed with its new expiry without being unpickled; the file is truncated,
        # since the signature covers it all (Django's touch() leaves the old tail when it shrinks).
        fname = self._key_to_file(key, version)
        try:
            with open(fname, "r+b") as f:
                locks.lock(f, locks.LOCK_EX)
                try:
                    body = self._fresh_body(f.read())
                    if body is not None:
                        f.seek(0)
                        self._write_body(f, timeout, body)
                        f.truncate()
                finally:
                    locks.unlock(f)
        except FileNotFoundError:
            return False
        if body is None:
            self._delete(fname)
            return False
        return True
