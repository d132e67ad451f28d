"""The site's face in real Chromium: the contact, legal and accessibility pages and an action page,
with the City's details filled in, at 320 px and 1280 px: zero axe-core violation, no sideways scroll."""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

from core.site_settings import SiteSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
WIDTHS = {"320": {"width": 320, "height": 900}, "1280": {"width": 1280, "height": 1000}}
PAGES = {
    "contact": "/contact/",
    "mentions": "/mentions-legales/",
    "accessibilite": "/accessibilite/",
    "action": "/actions/sami-soins-le-soir-et-le-week-end/",
    "lieu": "/lieux/laep-la-habette/",
}
# Set to a directory to keep screenshots of the pages (e.g. /tmp), for a person to look at.
SCREENSHOTS = os.environ.get("CLS_SCREENSHOTS_DIR", "")


@pytest.fixture
def filled_settings(cls_content):
    site_settings = SiteSettings.objects.get()
    site_settings.ccas_address = "Service Prévention-Santé\n1 rue de l’Exemple\n94000 Créteil"
    site_settings.ccas_opening_hours = "Du lundi au vendredi : 9 h – 12 h et 13 h 30 – 17 h\nSamedi : fermé"
    site_settings.save()
    return site_settings


@pytest.mark.parametrize("width", WIDTHS)
def test_identity_pages_pass_axe_and_fit_the_screen(new_context, site_url, filled_settings, width):
    page = new_context(viewport=WIDTHS[width]).new_page()
    axe = Axe()
    reports = []
    for name, path in PAGES.items():
        response = page.goto(site_url(path))
        assert response.status == 200, path
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, f"identity-{name}-{width}.png"), full_page=True)
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports.append(f"== {path}\n{results.generate_report()}")
        if page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"):
            reports.append(f"== {path}: défilement horizontal à {width} px")
    assert not reports, "\n\n".join(reports)
    # The header shows the City's name and its logo (the placeholder until staff upload one).
    page.goto(site_url("/contact/"))
    assert page.locator(".site-brand__city").inner_text() == "Ville de Créteil"
    assert page.locator(".site-brand__logo").evaluate("img => img.complete && img.naturalWidth > 0")
