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

# Lighthouse's server (bench/run.py): the pages compressed with gzip, as nginx sends them in
# production (deploy/nginx-cls-portail.conf: gzip for text/html; the static files are compressed
# by WhiteNoise at collectstatic, here as there). Never on the server that wrk loads: its figures
# measure the portal as gunicorn runs it.
if os.environ.get("BENCH_COMPRESS_HTML"):
    MIDDLEWARE = ["django.middleware.gzip.GZipMiddleware", *MIDDLEWARE]  # noqa: F405
