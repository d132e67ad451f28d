"""Every public page, in real Chromium: zero axe-core violation (WCAG 2.1 AA), usable at 320 px,
and not a single request to another site (Bootstrap and every asset come from the portal itself).

The pages are those of the sitemap (/sitemap.xml, an index of sections) plus the ones a sitemap
does not list (search, filtered lists, the 404 page). Each test reports every failing page at once.
The 320 px sweep opens every page; axe checks every page but the detail pages of a kind with many
(events, actions, partners), of which it checks the largest few (``AXE_PER_KIND``).
"""

from urllib.parse import urlsplit
from urllib.request import urlopen
from xml.etree import ElementTree

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import resolve
from django.utils import timezone

from actions.models import Axis

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
NARROW = {"width": 320, "height": 640}
MISSING_PAGE = "/cette-page-n-existe-pas/"


def path_of(url):
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def sitemap_locations(site_url, path, element):
    """The paths of the ``<element><loc>``s of a sitemap (``url``) or of a sitemap index (``sitemap``)."""
    with urlopen(site_url(path)) as response:  # noqa: S310 - the live server, http
        assert response.status == 200, path
        tree = ElementTree.fromstring(response.read())
    return [path_of(loc.text.strip()) for loc in tree.iterfind(f"sm:{element}/sm:loc", SITEMAP_NS)]


@pytest.fixture
def public_paths(site_url, cls_content):
    """Paths of every public page: the sitemap's (its index, then every page of every section), then
    those no sitemap lists."""
    sections = sitemap_locations(site_url, "/sitemap.xml", "sitemap")
    assert "/sitemap-actions.xml" in sections, sections
    from_sitemap = [path for section in sections for path in sitemap_locations(site_url, section, "url")]
    # The sitemap lists the axes, actions and partners of the loaded content, not just a few pages.
    assert len(from_sitemap) > 20, from_sitemap
    axis = Axis.objects.order_by("number").first()
    others = [
        "/",
        "/recherche/",
        "/recherche/?q=sante",
        "/recherche/?q=aucunresultatpossible",
        f"/actions/?axe={axis.slug}",
        "/actions/?axe=axe-inconnu&statut=nimporte",
        "/contact/",
        "/mentions-legales/",
        "/donnees-personnelles/",
        "/accessibilite/",
        # The agenda: this month's calendar, past events, filtered, and a filter in error (du after au).
        f"/agenda/{timezone.localdate():%Y/%m}/",
        "/agenda/?periode=passes",
        "/agenda/?gratuit=1",
        "/agenda/?quartier=mont-mesly&periode=mois",
        "/agenda/?du=2030-01-10&au=2030-01-01",
        # The mutuelle: the orientation empty, with each of its three answers, and in error; the form.
        "/mutuelle/eligibilite/",
        "/mutuelle/eligibilite/?household_size=2&yearly_resources=40000",
        "/mutuelle/eligibilite/?household_size=1&yearly_resources=12000&age=45",
        "/mutuelle/eligibilite/?household_size=3&receives_rsa=on",
        "/mutuelle/eligibilite/?household_size=0&yearly_resources=beaucoup",
        "/mutuelle/demande/",
    ]
    return list(dict.fromkeys([*from_sitemap, *others]))


def pages_to_visit(public_paths):
    """(path, expected HTTP status) of every public page, and of a missing one."""
    return [(path, 200) for path in public_paths] + [(MISSING_PAGE, 404)]


# Pages of one kind (an action, an event, a partner…) share their template: axe checks the
# AXE_PER_KIND largest of each kind, those whose content holds the most that varies (rich text,
# images, dates, lists of partners); the sweep at 320 px below still opens every page.
AXE_PER_KIND = 4
_page_sizes = {}


def pages_for_axe(site_url, public_paths):
    """``pages_to_visit``, with the pages of each kind beyond the AXE_PER_KIND largest left out."""
    kinds = {}
    for path in public_paths:
        kinds.setdefault(resolve(urlsplit(path).path).view_name, []).append(path)
    left_out = set()
    for paths in kinds.values():
        if len(paths) > AXE_PER_KIND:
            for path in paths:
                if path not in _page_sizes:  # the same initial content in every test of this worker
                    with urlopen(site_url(path)) as response:  # noqa: S310 - the live server, http
                        _page_sizes[path] = len(response.read())
            left_out.update(sorted(paths, key=lambda path: (-_page_sizes[path], path))[AXE_PER_KIND:])
    return [(path, status) for path, status in pages_to_visit(public_paths) if path not in left_out]


def visit(page, url, expected_status):
    """Opens ``url``; returns what went wrong, or None."""
    response = page.goto(url)
    if response is None:
        return f"{url} : pas de réponse"
    if response.status != expected_status:
        return f"{url} : HTTP {response.status} au lieu de {expected_status}"
    return None


def test_sitemap_lists_the_public_pages(public_paths):
    for path in ["/", "/le-cls/", "/actions/", "/partenaires/", "/contact/", "/accessibilite/"]:
        assert path in public_paths
    assert any(path.startswith("/axes/") for path in public_paths)
    assert any(path.startswith("/actions/") and path.count("/") == 3 for path in public_paths)
    assert any(path.startswith("/partenaires/") and path.count("/") == 3 for path in public_paths)


# axe takes a third of a second a page: the pages are checked in parts (every third page each), so
# that xdist's workers share them rather than one worker running them all at the end of the suite.
AXE_PARTS = 3


@pytest.mark.parametrize("part", range(AXE_PARTS), ids=lambda part: f"partie-{part + 1}-sur-{AXE_PARTS}")
def test_no_axe_violation_on_any_public_page(page, site_url, public_paths, part):
    axe = Axe()
    reports = []
    for path, status in pages_for_axe(site_url, public_paths)[part::AXE_PARTS]:
        if error := visit(page, site_url(path), status):
            reports.append(error)
            continue
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports.append(f"== {path}\n{results.generate_report()}")
    assert not reports, "\n\n".join(reports)


def test_no_horizontal_scroll_at_320_px_nor_request_to_another_site(new_context, site_url, public_paths):
    """One visit of every page on a 320 px phone: nothing wider than the screen, and every request
    (styles, scripts, images, fonts) to the portal itself."""
    origin = urlsplit(site_url("/"))

    def third_party(url):
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"}:
            return False
        return (parts.scheme, parts.hostname, parts.port) != (origin.scheme, origin.hostname, origin.port)

    requested = []  # (page, requested URL)
    current = {"path": None}
    context = new_context(viewport=NARROW)
    context.on("request", lambda request: requested.append((current["path"], request.url)))
    page = context.new_page()
    too_wide = []
    for path, status in pages_to_visit(public_paths):
        current["path"] = path
        # Returns once the page and its resources have loaded.
        if error := visit(page, site_url(path), status):
            too_wide.append(error)
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROW["width"] + 1:
            # Name the culprits: the elements that stick out on the right.
            culprits = page.evaluate(
                """() => Array.from(document.querySelectorAll("body *"))
                    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
                    .slice(0, 5)
                    .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""))"""
            )
            too_wide.append(f"{path} : {width} px ({', '.join(culprits)})")

    assert len(requested) > len(public_paths), "les requêtes des pages n'ont pas été enregistrées"
    outside = sorted({f"{path} → {url}" for path, url in requested if third_party(url)})
    assert not outside, "Requêtes vers un autre site :\n" + "\n".join(outside)
    assert not too_wide, "Défilement horizontal à 320 px (ou page en erreur) :\n" + "\n".join(too_wide)
