"""The portal's URLs plus ``/bench/nu/``: a bare Django view returning a constant page.

The bare view goes through the same middleware as the portal's pages, on the same server: the
ratio of a page's throughput to its throughput is what ``bench/run.py`` reports. Never in
production URLs (only ``bench.settings`` points here). The uploaded files are served too, as
nginx does in production.
"""

from django.conf import settings
from django.http import HttpResponse
from django.urls import path, re_path
from django.views.static import serve

from creteil_cls import urls as site_urls

BARE_PAGE = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Page nue</title></head>'
    "<body><h1>Page nue</h1><p>Une vue Django qui renvoie toujours la même page.</p></body></html>"
)


def bare(request):
    return HttpResponse(BARE_PAGE)


urlpatterns = [
    path("bench/nu/", bare, name="bench_bare"),
    # The uploaded images, which nginx serves in production (Lighthouse opens an action's image).
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    *site_urls.urlpatterns,
]

handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500
