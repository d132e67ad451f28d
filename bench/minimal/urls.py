"""One view: a constant page of 20 KB, as ``HttpResponse`` sends it (``/ko/<n>/``: of n KB, the
yardstick of a portal page of that size, whose bytes cost the same whatever the framework does)."""

import functools

from django.http import Http404, HttpResponse
from django.urls import path

PAGE_BYTES = 20 * 1024


@functools.lru_cache(maxsize=64)
def constant_page(size=PAGE_BYTES):
    head = '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Page constante</title></head><body>'
    tail = "</body></html>"
    paragraph = "<p>Une vue Django minimale qui renvoie toujours la même page de vingt kilo-octets.</p>\n"
    body = paragraph * ((size - len(head) - len(tail)) // len(paragraph.encode()))
    page = (head + body).encode()
    return page + b" " * (size - len(page) - len(tail)) + tail.encode()


PAGE = constant_page()


MAX_KILOBYTES = 2048


def constant(request):
    return HttpResponse(PAGE)


def sized(request, kilobytes):
    if not 1 <= kilobytes <= MAX_KILOBYTES:
        raise Http404
    return HttpResponse(constant_page(kilobytes * 1024))


urlpatterns = [path("", constant, name="constant"), path("ko/<int:kilobytes>/", sized, name="sized")]
