"""WSGI entry point of the minimal app: ``gunicorn -w 2 bench.minimal.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.minimal.settings")

application = get_wsgi_application()
