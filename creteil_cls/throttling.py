"""The API's throttle (settings REST_FRAMEWORK): its own module, which the API's views import.

Counted per client address (read as for the rate limits: DJANGO_RATELIMIT_IP_META_KEY) in the
``ratelimit`` cache, which every worker and instance shares (Redis, or a database table).
"""

from django.conf import settings
from django.core.cache import caches
from rest_framework import exceptions
from rest_framework.throttling import AnonRateThrottle

from staff.lockout import client_ip_address


class Throttled(exceptions.Throttled):
    default_detail = "Trop de requêtes depuis votre adresse."
    extra_detail_singular = "Réessayez dans {wait} seconde."
    extra_detail_plural = "Réessayez dans {wait} secondes."


class AnonymousRateThrottle(AnonRateThrottle):
    """The anonymous rate (``DJANGO_API_RATE``), counted per client address in the shared store."""

    scope = "anon"

    def get_rate(self):
        # Read at each request (DRF reads its setting once, at import): deployments and tests change it.
        return settings.API_ANON_RATE

    @property
    def cache(self):
        return caches["ratelimit"]

    def get_ident(self, request):
        return client_ip_address(request) or "inconnue"


class FrenchThrottleMixin:
    """A view whose 429 says, in French, when to try again (with ``Retry-After``)."""

    def throttled(self, request, wait):
        raise Throttled(wait)
