"""Settings of the gunicorn instances the scale-out tests start: production, with three changes.

- Static files come from the finders (no ``collectstatic``, which takes ~20 s with Brotli), as in
  ``tests/settings.py``; nothing here is about static files.
- MD5 is accepted first among the password hashers, so that a staff account made by the test
  process (which hashes with MD5) can log in without a second of PBKDF2 on each side.
- Mail stays in memory: the instances must not try an SMTP server on the loopback.

Everything else (DEBUG off, cache, sessions, rate limits, middleware, the admin and its login)
is ``creteil_cls.settings`` read from the environment the test gives the instances.
"""

from django.conf import global_settings

from creteil_cls.settings import *  # noqa: F403
from creteil_cls.settings import STORAGES as _PRODUCTION_STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *global_settings.PASSWORD_HASHERS]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **_PRODUCTION_STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
