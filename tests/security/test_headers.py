"""The security headers of every public page, with the production settings.

The production values of the HTTPS, cookie and header settings are read from
``creteil_cls.settings`` imported in a fresh process with a production environment (as
tests/test_settings.py does), then applied to this test run; every request is made over HTTPS
(``secure=True``), as behind the city's reverse proxy.

The pages are those of the sitemap (/sitemap.xml, an index of sections) with the initial content
loaded, plus the ones no sitemap lists (search, filters, month calendar, calendars and feeds, the
mutuelle pages, the 404 page…).
A test checks that together they reach every public URL of the URL map, so that a page added
later is checked too, or makes that test fail until it is listed here.
"""

import json
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from actions.models import Action, Axis
from events.models import Event, Place
from events.registration_views import SESSION_REFERENCE as REGISTRATION_REFERENCE
from events.registrations import cancel_url as registration_cancel_url
from mutuelle.appointment_views import SESSION_REFERENCE as APPOINTMENT_REFERENCE
from mutuelle.services.appointments import cancel_url as appointment_cancel_url
from mutuelle.views import SESSION_REFERENCE
from partners.models import Partner
from tests.events.factories import PortalEventFactory, RegistrationFactory
from tests.initial_content import load_initial_content
from tests.mutuelle.factories import AppointmentFactory, PermanenceEventFactory
from tests.test_settings import production_env, run_python

# Headers set by middleware and settings, whatever the database: the SQLite pass only in CI.
pytestmark = [pytest.mark.django_db, pytest.mark.database_independent]

# The settings this test takes from production (everything the headers and cookies depend on).
PRODUCTION_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CONTENT_SECURITY_POLICY",
    "PERMISSIONS_POLICY",
    # The page cache is on in production: pages served from it must carry the headers too.
    "PAGE_CACHE_SECONDS",
]
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
MISSING_PAGE = "/cette-page-n-existe-pas/"
# Public URL names no page of this test opens, and why.
NOT_VISITED = {
    "health": "sonde du répartiteur de charge, vérifiée à part (test_health_check_carries_the_headers)",
}
# What the policy must forbid, whatever else it says.
FORBIDDEN_IN_CSP = ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "http:", "https:", "*"]
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics", "interest-cohort"]


@pytest.fixture(scope="module")
def production_settings():
    """The values of PRODUCTION_SETTINGS in production (a fresh process, production environment)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {PRODUCTION_SETTINGS!r}}}))"
    )
    result = run_python("-c", code, **production_env())
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def https(settings, production_settings):
    """This test's settings: the production HTTPS, cookie and header settings."""
    for name, value in production_settings.items():
        setattr(settings, name, value)
    caches["pages"].clear()
    yield production_settings
    caches["pages"].clear()


def parse_csp(header):
    """``"default-src 'self'; img-src 'self' data:"`` → ``{"default-src": ["'self'"], …}``."""
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def header_problems(response):
    """What is missing or wrong in the security headers of ``response`` (empty list when all is well)."""
    problems = []
    csp = response.headers.get("Content-Security-Policy")
    if not csp:
        problems.append("pas de Content-Security-Policy")
    else:
        directives = parse_csp(csp)
        sources = [source for values in directives.values() for source in values]
        problems += [f"CSP : {source}" for source in FORBIDDEN_IN_CSP if source in sources]
        for directive, expected in {
            "default-src": ["'self'"],
            "script-src": ["'self'"],
            "style-src": ["'self'"],
            "frame-ancestors": ["'none'"],
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "form-action": ["'self'"],
        }.items():
            if directives.get(directive) != expected:
                problems.append(f"CSP : {directive} {directives.get(directive)}")
        if "upgrade-insecure-requests" not in directives:
            problems.append("CSP : pas de upgrade-insecure-requests")
    expected_headers = {
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    for name, value in expected_headers.items():
        if response.headers.get(name) != value:
            problems.append(f"{name} : {response.headers.get(name)!r} au lieu de {value!r}")
    permissions = response.headers.get("Permissions-Policy", "")
    problems += [
        f"Permissions-Policy : {feature} permis" for feature in DENIED_FEATURES if f"{feature}=()" not in permissions
    ]
    return problems


def sitemap_locations(client, path, element):
    """The paths of the ``<element><loc>``s of a sitemap (``url``) or of a sitemap index (``sitemap``)."""
    response = client.get(path, secure=True)
    assert response.status_code == 200, path
    tree = ElementTree.fromstring(response.content)
    urls = [urlsplit(loc.text.strip()) for loc in tree.iterfind(f"sm:{element}/sm:loc", SITEMAP_NS)]
    return [f"{url.path}?{url.query}" if url.query else url.path for url in urls]


@pytest.fixture
def public_paths(client, https):
    """(path, expected status) of every public page, over HTTPS, with the initial content loaded."""
    load_initial_content()  # tests/initial_content.py
    sections = sitemap_locations(client, "/sitemap.xml", "sitemap")
    assert "/sitemap-actions.xml" in sections, sections
    from_sitemap = [path for section in sections for path in sitemap_locations(client, section, "url")]
    assert len(from_sitemap) > 20, from_sitemap
    axis = Axis.objects.order_by("number").first()
    event = Event.objects.published().order_by("start").first()
    place = Place.objects.order_by("pk").first()
    assert event is not None and place is not None, "le contenu initial n'a ni événement ni lieu"
    others = [
        "/",
        "/recherche/",
        "/recherche/?q=sante",
        f"/actions/?axe={axis.slug}",
        "/actions/?axe=axe-inconnu&statut=nimporte",
        "/agenda/",
        f"/agenda/{timezone.localdate():%Y/%m}/",
        "/agenda/?gratuit=1",
        "/agenda/?du=2030-01-10&au=2030-01-01",
        event.get_absolute_url(),
        reverse("events:ics", kwargs={"slug": event.slug}),
        reverse("events:place", kwargs={"slug": place.slug}),
        "/agenda.ics",
        "/flux/actions/",
        "/flux/agenda/",
        "/sitemap.xml",
        "/robots.txt",
        "/mutuelle/",
        "/mutuelle/eligibilite/",
        "/mutuelle/eligibilite/?household_size=2&yearly_resources=40000",
        "/mutuelle/eligibilite/?household_size=0&yearly_resources=beaucoup",
        "/mutuelle/demande/",
        # Open data: the files and the API (the page and the API's documentation are in the sitemap).
        "/donnees/actions.csv",
        "/donnees/evenements.json",
        "/donnees/lieux.schema.json",
        "/donnees/datapackage.json",
        "/donnees/evenements-openagenda.json",
        "/api/openapi.json",
        "/api/actions/",
        f"/api/actions/{Action.objects.published().first().pk}/",
        "/api/evenements/",
        f"/api/evenements/{event.pk}/",
        "/api/lieux/",
        f"/api/lieux/{Place.objects.published().first().pk}/",
        "/api/partenaires/",
        f"/api/partenaires/{Partner.objects.published().first().pk}/",
    ]
    # The results' open data (issue 14): an indicator, a milestone and the attendance of a held event.
    from actions.models import Audience
    from tests.site.test_opendata import make_results, past_event

    held = past_event(action=event.action, place=place)
    make_results(event.action, Audience.objects.order_by("pk").first(), event=held)
    for slug in ["indicateurs", "jalons", "participation", "participation-par-public"]:
        others += [f"/api/{slug}/", f"/donnees/{slug}.csv"]
        first = client.get(f"/api/{slug}/", secure=True).json()["results"][0]
        others.append(f"/api/{slug}/{first['id']}/")
    # Registering on the site: the form, its confirmation (for a session that registered), the cancel link.
    portal = PortalEventFactory(slug="inscription-en-ligne", action=event.action, place=place)
    registration = RegistrationFactory(event=portal, reference="IN-TEST-0001")
    others += [portal.get_registration_url(), registration_cancel_url(registration)]
    # An appointment at a mutuelle permanence: the form, its confirmation, the cancel link.
    permanence = PermanenceEventFactory(slug="permanence-en-ligne", place=place)
    appointment = AppointmentFactory(event=permanence, reference="RV-TEST-0001")
    others += [
        reverse("mutuelle:appointment_book", kwargs={"slug": permanence.slug}),
        appointment_cancel_url(appointment),
    ]
    pages = [(path, 200) for path in dict.fromkeys([*from_sitemap, *sections, *others])]
    return [
        *pages,
        (reverse("mutuelle:request_done"), 200),
        (reverse("events:registration_done", kwargs={"slug": portal.slug}), 200),
        (reverse("mutuelle:appointment_done", kwargs={"slug": permanence.slug}), 200),
        (MISSING_PAGE, 404),
    ]


def public_url_names(patterns=None, namespace=""):
    """``namespace:name`` of every URL of the site's URL map outside the admin."""
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin" or str(pattern.pattern).startswith("admin/"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= public_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_the_pages_checked_cover_every_public_url(public_paths):
    visited = {resolve(path.split("?")[0]).view_name for path, status in public_paths if status == 200}
    missing = public_url_names() - visited - set(NOT_VISITED)
    assert not missing, f"URL publiques dont aucune page n'est vérifiée : {sorted(missing)}"


def test_every_public_page_carries_the_security_headers(client, public_paths):
    # The confirmation page shows the reference a submission keeps in the visitor's session.
    applicant = Client()
    session = applicant.session
    session[SESSION_REFERENCE] = "CLS-TEST-0001"
    session[REGISTRATION_REFERENCE] = "IN-TEST-0001"
    session[APPOINTMENT_REFERENCE] = "RV-TEST-0001"
    session.save()
    reports = []
    served_from_cache = 0
    for path, status in public_paths:
        done_pages = (
            reverse("mutuelle:request_done"),
            "/agenda/inscription-en-ligne/inscription/merci/",
            "/mutuelle/rendez-vous/permanence-en-ligne/merci/",
        )
        visitor = applicant if path in done_pages else client
        # Twice: the second answer of a cacheable page comes from the page cache.
        for _ in range(2):
            response = visitor.get(path, secure=True)
            served_from_cache += response.headers.get("X-Cache") == "HIT"
            if response.status_code != status:
                reports.append(f"{path} : HTTP {response.status_code} au lieu de {status}")
            elif problems := header_problems(response):
                reports.append(f"{path} ({response.headers.get('X-Cache', 'sans cache')}) : " + " ; ".join(problems))
    assert not reports, "\n".join(reports)
    assert served_from_cache > len(public_paths) / 2, "le cache des pages n'a pas servi"


def test_health_check_carries_the_headers(client, https):
    response = client.get(reverse("health"), secure=True)
    assert response.status_code == 200
    assert header_problems(response) == []


def test_plain_http_is_redirected_to_https_with_the_headers(client, https):
    response = client.get("/actions/?axe=1")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/actions/?axe=1"
    # No HSTS over plain HTTP (browsers ignore it there), but the other headers already.
    assert "Strict-Transport-Security" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_production_policy_is_exactly_the_documented_one(https):
    directives = https["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert directives == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        "upgrade-insecure-requests": True,
    }


def test_upgrade_insecure_requests_only_when_https_is_on():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['upgrade-insecure-requests'])"
    )
    on = run_python("-c", code, **production_env())
    off = run_python("-c", code, **production_env(), DJANGO_SECURE_SSL_REDIRECT="0")
    assert on.returncode == 0 and off.returncode == 0, on.stderr + off.stderr
    assert on.stdout.split()[-1] == "True"
    assert off.stdout.split()[-1] == "False"


def test_csrf_cookie_of_the_form_page_is_secure_httponly_and_lax(client, https):
    response = client.get(reverse("mutuelle:request"), secure=True)
    assert response.status_code == 200
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def staff_login(client, username, password):
    """Logs in through the admin's login page, as a person would; returns the last response."""
    login_url = reverse("admin:login")
    page = client.get(login_url, secure=True, follow=True)
    assert page.status_code == 200
    action = page.wsgi_request.path
    if b'name="auth-username"' in page.content:
        # django-two-factor-auth's login wizard: the password step comes first.
        data = {"login_view-current_step": "auth", "auth-username": username, "auth-password": password}
    else:
        data = {"username": username, "password": password, "next": reverse("admin:index")}
    return client.post(action, data, secure=True)


def test_session_cookie_after_a_staff_login_is_secure_httponly_and_lax(client, https, django_user_model):
    user = django_user_model.objects.create_user(username="redaction", password="motdepasse-redaction", is_staff=True)
    user.groups.add(Group.objects.get(name="Rédaction"))
    response = staff_login(client, "redaction", "motdepasse-redaction")
    assert response.status_code == 302, response.content.decode()[:2000]
    cookie = response.cookies["sessionid"]
    assert cookie.value
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # The session works: the admin opens.
    assert client.get(reverse("admin:index"), secure=True).status_code == 200
