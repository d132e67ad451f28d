"""Registering for a Café psycho on a phone, in real Chromium (issue 15): the event's page, the form
(its errors first), the confirmation with the reference, the cancel link; at 320 px without
sideways scrolling, without JavaScript too, and with no axe violation on any of these pages.

``REGISTRATION_SCREENSHOTS=/some/dir`` keeps screenshots of each page at 320 and 1280 px.
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from events.enums import RegistrationStatus
from events.models import Registration
from events.registrations import cancel_url
from tests.browser.test_accessibility import AXE_OPTIONS
from tests.events.factories import PortalEventFactory, RegistrationFactory
from tests.mutuelle.factories import reset_rate_limits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NO_SIDEWAYS_SCROLL_JS = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
SHOTS = os.environ.get("REGISTRATION_SCREENSHOTS")


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    reset_rate_limits()
    yield
    reset_rate_limits()


@pytest.fixture
def event(live_server):
    event = PortalEventFactory(
        title="Café psycho : le sommeil",
        slug="cafe-psycho-sommeil",
        registration_capacity=2,
        registration_max_places=4,
    )
    RegistrationFactory(event=event)
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


@pytest.mark.parametrize("width", [320, 1280])
def test_a_resident_registers_then_cancels_on_a_phone(new_context, site_url, event, width):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    problems = []

    page.goto(site_url(event.get_absolute_url()))
    expect(page.locator("#places-restantes")).to_contain_text("1 place restante sur 2")
    check(page, "evenement", problems, width)
    page.get_by_role("link", name=re.compile("^M’inscrire")).click()
    expect(page).to_have_url(site_url("/agenda/cafe-psycho-sommeil/inscription/"))
    check(page, "formulaire", problems, width)

    # Sent too soon: the errors are listed, tied to their fields, and what was typed stays.
    page.get_by_role("textbox", name=re.compile(r"^Prénom")).fill("Awa")
    page.get_by_role("button", name="M’inscrire").click()
    expect(page.locator("#erreurs")).to_be_focused()
    expect(page.locator("#erreurs")).to_contain_text("3 réponses à vérifier")
    expect(page.get_by_role("textbox", name=re.compile(r"^Prénom"))).to_have_value("Awa")
    check(page, "formulaire-erreurs", problems, width)

    page.get_by_role("textbox", name=re.compile(r"^Nom")).fill("Diallo")
    page.get_by_role("textbox", name=re.compile(r"^Téléphone")).fill("06 12 34 56 78")
    page.get_by_label("Nombre de places").select_option("2")
    page.get_by_label("Accès en fauteuil roulant").check()
    page.get_by_label(re.compile("J’ai lu")).check()
    page.get_by_role("button", name="M’inscrire").click()

    # Two places asked, one left: the waiting list, first on it.
    expect(page.get_by_role("heading", level=1)).to_have_text("Vous êtes sur la liste d’attente")
    reference = page.locator("#reference").inner_text()
    registration = Registration.objects.get(reference=reference)
    assert registration.status == RegistrationStatus.WAITING and registration.places == 2
    assert registration.needs_fauteuil
    expect(page.locator("#statut-inscription")).to_contain_text("1re sur la liste d’attente")
    check(page, "confirmation", problems, width)

    page.get_by_role("link", name="Annuler mon inscription").click()
    expect(page).to_have_url(site_url(cancel_url(registration)))
    check(page, "annulation", problems, width)
    page.get_by_role("button", name="Oui, annuler mon inscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscription annulée")
    check(page, "annulation-faite", problems, width)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED

    assert not problems, "\n".join(problems)


def test_registering_works_without_javascript(new_context, site_url, event):
    page = new_context(viewport={"width": 320, "height": 800}, java_script_enabled=False).new_page()
    page.goto(site_url(event.get_registration_url()))
    page.get_by_role("textbox", name=re.compile(r"^Prénom")).fill("Jean")
    page.get_by_role("textbox", name=re.compile(r"^Nom")).fill("Dupont")
    page.get_by_role("textbox", name=re.compile(r"^Adresse électronique")).fill("jean@example.org")
    page.get_by_label(re.compile("J’ai lu")).check()
    page.get_by_role("button", name="M’inscrire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre inscription est enregistrée")
    assert Registration.objects.get(last_name="Dupont").status == RegistrationStatus.CONFIRMED


def test_the_events_team_prints_the_sign_in_sheet_without_axe_violation(new_context, site_url, event):
    from staff.groups import REGISTRATIONS_GROUP
    from tests.browser.test_mutuelle_journey import admin_login, staff_device, staff_user

    agent = staff_user("animatrice", REGISTRATIONS_GROUP)
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin_login(page, site_url, agent, staff_device(agent))
    problems = []
    for label, path in {
        "liste": reverse("admin:events_registration_changelist") + f"?event__id__exact={event.pk}",
        "emargement": reverse("admin:events_registration_sheet", args=[event.pk]),
    }.items():
        assert page.goto(site_url(path)).status == 200, label
        check(page, f"admin-{label}", problems, 1280)
    expect(page.get_by_role("heading", level=1)).to_have_text("Feuille d’émargement")
    expect(page.locator("table")).to_contain_text("Martin")
    assert not problems, "\n".join(problems)
