"""Settings of the benchmark: the production settings, plus a bare view to compare with (bench/urls.py).

Never used in production: ``bench/run.py`` starts gunicorn with ``DJANGO_SETTINGS_MODULE=bench.settings``.
"""

from creteil_cls.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
