"""Site-wide middleware of the portal."""

from django.conf import settings


def permissions_policy_header(policy):
    """``{"camera": [], "fullscreen": ["self"]}`` → ``camera=(), fullscreen=(self)``.

    An empty list denies the feature to every origin, the page itself included.
    """
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in policy.items())


class PermissionsPolicyMiddleware:
    """Adds the ``Permissions-Policy`` header (Django has no setting for it) from ``PERMISSIONS_POLICY``.

    Browser features that no page of the portal needs (camera, microphone, geolocation,
    payment, USB, interest-based advertising…) are turned off, for our pages and anything
    they could embed. A response that already carries the header keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # The policy is a setting: built once per process, not on every response.
        self.header = permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
