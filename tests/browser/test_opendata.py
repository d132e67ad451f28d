"""/donnees/ and /api/ in real Chromium: axe (WCAG 2.1 AA) with the column lists open, 320 px, keyboard, CSP.

Both pages are in the sitemap, so tests/browser/test_accessibility.py checks them too; here also
with their « colonnes » and « champs » lists opened from the keyboard.
"""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe

from core.opendata import datasets
from tests.browser.test_accessibility import AXE_OPTIONS, NARROW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("path", ["/donnees/", "/api/"])
@pytest.mark.parametrize("viewport", [NARROW, {"width": 1280, "height": 900}], ids=["320px", "1280px"])
def test_open_data_pages_are_accessible(new_context, site_url, cls_content, path, viewport):
    page = new_context(viewport=viewport).new_page()
    response = page.goto(site_url(path))
    assert response.status == 200
    # Every details list opened from the keyboard (Tab to its summary, Enter).
    summaries = page.locator("details summary")
    assert summaries.count() == len(datasets())
    for index in range(summaries.count()):
        summaries.nth(index).focus()
        page.keyboard.press("Enter")
    assert page.locator("details[open]").count() == len(datasets())
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1


def test_a_file_link_downloads_the_published_rows(new_context, site_url, cls_content):
    page = new_context().new_page()
    page.goto(site_url("/donnees/"))
    href = page.get_by_role("link", name="Fichier JSON : Actions du Contrat local de santé").get_attribute("href")
    response = page.request.get(site_url(href))
    assert response.status == 200
    rows = json.loads(response.body())
    assert rows and all(row["url"].endswith(f"/actions/{row['slug']}/") for row in rows)
