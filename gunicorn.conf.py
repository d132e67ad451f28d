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

# Worker recycling: on memory, not on a request count (issue 13, docs/performances.md).
# A worker is replaced after the request during which its resident memory went past
# GUNICORN_MAX_WORKER_MEMORY_MB (checked every MEMORY_CHECK_EVERY requests: one read of
# /proc/self/statm), so that a slow leak never grows for ever. A worker holds about 90 MB.
# The request count stays as a backstop only, very high: a new worker imports Django and the
# whole project again (about a second of processor), and with the former max_requests = 1000
# each worker restarted about every second under load: a third of the processor went to
# restarts, the p99 reached 100–400 ms. 200 000 requests (± 20 000, so that the workers do not
# restart together) is at least several minutes at full load, hours on an ordinary day.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "200000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "20000"))
MAX_WORKER_MEMORY_MB = int(os.environ.get("GUNICORN_MAX_WORKER_MEMORY_MB", "400"))  # 0: no check
MEMORY_CHECK_EVERY = 256

# Error log on stderr, collected by systemd or the container runtime. No access log by default:
# nginx writes one already, without the query strings (deploy/nginx-cls-portail.conf), and
# gunicorn's — a formatted, filtered JSON line per request through Python's logging — cost a
# tenth of the throughput of a cached page (docs/performances.md). GUNICORN_ACCESS_LOG=- turns
# it on, on stdout (a deployment without nginx), with the fields below.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
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


_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_memory_mb():
    """This process's resident memory in MB (Linux), or None where /proc/self/statm does not exist."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_BYTES / 1024 / 1024
    except (OSError, IndexError, ValueError):
        return None


def post_request(worker, req, environ, resp):
    """Every MEMORY_CHECK_EVERY requests, replace the worker if it has grown past MAX_WORKER_MEMORY_MB.

    ``worker.alive = False`` is what gunicorn's own ``max_requests`` does: the worker finishes this
    request, exits, and the arbiter starts a new one.
    """
    worker.cls_requests = getattr(worker, "cls_requests", 0) + 1
    if not MAX_WORKER_MEMORY_MB or worker.cls_requests % MEMORY_CHECK_EVERY:
        return
    memory = resident_memory_mb()
    if memory is not None and memory > MAX_WORKER_MEMORY_MB:
        worker.log.info("Worker remplacé : %.0f Mo de mémoire résidente (plus de %s Mo)", memory, MAX_WORKER_MEMORY_MB)
        worker.alive = False
