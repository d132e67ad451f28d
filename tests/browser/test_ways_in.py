"""The home page's ways in, the site plan and the glossary in real Chromium: zero axe-core violation,
no sideways scrolling at 320 px, and the mutuelle one tap away from the home page on a phone."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 900}
PAGES = ["/", "/plan-du-site/", "/glossaire/", "/actions/mutuelle-communale/", "/partenaires/cpts-de-creteil/"]


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["320px", "1280px"])
def test_no_axe_violation_nor_sideways_scrolling(new_context, site_url, cls_content, viewport, tmp_path):
    page = new_context(viewport=viewport).new_page()
    axe = Axe()
    reports = []
    for path in PAGES:
        response = page.goto(site_url(path))
        assert response.status == 200, path
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports.append(f"== {path}\n{results.generate_report()}")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            reports.append(f"== {path} : défilement horizontal de {overflow} px à {viewport['width']} px")
        # Kept for a look by a person (pytest's --basetemp): the page as the resident sees it.
        name = path.strip("/").replace("/", "-") or "accueil"
        page.screenshot(path=tmp_path / f"{name}-{viewport['width']}.png", full_page=True)
    assert not reports, "\n\n".join(reports)


def test_a_resident_on_a_phone_finds_the_mutuelle_in_one_tap(new_context, site_url, cls_content):
    page = new_context(viewport=NARROW).new_page()
    page.goto(site_url("/"))

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Mutuelle communale").click()

    assert page.url == site_url("/mutuelle/")
    assert page.get_by_role("heading", level=1).inner_text()


def test_the_cheaper_cover_way_in_leads_to_the_orientation_first(new_context, site_url, cls_content):
    page = new_context(viewport=NARROW).new_page()
    page.goto(site_url("/"))

    way = page.get_by_role("region", name="Une complémentaire santé moins chère")
    way.get_by_role("link").first.click()

    assert page.url == site_url("/mutuelle/eligibilite/")


def test_a_glossary_mark_leads_to_its_explanation_without_javascript(new_context, site_url, cls_content):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site_url("/actions/mutuelle-communale/"))

    page.locator("main a.glossary-term", has_text="CSS").first.click()

    assert page.url == site_url("/glossaire/#css")
    assert "complémentaire santé solidaire" in page.locator("#css").inner_text()


def test_the_footer_site_plan_is_a_page_for_people(new_context, site_url, cls_content):
    page = new_context().new_page()
    page.goto(site_url("/contact/"))

    page.get_by_role("contentinfo").get_by_role("link", name="Plan du site").click()

    assert page.url == site_url("/plan-du-site/")
    assert page.get_by_role("heading", level=1).inner_text() == "Plan du site"
