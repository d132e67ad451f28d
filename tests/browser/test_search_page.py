"""The search page in Chromium: results grouped by kind, the spelling suggestion and the page
without result, with no axe-core violation, at 320 px without sideways scrolling, keyboard first."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_accessibility import AXE_OPTIONS, NARROW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUERIES = ["mutuele", "personnes âgées", "diabète"]


def test_search_pages_pass_axe_and_fit_320_px(new_context, site_url, cls_content):
    axe = Axe()
    reports = []
    for viewport in (NARROW, {"width": 1280, "height": 900}):
        page = new_context(viewport=viewport).new_page()
        for query in QUERIES:
            page.goto(site_url(f"/recherche/?q={query}"))
            results = axe.run(page, options=AXE_OPTIONS)
            if results.violations_count:
                reports.append(f"== {query} ({viewport['width']} px)\n{results.generate_report()}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"] + 1:
                reports.append(f"{query} : {width} px de large à {viewport['width']} px")
    assert not reports, "\n\n".join(reports)


def test_a_mistyped_search_leads_to_the_mutuelle_by_keyboard(page, site_url, cls_content):
    page.goto(site_url("/recherche/"))
    page.get_by_label("Que cherchez-vous ?").fill("mutuele")
    page.keyboard.press("Enter")
    page.wait_for_url("**/recherche/?q=mutuele")
    assert "Vouliez-vous dire « mutuelle » ?" in page.locator(".search-suggestion").inner_text()
    first = page.locator(".search-results a").first
    assert first.inner_text() == "La mutuelle communale"
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/mutuelle/")
    assert page.locator("h1").first.inner_text()
