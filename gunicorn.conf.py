"""Gunicorn configuration of the Créteil CLS portal: `gunicorn -c gunicorn.conf.py`.

Meant to run behind a local nginx that terminates HTTPS and forwards to this address.
Every value can be changed from the environment (see README.md, « Mise en production »).
"""

import gc
import multiprocessing
import os

wsgi_app = "creteil_cls.wsgi:application"

# Where gunicorn listens: a loopback address that nginx forwards to, or a unix socket
# ("unix:/run/creteil-cls/gunicorn.sock").
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# The classic 2 × cores + 1 synchronous workers; WEB_CONCURRENCY is the common name for it.
workers = int(
    os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1
)
threads = int(os.environ.get("GUNICORN_THREADS", "1"))

# A request that takes longer than this is stuck: its worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# nginx keeps connections to the upstream open a little.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Recycle workers now and then so that a slow leak never grows for ever.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))

# Access and error logs on stdout/stderr, collected by systemd or the container runtime.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'

# Trust the X-Forwarded-* headers (X-Forwarded-Proto: https) only from the local nginx.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Worker heartbeats in memory rather than on a possibly slow disk (gunicorn's own advice;
# it creates its files there with mkstemp, so the shared directory is not a risk).
SHM = "/dev/shm"  # noqa: S108
if os.path.isdir(SHM):
    worker_tmp_dir = SHM


def post_worker_init(worker):
    """Load what every request needs, then keep everything loaded so far out of the garbage collector.

    A worker holds a few hundred thousand objects from Django and its libraries for its whole life.
    Without ``gc.freeze()`` each full collection walks them all again: a pause of 75 to 200 ms,
    seen as the p99 latency of the benchmark (bench/). Frozen, they are never scanned again.
    """
    from django.template.loader import get_template
    from django.urls import reverse
    from django.utils import translation

    # What the first requests would load otherwise: every view, the reverse table, the French
    # catalogue, the base template.
    reverse("home")
    translation.activate("fr")
    get_template("base.html")
    translation.deactivate()
    gc.collect()
    gc.freeze()
