"""Static files as production serves them: collected, hashed, compressed with Brotli and gzip,
and served by WhiteNoise with the encoding the browser accepts and a far-future cache.

collectstatic runs once, with the production storage, into a temporary STATIC_ROOT. It leaves
out the bulky files no page uses (Bootstrap's JavaScript and its other CSS builds, the admin's
vendored libraries, the editor's bundle, the browsable API's files), whose Brotli compression
would take most of the time of this test.
"""

import brotli
import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client, override_settings

# Files on disk, whatever the database: run once in CI (the SQLite pass).
pytestmark = pytest.mark.database_independent

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
# The public pages load the Bootstrap subset (scripts/css/build.sh); one admin page, the whole of it.
STYLESHEETS = ["css/site.css", "css/bootstrap.subset.css", "bootstrap/css/bootstrap.min.css", "admin/css/base.css"]
TEN_YEARS = 10 * 365 * 24 * 60 * 60
NOT_COLLECTED = [
    "bootstrap/js/*",
    "bootstrap/css/bootstrap.css*",
    "bootstrap/css/bootstrap.rtl*",
    "bootstrap/css/bootstrap-grid*",
    "bootstrap/css/bootstrap-reboot*",
    "bootstrap/css/bootstrap-utilities*",
    "admin/js/vendor/*",
    # The rich text editor's bundle and source map, and the browsable API's assets (the API answers
    # JSON only): megabytes whose Brotli compression took three quarters of this module's time.
    "django_prose_editor/*",
    "rest_framework/*",
]


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """Settings of a production static setup, after collectstatic into a temporary STATIC_ROOT."""
    from django.conf import settings

    static_root = tmp_path_factory.mktemp("staticfiles")
    production = override_settings(
        STATIC_ROOT=static_root,
        STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}},
        # As in production: only the collected files, read once at start.
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
        WHITENOISE_MAX_AGE=31536000,
    )
    with production:
        call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=NOT_COLLECTED)
        yield static_root


def test_the_production_storage_is_the_compressing_one():
    from creteil_cls import settings as production_settings

    # tests/settings.py swaps it for the plain one; production uses WhiteNoise's.
    assert production_settings.DEBUG is False
    assert production_settings.STORAGES["staticfiles"]["BACKEND"] == PRODUCTION_STORAGE


@pytest.mark.parametrize("name", STYLESHEETS)
def test_stylesheets_are_hashed_and_compressed_with_brotli_and_gzip(collected, name):
    hashed = staticfiles_storage.stored_name(name)
    assert hashed != name, "le nom n'est pas haché"
    original = (collected / hashed).read_bytes()
    brotli_file = collected / f"{hashed}.br"
    gzip_file = collected / f"{hashed}.gz"
    assert brotli_file.exists(), f"{brotli_file.name} manque : Brotli n'est pas installé ?"
    assert gzip_file.exists()
    assert brotli.decompress(brotli_file.read_bytes()) == original
    assert brotli_file.stat().st_size < gzip_file.stat().st_size < len(original)


# Closing a response runs Django's request_finished handlers, which look at the database connection.
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_encoding", "expected_encoding", "suffix"),
    [("gzip, deflate, br", "br", ".br"), ("gzip", "gzip", ".gz"), ("", None, "")],
    ids=["brotli", "gzip", "identity"],
)
def test_whitenoise_serves_the_encoding_the_browser_accepts(collected, accept_encoding, expected_encoding, suffix):
    url = staticfiles_storage.url("css/site.css")
    assert url.startswith("/static/css/site.") and url != "/static/css/site.css"

    response = Client().get(url, headers={"accept-encoding": accept_encoding})  # a fresh WhiteNoise

    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == expected_encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["Content-Type"].startswith("text/css")
    assert response.headers["Cache-Control"] == f"max-age={TEN_YEARS}, public, immutable"
    body = b"".join(response.streaming_content)
    response.close()
    hashed = staticfiles_storage.stored_name("css/site.css")
    assert body == (collected / f"{hashed}{suffix}").read_bytes()


@pytest.mark.django_db
def test_a_name_without_hash_is_not_cached_for_ever(collected):
    response = Client().get("/static/css/site.css", headers={"accept-encoding": "br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert response.headers["Cache-Control"] == "max-age=31536000, public"
    response.close()
