"""Each process's table of pages ready to serve, in front of the shared page cache (core/cache.py, ReadyPages)."""

import pytest
from django.core.cache import caches
from django.http import HttpResponse
from django.test import RequestFactory

from core import cache as page_cache
from core.cache import ReadyPages
from tests.actions.factories import ActionFactory

factory = RequestFactory()


def page(text="Ateliers mémoire"):
    response = HttpResponse(f"<p>{text}</p>")
    response["ETag"] = '"v1"'
    return response


def test_each_hit_gets_its_own_response_object():
    ready = ReadyPages()
    request = factory.get("/actions/")
    ready.keep(request, "p1", page(), None, 60)

    first, second = ready.get(request, "p1"), ready.get(request, "p1")
    first["X-Cache"] = "HIT"
    first.content = b"autre chose"

    assert first is not second
    assert second.content == b"<p>Ateliers m\xc3\xa9moire</p>"
    assert "X-Cache" not in second
    assert second["ETag"] == '"v1"'


def test_a_newer_generation_replaces_the_page_of_its_address():
    ready = ReadyPages()
    request = factory.get("/actions/")
    ready.keep(request, "p1", page("avant"), None, 60)

    assert ready.get(request, "p2") is None
    ready.keep(request, "p2", page("après"), None, 60)
    assert ready.get(request, "p1") is None
    assert b"apr" in ready.get(request, "p2").content
    assert len(ready) == 1


def test_the_address_holds_the_host_the_scheme_and_the_query_string():
    ready = ReadyPages()
    ready.keep(factory.get("/actions/", {"axe": "prevention"}), "p", page(), None, 60)

    assert ready.get(factory.get("/actions/", {"axe": "prevention"}), "p") is not None
    assert ready.get(factory.get("/actions/"), "p") is None
    assert ready.get(factory.get("/actions/", {"axe": "autre"}), "p") is None
    assert ready.get(factory.get("/actions/", {"axe": "prevention"}, secure=True), "p") is None
    assert ready.get(factory.get("/actions/", {"axe": "prevention"}, headers={"host": "127.0.0.1"}), "p") is None


def test_a_page_that_varies_on_a_header_is_kept_per_value_of_that_header():
    ready = ReadyPages()
    plain = factory.get("/agenda/", headers={"accept": "text/html"})
    other = factory.get("/agenda/", headers={"accept": "application/json"})
    ready.keep(plain, "p", page("html"), "Accept, Accept-Language", 60)

    assert b"html" in ready.get(factory.get("/agenda/", headers={"accept": "text/html"}), "p").content
    assert ready.get(other, "p") is None
    # The language is in Django's keys, not the raw header (learn_cache_key with USE_I18N): one copy.
    assert ready.get(factory.get("/agenda/", headers={"accept": "text/html", "accept-language": "en"}), "p")

    ready.keep(other, "p", page("json"), "Accept, Accept-Language", 60)
    assert b"json" in ready.get(other, "p").content
    assert b"html" in ready.get(plain, "p").content


def test_the_variants_of_one_address_are_bounded():
    ready = ReadyPages()
    for number in range(page_cache.LOCAL_MAX_VARIANTS + 3):
        ready.keep(factory.get("/", headers={"x-variante": str(number)}), "p", page(), "X-Variante", 60)

    assert ready.get(factory.get("/", headers={"x-variante": "0"}), "p") is not None
    assert ready.get(factory.get("/", headers={"x-variante": str(page_cache.LOCAL_MAX_VARIANTS)}), "p") is None


def test_a_page_that_varies_on_everything_is_not_kept():
    ready = ReadyPages()
    request = factory.get("/")
    ready.keep(request, "p", page(), "*", 60)

    assert ready.get(request, "p") is None
    assert len(ready) == 0


def test_a_page_expires_after_its_seconds(monkeypatch):
    ready = ReadyPages()
    request = factory.get("/")
    now = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    ready.keep(request, "p", page(), None, 60)

    now[0] += 59
    assert ready.get(request, "p") is not None
    now[0] += 2
    assert ready.get(request, "p") is None


def test_the_oldest_address_goes_first_past_the_maximum():
    ready = ReadyPages(max_entries=2)
    first, second, third = (factory.get(f"/page-{number}/") for number in range(3))
    ready.keep(first, "p", page(), None, 60)
    ready.keep(second, "p", page(), None, 60)
    ready.keep(first, "p", page(), None, 60)  # kept again: now the most recent
    ready.keep(third, "p", page(), None, 60)

    assert ready.get(second, "p") is None
    assert ready.get(first, "p") is not None
    assert ready.get(third, "p") is not None


@pytest.mark.django_db
def test_a_page_read_from_the_shared_store_is_then_served_from_memory(client, settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 300
    caches["pages"].clear()
    page_cache.local_pages.clear()
    ActionFactory(title="Ateliers mémoire", slug="ateliers-memoire")
    try:
        assert client.get("/actions/")["X-Cache"] == "MISS"
        page_cache.local_pages.clear()  # as another worker: the page is in the shared store only
        from_store = client.get("/actions/")

        def no_shared_read(*args, **kwargs):
            raise AssertionError("lu dans le cache partagé")

        monkeypatch.setattr(page_cache.PageCacheMiddleware, "_fetch", staticmethod(no_shared_read))
        from_memory = client.get("/actions/")

        assert from_store["X-Cache"] == from_memory["X-Cache"] == "HIT"
        assert from_memory.content == from_store.content
        assert "Ateliers mémoire" in from_memory.content.decode()
    finally:
        caches["pages"].clear()
        page_cache.local_pages.clear()
