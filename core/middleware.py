"""Site-wide middleware of the portal."""

from dataclasses import asdict

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _CSPMiddleware
from csp.utils import build_policy
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


class CSPMiddleware(_CSPMiddleware):
    """django-csp's middleware, with the header built once per process rather than on every response.

    The portal's policy is the CONTENT_SECURITY_POLICY setting alone: no view changes it (no
    ``csp_update``, ``csp_replace``, ``csp_exempt``) and no template asks for a nonce. Building it
    (dataclasses turned into dicts, copied, joined) took a quarter of the processor of a cached
    page (docs/performances.md). A response or request that does carry one of those per-request
    changes gets django-csp's own computation, unchanged.
    """

    _PER_REQUEST = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")

    def __init__(self, get_response):
        super().__init__(get_response)
        self._built = None  # (policy setting, report-only setting, header, report-only header)

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self._PER_REQUEST)
            or getattr(response, "_csp_exempt", False)
            or getattr(response, "_csp_exempt_ro", False)
            or (response.status_code in (500, 404) and settings.DEBUG)
        ):
            return super().process_response(request, response)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        built = self._built
        # The setting objects themselves are kept: a test's override_settings gives new ones.
        if built is None or built[0] is not policy or built[1] is not report_only:
            parts = self.get_policy_parts(request=request, response=response)
            parts_ro = self.get_policy_parts(request=request, response=response, report_only=True)
            built = self._built = (
                policy,
                report_only,
                build_policy(**asdict(parts)),
                build_policy(**asdict(parts_ro), report_only=True),
            )
        for header, value, setting in ((HEADER, built[2], policy), (HEADER_REPORT_ONLY, built[3], report_only)):
            prefixes = tuple((setting or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
            if value and header not in response and not request.path_info.startswith(prefixes):
                response[header] = value
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
