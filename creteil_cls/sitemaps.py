"""The sitemaps: /sitemap.xml is an index of one sitemap per section, each paginated (``?p=2``).

A sitemap listing everything at once grows with the content (30 000 URLs, 1 MB at 10 000 actions,
events and partners); the index costs a few queries whatever the size of the content.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Axis
from core.links import slug_paths
from events.models import Event, Place
from partners.models import Partner


class StaticViewSitemap(Sitemap):
    changefreq = "monthly"
    shows = ()  # the sections of content its addresses come from (core/cache.py)

    def items(self):
        return [
            "home",
            "about",
            "actions:list",
            "events:list",
            "events:results",
            "partners:list",
            "contact",
            "legal",
            "privacy",
            "accessibility",
            "site_plan",
            "glossary",
            "opendata:page",
            "api_docs",
        ]

    def location(self, item):
        return reverse(item)


class MutuelleSitemap(StaticViewSitemap):
    """The mutuelle communale's pages: the offer, the CSS orientation, the interest form, the appointments."""

    def items(self):
        return ["mutuelle:home", "mutuelle:eligibility", "mutuelle:request", "mutuelle:appointments"]


class AxisSitemap(Sitemap):
    changefreq = "monthly"
    shows = ("actions",)

    def items(self):
        return Axis.objects.only("slug")


class ContentSitemap(Sitemap):
    """Rows with a slug and an ``updated_at``, a page of the section every ``limit`` rows.

    The items are ``(slug, updated_at)`` pairs, not objects (``rows()`` gives the public rows, in
    their order); each address is its page's path with one reverse() for the page (core/links.py).
    """

    limit = 1000
    viewname = ""  # the URL name of a row's page, its slug as argument

    def rows(self):
        raise NotImplementedError

    def items(self):
        return self.rows().values_list("slug", "updated_at")

    def get_urls(self, page=1, site=None, protocol=None):
        self.page_path = slug_paths(self.viewname)
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        # The day of the last change in the site's time zone, as Django's template wrote it with
        # |date:"Y-m-d": once here rather than by a template filter per address (a quarter of the page's time).
        zone = timezone.get_current_timezone()
        for url in urls:
            url["lastmod_day"] = url["lastmod"].astimezone(zone).date().isoformat()
        return urls

    def location(self, item):
        return self.page_path(item[0])

    def lastmod(self, item):
        return item[1]

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item: one query here instead.
        return self.rows().aggregate(latest=Max("updated_at"))["latest"]


class ActionSitemap(ContentSitemap):
    changefreq = "weekly"
    shows = ("actions",)
    viewname = "actions:detail"

    def rows(self):
        return Action.objects.published().order_by("pk")


class PartnerSitemap(ContentSitemap):
    changefreq = "monthly"
    shows = ("partners",)
    viewname = "partners:detail"

    def rows(self):
        return Partner.objects.published().order_by("pk")


class EventSitemap(ContentSitemap):
    changefreq = "weekly"
    shows = ("events", "actions")  # an event is public while its action is
    viewname = "events:detail"

    def rows(self):
        return Event.objects.published().upcoming()


class PlaceSitemap(ContentSitemap):
    changefreq = "monthly"
    shows = ("events",)
    viewname = "events:place"

    def rows(self):
        return Place.objects.published().order_by("pk")


SITEMAPS = {
    "pages": StaticViewSitemap,
    "mutuelle": MutuelleSitemap,
    "axes": AxisSitemap,
    "actions": ActionSitemap,
    "partners": PartnerSitemap,
    "events": EventSitemap,
    "places": PlaceSitemap,
}


def index_shows(kwargs):
    """The sections the index of the sitemaps shows (core/cache.py): those of its sections' pages and dates."""
    return tuple(sorted({section for sitemap in SITEMAPS.values() for section in sitemap.shows}))


def section_shows(kwargs):
    """The sections one sitemap shows; every section for an unknown one (a 404, never stored)."""
    sitemap = SITEMAPS.get(kwargs.get("section"))
    return sitemap.shows if sitemap is not None else None
