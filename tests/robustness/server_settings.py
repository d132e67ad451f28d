"""Production settings for a portal started by a test in a subprocess (the database outage test).

Everything comes from ``creteil_cls.settings`` and the environment, as in production, except the
static files storage: the manifest one needs ``collectstatic`` (about 20 s of Brotli and gzip
compression), which has nothing to do with what these tests check.
"""

from creteil_cls.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
