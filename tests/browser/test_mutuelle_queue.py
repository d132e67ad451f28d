"""The agents' queue of interest requests in real Chromium, at a desk's 1280 px: every column
(reference, person, phone, how and when to call, status, days waiting, agent) fits without
scrolling sideways, with a full page of requests and long names."""

import datetime
import os

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from mutuelle.enums import ContactMethod, ContactTime, RequestStatus
from tests.browser.test_mutuelle_journey import admin_login, staff_device, staff_user
from tests.mutuelle.factories import InterestRequestFactory, backdate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Where to leave a screenshot to look at (QUEUE_SCREENSHOTS=/tmp/…); none by default.
SCREENSHOTS = os.environ.get("QUEUE_SCREENSHOTS")


def test_the_queue_fits_1280_px_without_scrolling_sideways(new_context, site_url):
    agent = staff_user("awa.konate", "Mutuelle", first_name="Awa-Marie", last_name="Konaté-Rodrigues")
    for index in range(30):
        request = InterestRequestFactory(
            last_name=f"Nguyen-Van-Thieu-Mbappé-{index}",
            first_name="Marie-Bernadette",
            phone=f"06 12 34 {index:02d} 00",  # not the factory's sequence, which depends on the tests before
            email=f"une.adresse.plutot.longue.{index}@example.org",
            contact_method=ContactMethod.EMAIL if index % 2 else ContactMethod.PHONE,
            contact_time=ContactTime.AFTERNOON,
            status=list(RequestStatus)[index % 6],
            assigned_to=agent if index % 3 else None,
        )
        backdate(request, created_at=timezone.now() - datetime.timedelta(days=index * 5))
    InterestRequestFactory(phone="06 12 34 00 00", last_name="Doublon")  # same phone as the first: flagged

    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin_login(page, site_url, agent, staff_device(agent))
    page.goto(site_url(reverse("admin:mutuelle_interestrequest_changelist")))
    table = page.locator("#result_list")
    expect(table.locator("tbody tr")).to_have_count(31)
    expect(table).to_contain_text("Doublon possible")
    for header in ("Référence", "Personne", "Téléphone", "À contacter", "Statut", "À traiter depuis", "Agent chargé"):
        expect(table.locator("thead")).to_contain_text(header)
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "queue-1280.png"), full_page=False)
    widths = table.evaluate(
        """(table) => ({
            table: table.scrollWidth,
            container: table.closest(".results").clientWidth,
            page: document.documentElement.scrollWidth,
            viewport: document.documentElement.clientWidth,
        })"""
    )
    assert widths["table"] <= widths["container"], widths
    assert widths["page"] <= widths["viewport"], widths

    # The flagged request's page: the next step, the notes, the appointments; the technical dates folded.
    table.get_by_role("link", name="Doublon possible").click()
    expect(page.locator("#content")).to_contain_text("même téléphone ou même adresse que la demande")
    headings = page.locator("h2.fieldset-heading, h2.inline-heading").all_inner_texts()
    assert [heading.strip().casefold() for heading in headings][:4] == [
        "prochaine étape",
        "notes de suivi (les plus récentes d’abord)",
        "rendez-vous aux permanences",
        "personne",
    ]
    expect(page.locator("details:has(h2:text('Dates et suivi technique'))")).not_to_have_attribute("open", "")
    expect(page.get_by_label("Accusé de réception envoyé le", exact=False)).to_be_hidden()
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "request-1280.png"), full_page=True)
    scroll = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll[0] <= scroll[1], scroll
