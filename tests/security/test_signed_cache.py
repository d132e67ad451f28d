"""Nothing read from a shared cache store is unpickled without proof of origin (issue 9 §2).

Django's Redis and file-based caches unpickle what they read, and unpickling runs code: whoever
can write to the Redis database or into the page cache's directory could run theirs in gunicorn.
These tests plant such pickles (their ``__reduce__`` writes a marker file) where the production
caches read (the caches are built by ``creteil_cls/settings.py`` itself, run afresh with
``REDIS_URL`` set or not), and check that they are ignored, logged, and that the page is
rendered and cached as usual.

The Redis tests use the test Redis database (TEST_REDIS_URL, ``redis://127.0.0.1:6379/3`` by
default) under a key prefix of their own, deleted before and after. Without Redis they are
skipped, except in CI on PostgreSQL (the CI starts Redis before that pass), where they fail.
"""

import io
import logging
import math
import os
import pickle
import runpy
import secrets
import time
import zlib
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.test import override_settings

from core import cache as page_cache
from core import signed_cache
from core.cache import GENERATION_KEY
from core.session_store import SessionStore
from tests.actions.factories import ActionFactory
from tests.scaleout.conftest import needs
from tests.scaleout.servers import redis_flush, redis_problem, scaleout_redis_url

pytestmark = pytest.mark.django_db

SETTINGS_FILE = Path(settings.BASE_DIR) / "creteil_cls" / "settings.py"
ATTACKER_GENERATION = "generation-de-l-attaquant"
STAGING_KEY = "clé-secrète-du-site-de-recette-" + "x" * 40


def run_planted_code(marker):
    """What a planted pickle runs when it is loaded: it leaves a marker file."""
    Path(marker).write_text("code exécuté")
    return ATTACKER_GENERATION


class Exploit:
    """A value whose unpickling calls ``run_planted_code``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (run_planted_code, (self.marker,))


def production_settings(monkeypatch, **environ):
    """The settings ``creteil_cls/settings.py`` builds from the test's environment plus ``environ``.

    The file is run afresh (``runpy``), so Django's own settings are left as they are.
    """
    for name in ("REDIS_URL", "DJANGO_CACHE_KEY_PREFIX", "DJANGO_PAGE_CACHE_DIR", "DJANGO_CACHE_SIGNING_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def refusals(caplog):
    return [r for r in caplog.records if r.name == "core.signed_cache" and r.levelno == logging.WARNING]


# Stores ------------------------------------------------------------------------------------------


class RedisStore:
    """The production caches on the test Redis, and a raw client to write into it as an intruder."""

    name = "Redis"

    def __init__(self, client, key_prefix):
        self.client = client
        self.key_prefix = key_prefix

    def raw_key(self, key):
        return f"{self.key_prefix}:1:{key}"

    def write(self, key, data):
        self.client.set(self.raw_key(key), data)

    def read(self, key):
        return self.client.get(self.raw_key(key))

    def keys(self):
        return [key.decode() for key in self.client.scan_iter(match=f"{self.key_prefix}:*")]

    def overwrite_every_value(self, data):
        """Replace every stored value but the raw counters (a number is only ever parsed by int())."""
        count = 0
        for key in self.client.scan_iter(match=f"{self.key_prefix}:*"):
            if not self.client.get(key).isdigit():
                self.client.set(key, data, keepttl=True)
                count += 1
        return count

    @staticmethod
    def django_pickle(obj):
        """What Django's RedisCache stores for ``obj``."""
        return pickle.dumps(obj)

    @staticmethod
    def signed_elsewhere(obj):
        """``obj`` as a site with another key (a staging copy) stores it."""
        with override_settings(CACHE_SIGNING_KEY=STAGING_KEY):
            return signed_cache.SignedRedisSerializer().dumps(obj)


class FileStore:
    """The production page cache without Redis (a directory), written into as an intruder."""

    name = "sur disque"

    def __init__(self, directory):
        self.directory = directory

    def path(self, key):
        return Path(caches["pages"]._key_to_file(key))

    def write(self, key, data):
        self.path(key).write_bytes(data)

    def read(self, key):
        path = self.path(key)
        return path.read_bytes() if path.exists() else None

    def overwrite_every_value(self, data):
        files = list(self.directory.glob("*.djcache"))
        for path in files:
            path.write_bytes(data)
        return len(files)

    @staticmethod
    def django_pickle(obj):
        """A file of Django's FileBasedCache: pickled expiry, then the compressed pickled value.

        The expiry is planted too: Django unpickles it first, before it reads the value.
        """
        return pickle.dumps(obj) + zlib.compress(pickle.dumps(obj))

    @staticmethod
    def signed_elsewhere(obj):
        file = io.BytesIO()
        with override_settings(CACHE_SIGNING_KEY=STAGING_KEY):
            caches["pages"]._write_content(file, None, obj)
        return file.getvalue()


@pytest.fixture
def key_prefix():
    """One cache key prefix per test: tests on parallel workers share the Redis database, not their keys."""
    return f"cls-test-signed-{secrets.token_hex(4)}"


@pytest.fixture
def redis_url(key_prefix):
    """The test Redis, without any key of this test before and after it."""
    url = scaleout_redis_url()
    problem = redis_problem(url)
    if problem:
        if connection.vendor == "postgresql":
            needs(problem)  # fails in CI
        pytest.skip(f"{problem} (obligatoire en intégration continue, dans la passe PostgreSQL).")
    redis_flush(url, key_prefix=key_prefix)
    yield url
    redis_flush(url, key_prefix=key_prefix)


@pytest.fixture
def raw_redis(redis_url):
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=1)
    yield client
    client.close()


@pytest.fixture
def redis_store(monkeypatch, redis_url, raw_redis, key_prefix):
    """Production settings with REDIS_URL: the default cache (sessions, rate limits) and the page cache in Redis."""
    production = production_settings(monkeypatch, REDIS_URL=redis_url, DJANGO_CACHE_KEY_PREFIX=key_prefix)
    with override_settings(CACHES=production["CACHES"], SESSION_ENGINE=production["SESSION_ENGINE"]):
        yield RedisStore(raw_redis, key_prefix)


@pytest.fixture
def file_store(monkeypatch, tmp_path):
    """Production settings without REDIS_URL: the page cache in a directory (the default cache is in memory)."""
    directory = tmp_path / "pages"
    production = production_settings(monkeypatch, DJANGO_PAGE_CACHE_DIR=str(directory))
    with override_settings(CACHES={**settings.CACHES, "pages": production["CACHES"]["pages"]}):
        yield FileStore(directory)


@pytest.fixture(params=["redis", "file"])
def store(request):
    return request.getfixturevalue(f"{request.param}_store")


@pytest.fixture
def page_cache_on(store):
    """The page cache on (the test settings turn it off), in the production store, empty."""
    page_cache.local_pages.clear()
    with override_settings(PAGE_CACHE_SECONDS=300):
        yield
    page_cache.local_pages.clear()


@pytest.fixture
def marker(tmp_path):
    """The file a planted pickle writes if it is ever loaded."""
    return tmp_path / "code-planted-ran"


def fetch(client, url):
    """A request served by the shared store, not by this worker's memory in front of it."""
    page_cache.local_pages.clear()
    return client.get(url)


# Settings ----------------------------------------------------------------------------------------


def test_the_production_caches_are_signed(monkeypatch, tmp_path):
    with_redis = production_settings(monkeypatch, REDIS_URL="redis://127.0.0.1:6379/0")
    assert with_redis["CACHES"]["default"]["BACKEND"] == "core.signed_cache.SignedRedisCache"
    assert with_redis["CACHES"]["pages"]["BACKEND"] == "core.signed_cache.SignedRedisCache"
    assert with_redis["SESSION_ENGINE"] == "core.session_store"

    without_redis = production_settings(monkeypatch, DJANGO_PAGE_CACHE_DIR=str(tmp_path))
    assert without_redis["CACHES"]["pages"]["BACKEND"] == "core.signed_cache.SignedFileBasedCache"
    assert without_redis["CACHE_SIGNING_KEY"] == os.environ["DJANGO_SECRET_KEY"]

    dedicated = production_settings(monkeypatch, DJANGO_CACHE_SIGNING_KEY="une-clé-de-signature-du-cache")
    assert dedicated["CACHE_SIGNING_KEY"] == "une-clé-de-signature-du-cache"
    assert dedicated["SECRET_KEY"] == os.environ["DJANGO_SECRET_KEY"]


def test_the_signing_key_is_the_secret_key_unless_one_is_set_apart():
    payload = b"valeur"
    with override_settings(CACHE_SIGNING_KEY="", SECRET_KEY="secret-a"):
        by_secret_key = signed_cache.sign(signed_cache.REDIS_SALT, payload)
    with override_settings(CACHE_SIGNING_KEY="secret-a", SECRET_KEY="secret-b"):
        assert signed_cache.sign(signed_cache.REDIS_SALT, payload) == by_secret_key
        assert signed_cache.unsign(signed_cache.REDIS_SALT, by_secret_key) == payload
        # One salt per format: a value signed for Redis is no valid cache file.
        with pytest.raises(signed_cache.RefusedValue):
            signed_cache.unsign(signed_cache.FILE_SALT, by_secret_key)
    with (
        override_settings(CACHE_SIGNING_KEY="secret-c", SECRET_KEY="secret-a"),
        pytest.raises(signed_cache.RefusedValue),
    ):
        signed_cache.unsign(signed_cache.REDIS_SALT, by_secret_key)


# Planted values ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("page_cache_on")
def test_a_pickle_planted_under_the_generation_key_is_ignored_and_the_page_rendered(client, store, marker, caplog):
    ActionFactory(title="Ateliers mémoire", slug="ateliers-memoire", featured=True)
    store.write(GENERATION_KEY, store.django_pickle(Exploit(marker)))

    first = client.get("/")

    assert not marker.exists(), "le pickle déposé a été chargé"
    assert first.status_code == 200
    assert first["X-Cache"] == "MISS"
    assert "Ateliers mémoire" in first.text
    assert len(refusals(caplog)) == 1, "le refus n’est pas journalisé une fois"
    assert str(marker) not in caplog.text and ATTACKER_GENERATION not in caplog.text
    # A fresh generation replaced the planted value; the page was stored under it.
    generation = caches["pages"].get(GENERATION_KEY)
    assert isinstance(generation, str) and generation != ATTACKER_GENERATION
    again = fetch(client, "/")
    assert again["X-Cache"] == "HIT"
    assert again.content == first.content
    assert not marker.exists()


@pytest.mark.usefixtures("page_cache_on")
def test_a_value_signed_with_another_key_is_refused(client, store, marker, caplog):
    """A staging copy with its own SECRET_KEY on the same store cannot plant values in production."""
    store.write(GENERATION_KEY, store.signed_elsewhere(Exploit(marker)))
    assert caches["pages"].get(GENERATION_KEY) is None
    assert len(refusals(caplog)) == 1

    response = client.get("/actions/")

    assert not marker.exists(), "le pickle signé par la recette a été chargé"
    assert response.status_code == 200
    assert response["X-Cache"] == "MISS"
    assert fetch(client, "/actions/")["X-Cache"] == "HIT"

    # Even a harmless value of the staging site is not taken for one of ours.
    store.write("valeur-de-la-recette", store.signed_elsewhere("bonjour"))
    assert caches["pages"].get("valeur-de-la-recette", "absente") == "absente"


@pytest.mark.usefixtures("page_cache_on")
def test_pages_replaced_by_planted_pickles_are_rendered_and_stored_again(client, store, marker, caplog):
    ActionFactory(title="Ateliers mémoire", slug="ateliers-memoire", featured=True)
    first = client.get("/actions/")
    assert first["X-Cache"] == "MISS"
    assert fetch(client, "/actions/")["X-Cache"] == "HIT"

    # The generation, the list of headers the page varies on and the page itself.
    assert store.overwrite_every_value(store.django_pickle(Exploit(marker))) >= 3
    planted = fetch(client, "/actions/")

    assert not marker.exists(), "un pickle déposé a été chargé"
    assert planted.status_code == 200
    assert planted["X-Cache"] == "MISS"
    assert planted.content == first.content
    assert refusals(caplog)
    assert fetch(client, "/actions/")["X-Cache"] == "HIT"
    assert not marker.exists()


def test_no_cache_operation_loads_a_planted_pickle(store, marker, caplog):
    cache = caches["pages"]
    planted = store.django_pickle(Exploit(marker))
    store.write("clé", planted)

    assert cache.get("clé", "absente") == "absente"
    assert cache.get_many(["clé"]) == {}
    store.write("clé", planted)
    cache.has_key("clé")
    cache.touch("clé", 60)
    store.write("clé", planted)
    cache.add("clé", "valeur", 60)  # a file store deletes the refused file: add() then succeeds
    cache.get("clé")
    store.write("clé", planted)
    cache.get_or_set("clé", "recalculée", 60)

    assert not marker.exists(), "un pickle déposé a été chargé"
    assert refusals(caplog)
    assert str(marker) not in caplog.text


def test_a_tampered_value_is_refused(store, caplog):
    cache = caches["pages"]
    cache.set("clé", "valeur de confiance", 60)
    stored = store.read("clé")
    tampered = stored[:-1] + bytes([stored[-1] ^ 1])
    store.write("clé", tampered)

    assert cache.get("clé") is None
    assert len(refusals(caplog)) == 1
    assert store.read("clé") is None  # deleted
    # Nor is a signature alone, nor a truncated one.
    store.write("clé", stored[: signed_cache.SIGNATURE_LENGTH])
    assert cache.get("clé") is None
    store.write("clé", stored[1:])
    assert cache.get("clé") is None


def test_get_many_leaves_refused_values_out(store, caplog):
    cache = caches["pages"]
    cache.set_many({"a": "texte", "b": 2, "c": ["liste"]}, 60)
    store.write("c", store.django_pickle("valeur déposée"))

    assert cache.get_many(["a", "b", "c", "d"]) == {"a": "texte", "b": 2}
    assert len(refusals(caplog)) == 1
    assert store.read("c") is None


# Round trips -------------------------------------------------------------------------------------


def test_values_round_trip(store):
    cache = caches["pages"]
    cache.set("texte", "Créteil — santé", 60)
    cache.set("page", HttpResponse("<p>Page gardée</p>", headers={"ETag": '"abc"'}), 60)
    cache.set("rien", None, 60)
    cache.set("vrai", True, 60)

    assert cache.get("texte") == "Créteil — santé"
    page = cache.get("page")
    assert isinstance(page, HttpResponse)
    assert page.content.decode() == "<p>Page gardée</p>" and page["ETag"] == '"abc"'
    assert cache.get("rien", "absente") is None
    assert cache.get("vrai") is True
    assert cache.get_many(["texte", "vrai", "inconnue"]) == {"texte": "Créteil — santé", "vrai": True}
    assert cache.has_key("texte") and not cache.has_key("inconnue")
    assert cache.delete("texte") and cache.get("texte") is None


def test_counters_with_add_and_incr(store):
    cache = caches["pages"]
    assert cache.add("compteur", 0, 60)
    assert not cache.add("compteur", 0, 60)
    assert cache.incr("compteur") == 1
    assert cache.incr("compteur", 4) == 5
    assert cache.get("compteur") == 5
    with pytest.raises(ValueError):
        cache.incr("inconnu")


def test_touch_changes_the_expiry_and_keeps_the_value(store):
    cache = caches["pages"]
    cache.set("clé", "valeur", 60)
    assert cache.touch("clé", None)
    assert cache.get("clé") == "valeur"
    assert cache.touch("clé", 0)  # expires at once
    assert cache.get("clé") is None
    assert not cache.touch("inconnue", 60)


def test_redis_keeps_integers_raw_for_atomic_counters(redis_store):
    """django-ratelimit and the page cache count with add() and incr(): an INCRBY on a raw number."""
    cache = caches["default"]
    cache.add("limite", 0, 60)
    cache.incr("limite")
    assert redis_store.read("limite") == b"1"
    # A raw number planted there is read as a number (int() of it: no code runs).
    redis_store.write("limite", b"41")
    assert cache.incr("limite") == 42
    assert cache.get("limite") == 42
    # Everything else is signed.
    cache.set("texte", "valeur", 60)
    stored = redis_store.read("texte")
    assert signed_cache.unsign(signed_cache.REDIS_SALT, stored) == pickle.dumps("valeur", pickle.HIGHEST_PROTOCOL)


def test_redis_touch_expires_keys(redis_store):
    cache = caches["default"]
    cache.set("clé", "valeur", 60)
    assert cache.touch("clé", None)
    assert redis_store.client.ttl(redis_store.raw_key("clé")) == -1


def test_a_cache_file_is_signed_and_holds_no_pickled_expiry(file_store):
    cache = caches["pages"]
    cache.set("clé", "valeur", None)
    payload = signed_cache.unsign(signed_cache.FILE_SALT, file_store.read("clé"))
    (expiry,) = signed_cache.EXPIRY.unpack_from(payload)
    assert expiry == math.inf
    assert pickle.loads(zlib.decompress(payload[signed_cache.EXPIRY.size :])) == "valeur"

    assert cache.touch("clé", 60)
    (expiry,) = signed_cache.EXPIRY.unpack_from(signed_cache.unsign(signed_cache.FILE_SALT, file_store.read("clé")))
    assert time.time() < expiry <= time.time() + 60


def test_a_refused_value_is_deleted_so_that_add_succeeds(store, marker):
    store.write("clé", store.django_pickle(Exploit(marker)))
    assert caches["pages"].get("clé") is None
    assert store.read("clé") is None
    assert caches["pages"].add("clé", "valeur", 60)
    assert caches["pages"].get("clé") == "valeur"
    assert not marker.exists()


class StoreWithAnUnreadableGeneration:
    """A store whose generation key holds a value it refuses to read and does not delete."""

    def __init__(self):
        self.readable = None

    def get(self, key, default=None):
        return default if self.readable is None else self.readable

    def add(self, key, value, timeout=None):
        return False

    def set(self, key, value, timeout=None):
        self.readable = value


def test_the_generation_is_replaced_when_the_store_cannot_read_it(monkeypatch):
    store = StoreWithAnUnreadableGeneration()
    monkeypatch.setattr(page_cache, "page_cache", lambda: store)

    generation = page_cache.current_generation()

    assert isinstance(generation, str)
    assert store.readable == generation
    assert page_cache.current_generation() == generation


# Sessions ----------------------------------------------------------------------------------------


def test_sessions_in_the_signed_redis_cache(redis_store, marker, caplog):
    assert settings.SESSION_ENGINE == "core.session_store"
    session = SessionStore()
    session["reference"] = "MUT-2024-0001"
    session.save()
    key = session.session_key
    assert SessionStore(session_key=key)["reference"] == "MUT-2024-0001"
    assert signed_cache.unsign(signed_cache.REDIS_SALT, redis_store.read(session.cache_key))

    redis_store.write(session.cache_key, redis_store.django_pickle(Exploit(marker)))
    restored = SessionStore(session_key=key)

    assert restored["reference"] == "MUT-2024-0001"  # read from the database
    assert not marker.exists(), "la session déposée a été chargée"
    assert len(refusals(caplog)) == 1
    # The database's copy is back in the cache, signed.
    assert caches["default"].get(session.cache_key) == {"reference": "MUT-2024-0001"}


# Small values kept in memory while their file is unchanged ------------------------------------------


def settle(path, seconds=2):
    """Date the file back, as a value written a while ago (the generations between two edits)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 1_000_000_000))


def test_a_settled_small_value_is_read_again_without_opening_its_file(file_store, monkeypatch):
    cache = caches["pages"]
    cache.set(GENERATION_KEY, "19a2b3c4d5e6f708-abcdef01", None)
    settle(file_store.path(GENERATION_KEY))
    assert cache.get(GENERATION_KEY) == "19a2b3c4d5e6f708-abcdef01"

    def no_open(*args, **kwargs):
        raise AssertionError("fichier rouvert")

    monkeypatch.setattr(signed_cache, "open", no_open, raising=False)
    assert cache.get(GENERATION_KEY) == "19a2b3c4d5e6f708-abcdef01"


def test_a_value_rewritten_at_once_with_the_same_size_is_read_anew(file_store):
    cache = caches["pages"]
    cache.set(GENERATION_KEY, "generation-a", None)
    settle(file_store.path(GENERATION_KEY))
    assert cache.get(GENERATION_KEY) == "generation-a"

    cache.set(GENERATION_KEY, "generation-b", None)
    assert cache.get(GENERATION_KEY) == "generation-b"
    cache.set(GENERATION_KEY, "generation-c", None)  # within the same tick of a coarse clock
    assert cache.get(GENERATION_KEY) == "generation-c"


def test_a_value_read_less_than_a_second_after_its_writing_is_not_kept(file_store, monkeypatch):
    cache = caches["pages"]
    cache.set(GENERATION_KEY, "toute-fraiche", None)
    assert cache.get(GENERATION_KEY) == "toute-fraiche"

    opened = []
    real_open = open
    monkeypatch.setattr(signed_cache, "open", lambda *a, **k: opened.append(a) or real_open(*a, **k), raising=False)
    assert cache.get(GENERATION_KEY) == "toute-fraiche"
    assert opened


def test_a_kept_value_expires_and_is_refused_under_another_key(file_store, monkeypatch):
    cache = caches["pages"]
    cache.set("clé", "valeur", 60)
    settle(file_store.path("clé"))
    assert cache.get("clé") == "valeur"

    with override_settings(CACHE_SIGNING_KEY=STAGING_KEY):
        assert cache.get("clé") is None  # refused (and deleted) as it would be if read from the file
    assert file_store.read("clé") is None

    cache.set("clé", "valeur", 60)
    settle(file_store.path("clé"))
    assert cache.get("clé") == "valeur"
    later = time.time() + 120
    monkeypatch.setattr(signed_cache.time, "time", lambda: later)
    assert cache.get("clé") is None


def test_mutable_values_are_never_kept(file_store):
    cache = caches["pages"]
    cache.set("liste", ["HTTP_ACCEPT"], None)
    settle(file_store.path("liste"))
    cache.get("liste").append("modifiée")

    assert cache.get("liste") == ["HTTP_ACCEPT"]
