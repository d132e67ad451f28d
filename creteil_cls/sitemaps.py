"""The sitemaps: /sitemap.xml is an index of one sitemap per section, each paginated (``?p=2``).

A sitemap listing everything at once grows with the content (30 000 URLs, 1 MB at 10 000 actions,
events and partners); the index costs a few queries whatever the size of the content.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from actions.models import Action, Axis
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
    """Rows with a slug and an ``updated_at``, a page of the section every ``limit`` rows."""

    limit = 1000

    def lastmod(self, obj):
        return obj.updated_at

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item: one query here instead.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class ActionSitemap(ContentSitemap):
    changefreq = "weekly"
    shows = ("actions",)

    def items(self):
        return Action.objects.published().only("slug", "updated_at").order_by("pk")


class PartnerSitemap(ContentSitemap):
    changefreq = "monthly"
    shows = ("partners",)

    def items(self):
        return Partner.objects.published().only("slug", "updated_at").order_by("pk")


class EventSitemap(ContentSitemap):
    changefreq = "weekly"
    shows = ("events", "actions")  # an event is public while its action is

    def items(self):
        return Event.objects.published().upcoming().only("slug", "updated_at")


class PlaceSitemap(ContentSitemap):
    changefreq = "monthly"
    shows = ("events",)

    def items(self):
        return Place.objects.published().only("slug", "updated_at").order_by("pk")


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
