"""Site-wide views: home, the contract, search, site plan, glossary, static pages, errors, health, robots."""

import logging
import sys

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from redis.exceptions import RedisError

from actions.models import Action, Objective
from actions.views import axes_with_counts
from core.cache import PublicPageMixin, public_page
from core.glossary import GlossaryTerm, initial_letter, sort_key
from core.links import slug_paths
from core.search import clean_query
from creteil_cls.context_processors import site as site_context
from creteil_cls.glossary_content import CCAS_TERM_SLUG
from creteil_cls.search import search_sections
from events.models import Event, Place
from partners.models import Partner

from .ways_in import neighbourhood_links, ways_in

HOME_UPCOMING_EVENTS = 4
# The site plan lists each axis's actions up to this number, then links the axis's page for the rest.
SITE_PLAN_ACTIONS_PER_AXIS = 40

logger = logging.getLogger(__name__)

SERVER_ERROR_FALLBACK = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Erreur | CLS Créteil</title></head>'
    "<body><h1>Le site rencontre un problème</h1><p>Veuillez réessayer dans quelques minutes.</p></body></html>"
)


class StaticPageView(PublicPageMixin, TemplateView):
    """Contact and legal pages: the text lives in the template, the breadcrumb label in the URL conf."""

    shows = ()  # only the site's settings (core/cache.py)
    breadcrumb = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.breadcrumb:
            context["breadcrumbs"] = [(self.breadcrumb, None)]
        return context


@public_page(shows=("actions", "events", "mutuelle"))
def home(request):
    """Ways in by need first, then the next events, the featured actions, and the contract's axes."""
    return render(
        request,
        "pages/home.html",
        {
            "ways_in": ways_in(),
            "neighbourhoods": neighbourhood_links(),
            "axes": axes_with_counts(),
            "featured_actions": Action.objects.published().featured().for_cards()[:6],
            "upcoming_events": Event.objects.published().upcoming().for_cards()[:HOME_UPCOMING_EVENTS],
        },
    )


@public_page(shows=("actions", "events"))
def site_plan(request):
    """The site plan for people (RGAA 12.1): every kind of page, the axes and their actions, the places.

    Eight queries whatever the content: the axes with their counts, the actions of each of the five
    axes (at most ``SITE_PLAN_ACTIONS_PER_AXIS`` each), the places. The actions and places are
    (name, address) pairs: only the columns the page shows, one reverse() for all the addresses of
    a kind (core/links.py), not an object and a reverse() per link.
    """
    action_path = slug_paths("actions:detail")
    axes = list(axes_with_counts())
    for axis in axes:
        actions = Action.objects.published().of_axis(axis).values_list("title", "slug")
        axis.plan_actions = [(title, action_path(slug)) for title, slug in actions[:SITE_PLAN_ACTIONS_PER_AXIS]]
    place_path = slug_paths("events:place")
    places = Place.objects.published().values_list("name", "slug")
    return render(
        request,
        "pages/plan_du_site.html",
        {
            "axes": axes,
            "places": [(name, place_path(slug)) for name, slug in places],
            "breadcrumbs": [("Plan du site", None)],
        },
    )


@public_page(shows=("glossary",))
def glossary(request):
    """The words and acronyms residents meet, by letter, each with its anchor (one query)."""
    terms = sorted(GlossaryTerm.objects.all(), key=lambda term: sort_key(term.term))
    letters = {}
    for term in terms:
        letters.setdefault(initial_letter(term.term), []).append(term)
    return render(
        request,
        "pages/glossaire.html",
        {
            "letters": list(letters.items()),
            "ccas_term_slug": CCAS_TERM_SLUG,
            "breadcrumbs": [("Glossaire", None)],
        },
    )


@public_page(shows=("actions", "partners"))
def about(request):
    return render(
        request,
        "pages/le_cls.html",
        {
            "axes": axes_with_counts(),
            "objectives": Objective.objects.all(),
            "signatories": Partner.objects.published().signatories(),
            "breadcrumbs": [("Le CLS", None)],
        },
    )


@public_page(shows=("actions", "events", "partners", "search"))
@require_GET
def search(request):
    query = clean_query(request.GET.get("q", ""))
    parsed, sections = search_sections(query) if query else (None, [])
    total = sum(section.count for section in sections)
    return render(
        request,
        "pages/search.html",
        {
            "search_query": query,
            "sections": sections,
            "total": total,
            "more": any(section.truncated for section in sections),
            "suggestion": parsed.suggestion if parsed and total else "",
            "breadcrumbs": [("Recherche", None)],
        },
    )


@public_page(shows=())
@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /recherche/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@never_cache
def health(request):
    """For a load balancer: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "erreur", "database": "injoignable"}, status=503)
    if settings.REDIS_URL:
        # With Redis, sessions, rate limits and the staff's pages need it: an instance that
        # cannot reach it should leave the load balancer's rotation like one without its database.
        try:
            cache.set("sante", "ok", timeout=10)
        except RedisError:
            return JsonResponse({"status": "erreur", "database": "ok", "cache": "injoignable"}, status=503)
        return JsonResponse({"status": "ok", "database": "ok", "cache": "ok"})
    return JsonResponse({"status": "ok", "database": "ok"})


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """The 500 page, rendered without context processors nor database: the error may come from either.

    An unreachable database is an outage, not a bug: the same page then says so and answers 503
    with ``Retry-After``, so that browsers, crawlers and the load balancer come back later.
    """
    database_unavailable = isinstance(sys.exc_info()[1], DatabaseError)
    context = {
        **site_context(request),
        "request": request,
        "database_unavailable": database_unavailable,
        # A form sent when the error struck: say plainly that nothing was recorded.
        "submission_lost": request.method == "POST",
    }
    try:
        content = loader.render_to_string("500.html", context)
    except Exception:
        # Last resort (a missing static manifest entry, a broken template): plain French text.
        logger.exception("La page d’erreur 500 n’a pas pu être affichée.")
        content = SERVER_ERROR_FALLBACK
    status = 503 if database_unavailable else 500
    response = HttpResponse(content, status=status)
    if database_unavailable:
        response["Retry-After"] = "120"
    return response
