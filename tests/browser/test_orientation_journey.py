"""The CSS / mutuelle orientation and the interest form's journey in real Chromium (issue 11, §3–4).

At 320 px and 1280 px: the answer from a monthly income, nothing in the address, no sideways
scrolling, no axe violation (answer and errors), the printed summary; without JavaScript; the
focus on the error summary; then the interest form knowing the household size, a mistake, the
confirmation, and the form sent again after going back: « déjà envoyée », the same reference.
``ORIENTATION_SCREENSHOTS=/tmp/…`` leaves screenshots of the pages there to look at (none by default).
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from mutuelle.models import CssScale, InterestRequest
from tests.browser.test_accessibility import AXE_OPTIONS
from tests.browser.test_mutuelle_journey import field, fill_contact_details
from tests.mutuelle.factories import reset_rate_limits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = os.environ.get("ORIENTATION_SCREENSHOTS")
ORIENTATION = "/mutuelle/eligibilite/"


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    reset_rate_limits()
    yield
    reset_rate_limits()


def shot(page, name, *, full_page=True):
    if SCREENSHOTS:
        page.screenshot(path=Path(SCREENSHOTS) / f"{name}.png", full_page=full_page)


def axe_violations(page):
    results = Axe().run(page, options=AXE_OPTIONS)
    return results.generate_report() if results.violations_count else ""


def no_sideways_scrolling(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"défilement horizontal à {width} px"


def answer(page, *, ages, salaries="", pensions="", premium=""):
    for position, age in enumerate(ages, start=1):
        label = "Votre âge" if position == 1 else f"Personne {position}"
        field(page, label).fill(str(age))
    field(page, "Salaires, par mois").fill(salaries)
    field(page, "Retraites et pensions, par mois").fill(pensions)
    field(page, "Ce que le foyer paie aujourd’hui pour sa complémentaire santé, par mois (facultatif)").fill(premium)
    page.get_by_role("button", name="Voir le résultat", exact=True).click()


@pytest.mark.parametrize("width", [320, 1280])
def test_the_answer_from_a_monthly_income(new_context, site_url, cls_content, width):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(site_url(ORIENTATION))
    shot(page, f"orientation-{width}-formulaire")

    answer(page, ages=[30], salaries="1 500", premium="80")

    expect(page).to_have_url(site_url(f"{ORIENTATION}#resultat"))  # nothing in the address
    result = page.get_by_role("region", name="La mutuelle communale est faite pour vous")
    expect(result).to_contain_text("1 500 € par mois × 12 mois = 18 000 € sur 12 mois")
    expect(result).to_contain_text("13 957 € par an (dépassé)")
    # The seeded scale of 1 April 2025: out of date after 1 April 2026 until the next one is entered.
    if CssScale.objects.current_status().is_outdated:
        expect(page.locator("#bareme-pas-a-jour")).to_contain_text("n’est pas encore à jour sur ce site")
        expect(result).to_contain_text("Celui du 1er avril 2025 (France métropolitaine), le dernier enregistré")
    else:
        expect(result).to_contain_text("En vigueur depuis le 1er avril 2025")
    expect(result.get_by_role("region", name="Formule Essentiel")).to_contain_text("Vous économiseriez 612 € par an")
    expect(result).not_to_contain_text("CSS gratuite est")
    # The answers stay in the form, to change them.
    expect(field(page, "Votre âge")).to_have_value("30")
    expect(field(page, "Salaires, par mois")).to_have_value("1 500")
    no_sideways_scrolling(page, width)
    shot(page, f"orientation-{width}")
    violations = axe_violations(page)

    # The printed summary: the answer alone, with its print button (JavaScript shows it).
    expect(result.get_by_role("button", name="Imprimer ce résumé")).to_be_visible()
    page.emulate_media(media="print")
    expect(result).to_be_visible()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.locator("#formulaire-orientation")).to_be_hidden()
    expect(result.get_by_role("link", name="Être rappelé(e) par un conseiller")).to_be_hidden()
    shot(page, f"orientation-{width}-impression")
    page.emulate_media(media="screen")

    # A mistake: the focus moves to the error summary, whose link leads to the field.
    field(page, "Votre âge").fill("trente")
    page.get_by_role("button", name="Voir le résultat", exact=True).click()
    expect(page).to_have_title(re.compile(r"^Erreur"))
    summary = page.locator("#resultat")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Votre âge : Écrivez l’âge en chiffres")
    no_sideways_scrolling(page, width)
    shot(page, f"orientation-{width}-erreurs")
    violations += axe_violations(page)
    summary.get_by_role("link", name="Votre âge").click()
    expect(field(page, "Votre âge")).to_be_focused()

    assert not violations, violations


def test_the_orientation_without_javascript(new_context, site_url, cls_content):
    page = new_context(java_script_enabled=False, viewport={"width": 360, "height": 800}).new_page()
    page.goto(site_url(ORIENTATION))

    answer(page, ages=[45, 43, 12], salaries="1 400", pensions="600", premium="95")

    answer_heading = "^La CSS avec une participation de 36 € par mois pour le foyer est probablement pour vous"
    result = page.get_by_role("region", name=re.compile(answer_heading))
    expect(result).to_contain_text("Total pour le foyer : 36 € par mois")
    expect(result).to_contain_text("vous économiseriez 708 € par an")
    expect(result.get_by_role("button", name="Imprimer ce résumé")).to_be_hidden()
    expect(result).to_contain_text("imprimez cette page")
    no_sideways_scrolling(page, 360)
    shot(page, "orientation-360-sans-javascript")


def test_a_household_of_six_at_320_px(new_context, site_url, cls_content):
    page = new_context(viewport={"width": 320, "height": 800}).new_page()
    page.goto(site_url(ORIENTATION))

    answer(page, ages=[76, 70, 49, 30, 0, 60], salaries="2 800", pensions="1 000", premium="400")

    result = page.get_by_role("region", name="La mutuelle communale est faite pour vous")
    expect(result.get_by_role("region", name="Formule Essentiel")).to_contain_text("Total : 225 € par mois")
    expect(result.get_by_role("region", name="Formule Renfort")).to_contain_text("Total : 471 € par mois")
    expect(result.get_by_role("region", name="Formule Renfort")).to_contain_text("852 € de plus par an")
    no_sideways_scrolling(page, 320)
    shot(page, "orientation-320-foyer-de-6")


def test_from_the_answer_to_the_form_a_mistake_and_a_form_sent_again(new_context, site_url, cls_content):
    page = new_context(viewport={"width": 320, "height": 800}).new_page()
    page.goto(site_url(ORIENTATION))
    answer(page, ages=[40, 41], salaries="2 500")
    page.get_by_role("link", name="Être rappelé(e) par un conseiller", exact=True).click()

    # The form knows the household size, and only that.
    expect(page).to_have_url(site_url("/mutuelle/demande/?foyer=2"))
    expect(page.get_by_role("spinbutton", name=re.compile("^Nombre de personnes dans votre foyer"))).to_have_value("2")

    # A mistake: the focus moves to the summary; its link leads to the field.
    fill_contact_details(page, last_name="")
    page.get_by_role("button", name="Envoyer ma demande", exact=True).click()
    summary = page.locator("#erreurs")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("1 réponse à vérifier")
    shot(page, "orientation-demande-erreur-320", full_page=False)
    summary.get_by_role("link", name="Nom", exact=True).click()
    expect(field(page, "Nom")).to_be_focused()
    field(page, "Nom").fill("Benali")
    page.get_by_role("button", name="Envoyer ma demande", exact=True).click()

    expect(page).to_have_url(site_url("/mutuelle/demande/merci/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande est envoyée")
    reference = page.locator("#reference").inner_text().strip()
    assert InterestRequest.objects.get().household_size == 2

    # Back to the form, and sent again: « déjà envoyée », the same reference, one request. The page
    # of the form returned with a mistake holds personal data: the browser does not keep it (no-store)
    # and offers to send it again; two steps back is the form.
    page.evaluate("history.go(-2)")
    expect(page).to_have_url(site_url("/mutuelle/demande/?foyer=2"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Être rappelé(e) au sujet de la mutuelle communale")
    fill_contact_details(page, last_name="Benali")
    page.get_by_role("button", name="Envoyer ma demande", exact=True).click()

    expect(page).to_have_url(site_url("/mutuelle/demande/merci/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande est déjà envoyée")
    expect(page.locator("#reference")).to_have_text(reference)
    assert InterestRequest.objects.count() == 1
    assert not axe_violations(page)


def test_back_after_sending_and_sending_again_is_already_sent(page, site_url, cls_content):
    page.goto(site_url("/mutuelle/demande/"))
    fill_contact_details(page, last_name="Benali")
    page.get_by_role("button", name="Envoyer ma demande", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande est envoyée")
    reference = page.locator("#reference").inner_text().strip()

    page.go_back()
    expect(page).to_have_url(site_url("/mutuelle/demande/"))
    fill_contact_details(page, last_name="Benali")
    page.get_by_role("button", name="Envoyer ma demande", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande est déjà envoyée")
    expect(page.locator("#reference")).to_have_text(reference)
    assert InterestRequest.objects.count() == 1
