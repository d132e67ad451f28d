"""What the benchmark measures inside Django, page cache off: SQL queries, weight, search latency.

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=… python -m bench.measure > mesures.json
    … python -m bench.measure --search-only     (the search's latency alone)
    … python -m bench.measure --invalidation-only     (the pages one edit renews, alone)

Prints JSON: the pages to load (chosen among the rows of the database), for each the number of
SQL queries to render it (``CaptureQueriesContext``), its rendering time without the cache, the
size of its HTML compressed with gzip (as nginx sends it) and of the CSS and JS files it links
(the ``.gz`` copies that collectstatic made), the latency of the search over the actions,
events and partners (no cache), and the pages that one edit renews in the page cache (issue 13,
target 3: an edit to an event, an action, a partner; each recomputes only the pages that show its
section, core/cache.py).
"""

import gc
import gzip
import json
import os
import re
import statistics
import sys
import time

# As residents type them: common words, two words, typing mistakes, synonyms.
SEARCH_QUERIES = [
    "santé",
    "dépistage du cancer",
    "ateliers mémoire",
    "vaccination",
    "jeunes écrans",
    "sommeil",
    "vacin",
    "mutuele",
    "docteur",
    "personnes âgées",
]
SEARCH_ROUNDS = 10
# Uncached rendering time of a page in Django (test client), best of a few: the page cache off.
# Rounds of each page rendered without cache: the fastest (« rendu ms ») and the 95th percentile
# (issue 13, target 2: p95 ≤ 50 ms at N = 10 000).
RENDER_ROUNDS = 20


def pages():
    """(name, URL) of every public page kind, on rows that have content around them."""
    from django.db.models import Count
    from django.utils import timezone

    from actions.models import Action, Axis
    from events.models import Event, Place
    from partners.models import Partner

    action = Action.objects.published().annotate(n=Count("events")).order_by("-n", "pk").first()
    partner = Partner.objects.published().annotate(n=Count("actions")).order_by("-n", "pk").first()
    event = Event.objects.published().upcoming().first()
    place = Place.objects.published().annotate(n=Count("events")).order_by("-n", "pk").first()
    axis = Axis.objects.order_by("number").first()
    today = timezone.localdate()
    return [
        ("accueil", "/"),
        ("le CLS", "/le-cls/"),
        ("axe", axis.get_absolute_url()),
        ("actions", "/actions/"),
        ("actions filtrées p. 2", f"/actions/?axe={axis.slug}&page=2"),
        ("action", action.get_absolute_url()),
        ("partenaires", "/partenaires/"),
        ("partenaire", partner.get_absolute_url()),
        ("agenda", "/agenda/"),
        ("agenda du mois", f"/agenda/{today:%Y}/{today:%m}/"),
        ("événement", event.get_absolute_url()),
        ("événement .ics", event.get_ics_url()),
        ("lieu", place.get_absolute_url()),
        ("agenda.ics", "/agenda.ics"),
        ("flux agenda", "/flux/agenda/"),
        ("flux actions", "/flux/actions/"),
        ("plan du site (index)", "/sitemap.xml"),
        ("plan du site, actions", "/sitemap-actions.xml"),
        ("plan du site (page)", "/plan-du-site/"),
        ("glossaire", "/glossaire/"),
        ("robots.txt", "/robots.txt"),
        ("mutuelle", "/mutuelle/"),
        ("mentions légales", "/mentions-legales/"),
        ("recherche", "/recherche/?q=sant%C3%A9"),
    ]


def asset_sizes(html):
    """Compressed bytes of the CSS and JS files that an HTML page links, and their names."""
    from django.conf import settings

    found = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"|<script[^>]+src="([^"]+)"', html)
    total, names = 0, []
    for url in {href or src for href, src in found}:
        if not url.startswith(settings.STATIC_URL):
            continue
        path = os.path.join(settings.STATIC_ROOT, url[len(settings.STATIC_URL) :].split("?")[0])
        if os.path.exists(path + ".gz"):
            total += os.path.getsize(path + ".gz")
        else:
            with open(path, "rb") as file:
                total += len(gzip.compress(file.read()))
        names.append(os.path.basename(path))
    return total, sorted(names)


def percentile(values, share):
    """The value below which ``share`` (0.95) of ``values`` lie (the rank rounded down, capped)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def measure_pages():
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    results = []
    with override_settings(PAGE_CACHE_SECONDS=0):
        page_list = pages()
        for _name, url in page_list:
            client.get(url)  # warm the per-process caches (templates, content types)
        # As gunicorn.conf.py does in each worker once what every request needs is loaded: what is
        # loaded so far out of the collector's reach. Otherwise a full collection that falls among
        # the rounds walks the whole process again (90 to 200 ms, seen as the p95 of the pages that
        # allocate most, the sitemaps), a pause the workers that serve the pages do not have.
        gc.collect()
        gc.freeze()
        for name, url in page_list:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            query_count = len(queries)  # now: the next requests empty the connection's query log
            render_ms = []
            for _ in range(RENDER_ROUNDS):
                started = time.perf_counter()
                client.get(url)
                render_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} : réponse {response.status_code}")
            html = response.content
            is_html = response["Content-Type"].startswith("text/html")
            assets, names = asset_sizes(html.decode()) if is_html else (0, [])
            compressed = len(gzip.compress(html, compresslevel=6))
            results.append(
                {
                    "name": name,
                    "url": url,
                    "queries": query_count,
                    "render_ms": round(min(render_ms), 2),
                    "render_p95_ms": round(percentile(render_ms, 0.95), 2),
                    "html_bytes": len(html),
                    "html_gzip": compressed,
                    "assets_gzip": assets,
                    "assets": names,
                    "weight": compressed + assets,
                }
            )
    return results


def measure_search():
    """The whole search of /recherche/ (every kind of result, the query read with its synonyms and
    spelling suggestions), without the page cache nor the template: p50, p95, p99 in ms."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from actions.models import Action
    from creteil_cls.search import search_sections

    for query in SEARCH_QUERIES:  # warm the connection and the per-process caches
        search_sections(query)
    queries = []  # SQL queries of each search, counted apart from the timed rounds
    for query in SEARCH_QUERIES:
        with CaptureQueriesContext(connection) as captured:
            search_sections(query)
        queries.append(len(captured))
    timings = []
    for _ in range(SEARCH_ROUNDS):
        for query in SEARCH_QUERIES:
            started = time.perf_counter()
            search_sections(query)
            timings.append((time.perf_counter() - started) * 1000)
    return {
        "actions": Action.objects.published().count(),
        "queries": len(SEARCH_QUERIES),
        "samples": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "p99_ms": round(percentile(timings, 0.99), 1),
        "sql_max": max(queries),
        "sql_mean": round(statistics.mean(queries), 1),
    }


# The edits whose renewed pages the bench counts: one row of each kind, saved as the admin saves it.
INVALIDATION_EDITS = ["événement", "action", "partenaire"]


def invalidation_pages():
    """(name, URL) of the pages the invalidation is measured on: every kind of public page, and a few more."""
    return [
        *pages(),
        ("partenaires p. 2", "/partenaires/?page=2"),
        ("résultats", "/resultats/"),
        ("données ouvertes", "/donnees/"),
        ("contact", "/contact/"),
    ]


def _edited_row(kind):
    from actions.models import Action
    from events.models import Event
    from partners.models import Partner

    if kind == "événement":
        return Event.objects.published().upcoming().first()
    if kind == "action":
        return Action.objects.published().order_by("pk").first()
    return Partner.objects.published().filter(is_signatory=False).order_by("pk").first()


def measure_invalidation():
    """Issue 13, target 3: the pages one edit renews, with the page cache on (in memory, this process).

    For each kind of edit: every page of ``invalidation_pages()`` is requested twice (the second a
    hit), one row is saved, and the pages are requested again: those computed afresh (``X-Cache:
    MISS``) are the pages the edit renewed, and their rendering time is what the first visitors
    after the edit wait for. In a transaction rolled back at the end: the database is left as it was.
    """
    from django.conf import settings
    from django.db import transaction
    from django.test import Client, override_settings

    from core import cache as page_cache

    client = Client(HTTP_HOST="127.0.0.1")
    # Its own cache in memory: the pages cached here never reach the directory the servers use.
    memory = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench-invalidation"}
    results = []
    urls = invalidation_pages()
    with override_settings(PAGE_CACHE_SECONDS=300, CACHES={**settings.CACHES, "pages": memory}):
        for kind in INVALIDATION_EDITS:
            page_cache.local_pages.clear()
            with transaction.atomic():
                for _, url in urls:
                    client.get(url)
                cached = [name for name, url in urls if client.get(url).get("X-Cache") == "HIT"]
                row = _edited_row(kind)
                row.save()
                renewed, render_ms = [], 0.0
                for name, url in urls:
                    started = time.perf_counter()
                    response = client.get(url)
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.get("X-Cache") != "HIT":
                        renewed.append(name)
                        render_ms += elapsed
                transaction.set_rollback(True)
            results.append(
                {
                    "edit": kind,
                    "pages": len(urls),
                    "cached": len(cached),
                    "renewed": renewed,
                    "kept": [name for name in cached if name not in renewed],
                    "renewed_ms": round(render_ms, 1),
                }
            )
    page_cache.local_pages.clear()
    return results


def lighthouse_pages():
    """(name, path) of the pages Lighthouse opens: home, agenda, an event, an action with an image, the form.

    If no published action has an image, the one with the most events gets a 1600 × 1000 photo-like
    JPEG, through the model field (checked and re-encoded like an upload: core/images.py).
    """
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db.models import Count
    from PIL import Image, ImageDraw

    from actions.models import Action
    from events.models import Event

    action = Action.objects.published().exclude(image="").order_by("pk").first()
    if action is None:
        action = Action.objects.published().annotate(n=Count("events")).order_by("-n", "pk").first()
        picture = Image.new("RGB", (1600, 1000), (40, 110, 160))
        draw = ImageDraw.Draw(picture)
        for step in range(0, 1600, 40):  # some detail, so that the JPEG weighs what a photo does
            draw.ellipse((step, (step * 7) % 1000, step + 300, (step * 7) % 1000 + 200), fill=(step % 255, 160, 90))
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=85)
        action.image = SimpleUploadedFile("atelier.jpg", buffer.getvalue(), content_type="image/jpeg")
        action.image_alt = ""
        action.save()
    event = Event.objects.published().upcoming().first()
    return [
        ("accueil", "/"),
        ("agenda", "/agenda/"),
        ("événement", event.get_absolute_url()),
        ("action avec image", action.get_absolute_url()),
        ("formulaire d'intérêt", "/mutuelle/demande/"),
    ]


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    if "--lighthouse-pages" in sys.argv:
        json.dump(lighthouse_pages(), sys.stdout, ensure_ascii=False)
        return
    if "--search-only" in sys.argv:
        json.dump({"search": measure_search()}, sys.stdout, ensure_ascii=False)
        return
    if "--invalidation-only" in sys.argv:
        json.dump({"invalidation": measure_invalidation()}, sys.stdout, ensure_ascii=False)
        return
    json.dump(
        {"pages": measure_pages(), "search": measure_search(), "invalidation": measure_invalidation()},
        sys.stdout,
        ensure_ascii=False,
    )


if __name__ == "__main__":
    main()
