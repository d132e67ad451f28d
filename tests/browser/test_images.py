"""Uploaded images in real Chromium (issue 13, what a phone downloads): the browser picks the
rendition of the width it shows, in AVIF or WebP; the image keeps its proportions; the pages that
show one pass axe and do not scroll sideways at 320 px."""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.images import rendition_formats
from tests.actions.factories import ActionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture
def action_with_image():
    image = Image.new("RGB", (1600, 1000), (40, 110, 160))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    # Autocommit (transaction=True): the renditions are made as the row is saved.
    return ActionFactory(
        image=SimpleUploadedFile("atelier.jpg", buffer.getvalue(), content_type="image/jpeg"),
        image_alt="Un atelier au centre social",
        featured=True,
    )


@pytest.mark.parametrize(("width", "rendition"), [(320, "320w"), (1280, "800w")])
def test_the_browser_fetches_the_rendition_of_the_width_it_shows(
    new_context, site_url, action_with_image, width, rendition
):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    page.goto(site_url(action_with_image.get_absolute_url()))
    image = page.get_by_role("img", name="Un atelier au centre social")
    image.wait_for()
    chosen = image.evaluate("img => img.currentSrc")
    best = rendition_formats()[0].lower()
    assert chosen.endswith(f"/renditions/{action_with_image.image.name}/{rendition}.{best}")
    # Its box keeps the image's proportions (1600 × 1000) and stays within the column.
    box = image.bounding_box()
    assert box["width"] <= width
    assert abs(box["height"] - box["width"] * 1000 / 1600) < 1.5


def test_pages_with_images_pass_axe_and_do_not_scroll_sideways_at_320_px(new_context, site_url, action_with_image):
    axe = Axe()
    reports = []
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    for path in (action_with_image.get_absolute_url(), "/actions/", "/"):
        page.goto(site_url(path))
        assert page.locator("picture img").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports.append(f"== {path}\n{results.generate_report()}")
    assert not reports, "\n\n".join(reports)
