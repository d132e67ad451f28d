"""An applicant books a 20-minute slot at the next mutuelle permanence on a phone and knows what to
bring (issue 15 §3), in real Chromium: /mutuelle/, the list of permanences, the form (its errors
first), the confirmation with the papers and the reference, the cancel link; at 320 px without
sideways scrolling, without JavaScript too, and with no axe violation on any of these pages. On a
phone only: the list of permanences is in the sweep of every public page at a desk's width
(tests/browser/test_accessibility.py), and the form, its errors and its confirmation share their
layout with the registration's, whose journey runs at both widths (test_registration_journey.py).

``APPOINTMENT_SCREENSHOTS=/some/dir`` keeps screenshots of each page.
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from mutuelle.enums import AppointmentStatus
from mutuelle.models import Appointment
from mutuelle.services.appointments import cancel_url
from tests.browser.test_accessibility import AXE_OPTIONS
from tests.mutuelle.factories import AppointmentFactory, PermanenceEventFactory, reset_rate_limits
from tests.mutuelle.test_public_pages import make_offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NO_SIDEWAYS_SCROLL_JS = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
SHOTS = os.environ.get("APPOINTMENT_SCREENSHOTS")


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    reset_rate_limits()
    yield
    reset_rate_limits()


@pytest.fixture
def permanence(live_server):
    make_offer()
    event = PermanenceEventFactory(slug="permanence-mutuelle-decembre")
    AppointmentFactory(event=event)  # 9 h is taken
    return event


def check(page, label, problems, width):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{label}-{width}.png", full_page=True)
    scroll_width, inner_width = page.evaluate(NO_SIDEWAYS_SCROLL_JS)
    if scroll_width > inner_width:
        problems.append(f"{label} : défilement horizontal ({scroll_width} > {inner_width})")
    results = Axe().run(page, options=AXE_OPTIONS)
    if results.violations_count:
        problems.append(f"== {label}\n{results.generate_report()}")


@pytest.mark.parametrize("width", [320])
def test_an_applicant_books_a_slot_knows_what_to_bring_then_cancels(new_context, site_url, permanence, width):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    problems = []

    page.goto(site_url("/mutuelle/"))
    expect(page.locator(".slots-left").first).to_contain_text("8 rendez-vous libres de 20 minutes")
    check(page, "mutuelle", problems, width)
    page.get_by_role("link", name="Prendre rendez-vous", exact=True).click()
    expect(page).to_have_url(site_url("/mutuelle/rendez-vous/"))
    check(page, "permanences", problems, width)
    page.get_by_role("link", name=re.compile("^Prendre rendez-vous le")).first.click()
    expect(page).to_have_url(site_url("/mutuelle/rendez-vous/permanence-mutuelle-decembre/"))
    check(page, "formulaire", problems, width)

    # Sent too soon: the errors are listed, tied to their fields, and what was typed stays.
    page.get_by_role("textbox", name=re.compile(r"^Prénom")).fill("Awa")
    page.get_by_role("button", name="Prendre ce rendez-vous").click()
    expect(page.locator("#erreurs")).to_be_focused()
    expect(page.locator("#erreurs")).to_contain_text("4 réponses à vérifier")
    expect(page.get_by_role("textbox", name=re.compile(r"^Prénom"))).to_have_value("Awa")
    check(page, "formulaire-erreurs", problems, width)

    page.get_by_role("radio", name="9 h 20 – 9 h 40").check()
    page.get_by_role("textbox", name=re.compile(r"^Nom")).fill("Diallo")
    page.get_by_role("textbox", name=re.compile(r"^Téléphone")).fill("06 12 34 56 78")
    page.get_by_label(re.compile("J’ai lu")).check()
    page.get_by_role("button", name="Prendre ce rendez-vous").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre rendez-vous est pris")
    expect(page.locator("#papiers")).to_contain_text("Une pièce d’identité")
    reference = page.locator("#reference").inner_text()
    appointment = Appointment.objects.get(reference=reference)
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.slot_start.astimezone(permanence.start.tzinfo).minute == 20
    check(page, "confirmation", problems, width)

    page.get_by_role("link", name="Annuler mon rendez-vous").click()
    expect(page).to_have_url(site_url(cancel_url(appointment)))
    check(page, "annulation", problems, width)
    page.get_by_role("button", name="Oui, annuler mon rendez-vous").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rendez-vous annulé")
    check(page, "annulation-faite", problems, width)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED

    # The permanence's page in the agenda says it too.
    page.goto(site_url(permanence.get_absolute_url()))
    expect(page.locator("#rendez-vous-permanence")).to_contain_text("8 rendez-vous libres")
    check(page, "permanence-agenda", problems, width)

    assert not problems, "\n".join(problems)


def test_booking_works_without_javascript(new_context, site_url, permanence):
    page = new_context(viewport={"width": 320, "height": 800}, java_script_enabled=False).new_page()
    page.goto(site_url("/mutuelle/rendez-vous/permanence-mutuelle-decembre/"))
    page.get_by_role("radio", name="11 h 40 – 12 h").check()
    page.get_by_role("textbox", name=re.compile(r"^Prénom")).fill("Jean")
    page.get_by_role("textbox", name=re.compile(r"^Nom")).fill("Dupont")
    page.get_by_role("textbox", name=re.compile(r"^Adresse électronique")).fill("jean@example.org")
    page.get_by_label(re.compile("J’ai lu")).check()
    page.get_by_role("button", name="Prendre ce rendez-vous").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre rendez-vous est pris")
    assert Appointment.objects.get(last_name="Dupont").status == AppointmentStatus.BOOKED
