from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from actions.models import Action, Axis
from events.models import Event, Place
from partners.models import Partner


class StaticViewSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return [
            "home",
            "about",
            "actions:list",
            "events:list",
            "partners:list",
            "contact",
            "legal",
            "privacy",
            "accessibility",
        ]

    def location(self, item):
        return reverse(item)


class AxisSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Axis.objects.all()


class ActionSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Action.objects.published().order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class PartnerSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Partner.objects.published().order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class EventSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Event.objects.published().upcoming()

    def lastmod(self, obj):
        return obj.updated_at


class PlaceSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Place.objects.published().order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


SITEMAPS = {
    "pages": StaticViewSitemap,
    "axes": AxisSitemap,
    "actions": ActionSitemap,
    "partners": PartnerSitemap,
    "events": EventSitemap,
    "places": PlaceSitemap,
}
