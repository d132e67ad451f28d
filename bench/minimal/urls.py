"""One view: a constant page of 20 KB, as ``HttpResponse`` sends it."""

from django.http import HttpResponse
from django.urls import path

PAGE_BYTES = 20 * 1024


def constant_page():
    head = '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Page constante</title></head><body>'
    tail = "</body></html>"
    paragraph = "<p>Une vue Django minimale qui renvoie toujours la même page de vingt kilo-octets.</p>\n"
    body = paragraph * ((PAGE_BYTES - len(head) - len(tail)) // len(paragraph.encode()))
    page = (head + body).encode()
    return page + b" " * (PAGE_BYTES - len(page) - len(tail)) + tail.encode()


PAGE = constant_page()


def constant(request):
    return HttpResponse(PAGE)


urlpatterns = [path("", constant, name="constant")]
