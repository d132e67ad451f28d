"""The admin under the Content-Security-Policy: no inline script, style or event handler in its pages.

Under ``script-src 'self'; style-src 'self'`` the browser ignores all three: a page of the admin
that relies on one is broken for the staff. The pages are found from the admin's registry (every
registered model's list, add form, change form and history, and the exports), opened by a
superuser with a verified session, with the initial content loaded.
"""

import re

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from tests.initial_content import load_initial_content
from tests.mutuelle.factories import FollowUpNoteFactory

# What it checks is markup: the same on either database, checked once (CI's SQLite pass). The same
# admin pages are opened on PostgreSQL by the changelist and change-form tests, the fuzz and axe.
pytestmark = [pytest.mark.django_db, pytest.mark.database_independent]

INLINE_CODE = [
    # A <script> element with code in it (json_script and JSON-LD blocks are data, not code).
    re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=\"application/(?:ld\+)?json\")[^>]*>"),
    re.compile(r"<style\b"),
    re.compile(r"\sstyle=[\"']"),
    re.compile(r"\son[a-z]+=[\"']"),
    re.compile(r"javascript:", re.IGNORECASE),
]
# django-import-export's export page has inline code (style=, onchange=) only with its « selectable
# fields » form; the requests' export uses the plain ExportForm, and this test would notice a change.


def inline_code(html):
    return sorted({match.group(0).strip() for pattern in INLINE_CODE for match in pattern.finditer(html)})


def admin_pages(user):
    """URL names (with their arguments) of the admin pages ``user`` may open, for every registered model."""
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = [("admin:index", None), ("admin:password_change", None), ("two_factor:profile", None)]
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        if model_admin.has_add_permission(request):
            pages.append((f"{prefix}_add", None))
        pages.append((f"{prefix}_changelist", None))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            pages += [(f"{prefix}_change", obj.pk), (f"{prefix}_history", obj.pk)]
        for name in ["export", "import"]:
            try:
                reverse(f"{prefix}_{name}")
            except NoReverseMatch:
                continue
            pages.append((f"{prefix}_{name}", None))
    return pages


@pytest.fixture
def content(admin_user):
    load_initial_content()  # tests/initial_content.py
    FollowUpNoteFactory()  # an interest request and its note


def test_no_admin_page_relies_on_inline_code(admin_client, admin_user, content):
    reports = []
    visited = set()
    for name, pk in admin_pages(admin_user):
        url = reverse(name, args=[pk] if pk is not None else [])
        response = admin_client.get(url, secure=True, follow=True)  # a singleton’s list opens its form
        if response.status_code != 200:
            reports.append(f"{url} ({name}) : HTTP {response.status_code}")
            continue
        visited.add(name)
        if found := inline_code(response.content.decode()):
            reports.append(f"{url} ({name}) : {found}")
    assert len(reports) == 0, "Code en ligne que la CSP bloque :\n" + "\n".join(reports)
    # The pages most at risk were among them.
    for name in ["admin:mutuelle_interestrequest_export", "admin:events_event_change", "admin:auth_user_change"]:
        assert name in visited
