"""Helpers the test modules share (fixtures are in conftest.py; pytest advises against importing it)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone


def count_queries(client, url):
    """The number of SQL queries of a GET of ``url``, which must answer 200."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def admin_url(model, view, *args):
    """``admin_url(Action, "change", pk)``: the admin page of a model (changelist, add, change…)."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def paris_datetime(year, month, day, hour=0, minute=0):
    """An aware datetime in the site's time zone (Europe/Paris)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=timezone.get_default_timezone())
