"""Helpers the test modules share (fixtures are in conftest.py; pytest advises against importing it)."""

import datetime
import re

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


def squash(html):
    """The text of an HTML fragment with its whitespace collapsed (templates wrap long lines)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def title_of(body):
    return squash(re.search(r"<title>(.*?)</title>", body, re.S).group(1))


def h1s_of(body):
    return [squash(h1) for h1 in re.findall(r"<h1[^>]*>(.*?)</h1>", body, re.S)]


def assert_not_found_page(response):
    """A 404 that shows the site's French « Page introuvable » page (templates/404.html)."""
    assert response.status_code == 404
    assert h1s_of(response.content.decode()) == ["Page introuvable"]


def assert_refused_page(response):
    """A 403 that shows the site's French « accès refusé » page (templates/403.html)."""
    assert response.status_code == 403
    assert h1s_of(response.content.decode()) == ["Vous n’avez pas accès à cette page"]
