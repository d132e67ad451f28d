"""Uploaded files (/media/): served by Django in development only; nginx serves them in production.

Issue 12: `make run` showed no uploaded image. The root urlconf adds the media URLs when DEBUG
is on at import (django.conf.urls.static.static); the tests run with DEBUG off, so these
re-import it with DEBUG on, and put it back as it was afterwards.
"""

import importlib
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import clear_url_caches

import creteil_cls.urls
from tests.helpers import assert_not_found_page

pytestmark = pytest.mark.django_db


def reload_urls():
    importlib.reload(creteil_cls.urls)
    clear_url_caches()


@pytest.fixture
def debug_urls():
    """The root urlconf as `make run` builds it (DEBUG on), for this test only."""
    try:
        with override_settings(DEBUG=True):
            reload_urls()
            yield
    finally:
        reload_urls()  # DEBUG off again: the urlconf the other tests use


@pytest.fixture
def uploaded():
    """A file in MEDIA_ROOT, as the admin stores an image."""
    path = Path(settings.MEDIA_ROOT) / "actions" / f"essai-{uuid.uuid4().hex}.webp"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    yield path
    path.unlink()


def media_url(path):
    return settings.MEDIA_URL + path.relative_to(settings.MEDIA_ROOT).as_posix()


def test_uploaded_files_are_served_in_development(client, debug_urls, uploaded):
    response = client.get(media_url(uploaded))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == uploaded.read_bytes()
    assert client.get(settings.MEDIA_URL + "actions/inconnue.webp").status_code == 404


def test_django_does_not_serve_them_in_production(client, uploaded):
    assert not settings.DEBUG
    assert_not_found_page(client.get(media_url(uploaded)))
