"""Settings of the benchmark: the production settings, plus a bare view to compare with (bench/urls.py).

Never used in production: ``bench/run.py`` starts gunicorn with ``DJANGO_SETTINGS_MODULE=bench.settings``.
"""

import os

from creteil_cls.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The page cache as before issue 13 (served by the innermost middleware only), to measure the
# difference in one run: make bench BENCH_ARGS="--gunicorn-env BENCH_LATE_PAGE_CACHE=1".
if os.environ.get("BENCH_LATE_PAGE_CACHE"):
    MIDDLEWARE = [name for name in MIDDLEWARE if name != "core.cache.CachedPageMiddleware"]  # noqa: F405
