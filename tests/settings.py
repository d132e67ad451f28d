"""Test settings: production settings with fast hashing, in-memory mail and a temporary media root."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from creteil_cls.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="cls-test-media-")
STORAGES = {
    **STORAGES,  # noqa: F405
    # The manifest needs collectstatic; tests render templates without it.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Static files served from the finders, without collectstatic (the browser tests need them).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The page cache (core/cache.py) is off, so that every test, and every query budget, measures
# real rendering; tests/performance turn it on. Its store is per process, like the default cache.
PAGE_CACHE_SECONDS = 0
CACHES = {**CACHES, "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"}}  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # The same backend, but flushing with DELETE (see tests/postgresql_backend/base.py); and a test
    # database is thrown away, so its commits need not wait for the disk.
    DATABASES["default"]["ENGINE"] = "tests.postgresql_backend"  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
