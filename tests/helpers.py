"""Helpers the test modules share (fixtures are in conftest.py; pytest advises against importing it)."""

import datetime
import re
from html.parser import HTMLParser

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


class _FormReader(HTMLParser):
    """What a browser would post from the ``<form id=form_id>`` of a page (see ``form_data``)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.in_form, self.data = form_id, False, {}
        self.select = self.textarea = None

    def add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == self.form_id
        if not self.in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.add(name, attrs.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.add(name, attrs.get("value", ""))
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.add(self.select, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.add(name, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            # Browsers drop a textarea's first newline (Django's template writes one).
            self.data[self.textarea][-1] = self.data[self.textarea][-1].removeprefix("\n")
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][-1] += data


def form_data(html, form_id):
    """``{name: [values]}`` that the form ``form_id`` of ``html`` posts as it stands (the test client takes lists).

    Inputs, checked boxes, selected options and textareas, as a browser sends them; no button.
    """
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.data


def insert_rows(model, instances, fields, using, **options):
    """INSERTs ``instances`` of ``model`` as they are (``raw``: no ``auto_now``, no signal, as
    ``loaddata``), in as few statements as the database's limit on parameters allows.

    ``options``: those of ``QuerySet._insert`` (``on_conflict``, ``unique_fields``, ``update_fields``).
    """
    from django.db import connections

    size = connections[using].ops.bulk_batch_size(fields, instances) or len(instances)
    for start in range(0, len(instances), size):
        model._base_manager.using(using)._insert(instances[start : start + size], fields=fields, raw=True, **options)
