"""Gunicorn settings of the minimal app: gunicorn's defaults (sync workers, no access log), 2 workers.

Given with ``-c`` so that gunicorn does not read the portal's gunicorn.conf.py in the current directory.
"""

import os

wsgi_app = "bench.minimal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
