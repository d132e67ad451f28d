"""The mutuelle communale in real Chromium, on the real initial content: a resident goes from the
orientation (CSS or mutuelle?) to the interest form and its confirmation; an agent of the
« Mutuelle » group logs in to the admin, finds the request by its reference and moves it along;
a member of « Rédaction » does not see the requests. axe runs on the form with its errors and on
the confirmation page (the accessibility test cannot send a form).
"""

import base64
import re
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from mutuelle.eligibility import ceilings_table, scale_in_force
from mutuelle.enums import RequestStatus
from mutuelle.models import FollowUpNote, InterestRequest
from tests.browser.test_accessibility import AXE_OPTIONS
from tests.mutuelle.factories import reset_rate_limits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REFERENCE = re.compile(r"^MC-[A-Z0-9]{4}-[A-Z0-9]{4}$")
PASSWORD = "Mot-de-passe-de-test-2026"
HOUSEHOLD_SIZE = 2
NOTE = "Rappelée le matin : rendez-vous à proposer à la permanence de décembre."


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    """The form's rate limit counts per address in the cache: every browser test comes from 127.0.0.1."""
    reset_rate_limits()
    yield
    reset_rate_limits()


def staff_user(username, group_name, *, first_name="", last_name=""):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=True, first_name=first_name, last_name=last_name
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user


def staff_device(user):
    """The agent's authenticator app: the « Mutuelle » group must use two-factor authentication."""
    return TOTPDevice.objects.create(user=user, name="default", confirmed=True)


def admin_login(page, site_url, user, device=None):
    """A real login through the two-factor wizard: password, then the app's code when there is a device."""
    page.goto(site_url("/admin/"))
    page.get_by_label("Nom d’utilisateur").fill(user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    if device is not None:
        token = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.locator("input[name='token-otp_token']").fill(f"{token:0{device.digits}d}")
        page.get_by_role("button", name="Valider le code").click()
    expect(page).to_have_url(site_url("/admin/"))


def axe_report(page, label):
    results = Axe().run(page, options=AXE_OPTIONS)
    return f"== {label}\n{results.generate_report()}" if results.violations_count else None


def field(page, label):
    """A field by the start of its label (the required ones end with an asterisk)."""
    return page.get_by_role("textbox", name=re.compile(rf"^{re.escape(label)}\*?$"))


def fill_contact_details(page, *, last_name=""):
    field(page, "Prénom").fill("Aïcha")
    field(page, "Nom").fill(last_name)
    field(page, "Code postal de votre domicile").fill("94000")
    field(page, "Téléphone").fill("06 12 34 56 78")
    field(page, "Adresse électronique").fill("aicha.benali@example.org")
    page.get_by_role("radio", name="Par téléphone").check()
    page.get_by_role("radio", name="Le matin (9 h – 12 h)").check()
    page.get_by_role("checkbox", name=re.compile("^J’ai lu comment le CCAS utilise mes données")).check()


def test_orientation_then_interest_form_then_confirmation(page, site_url, cls_content):
    scale = scale_in_force()
    assert scale, "le contenu initial doit enregistrer le barème de la CSS en vigueur"
    ceiling = next(row.contribution for row in ceilings_table(scale) if row.household_size == HOUSEHOLD_SIZE)
    resources = int(ceiling + Decimal(5000))
    reports = []

    # Orientation: above the CSS ceilings, the mutuelle communale.
    page.goto(site_url("/mutuelle/"))
    page.get_by_role("main").get_by_role("link", name="Vérifier si j’ai droit à la CSS", exact=True).first.click()
    expect(page).to_have_url(site_url("/mutuelle/eligibilite/"))
    field(page, "Votre âge").fill("44")
    field(page, "Personne 2").fill("42")
    field(page, "Ou bien : le total du foyer sur 12 mois").fill(f"{resources:,}".replace(",", " "))
    page.get_by_role("button", name="Voir le résultat", exact=True).click()

    expect(page).to_have_url(site_url("/mutuelle/eligibilite/#resultat"))  # the answers are not in the address
    result = page.get_by_role("region", name="La mutuelle communale est faite pour vous")
    expect(result.get_by_role("heading", level=2)).to_have_text("La mutuelle communale est faite pour vous")
    # The answers stay in the form, to change them.
    expect(field(page, "Personne 2")).to_have_value("42")
    result.get_by_role("link", name="Être rappelé(e) par un conseiller", exact=True).click()

    # The interest form: once without the last name.
    expect(page).to_have_url(site_url(f"/mutuelle/demande/?foyer={HOUSEHOLD_SIZE}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Être rappelé(e) au sujet de la mutuelle communale")
    fill_contact_details(page, last_name="")
    page.get_by_role("button", name="Envoyer ma demande", exact=True).click()

    expect(page).to_have_title(re.compile(r"^Erreur"))
    errors = page.locator("#erreurs")
    expect(errors).to_be_focused()
    expect(errors).to_contain_text("1 réponse à vérifier")
    expect(errors.get_by_role("link", name="Nom", exact=True)).to_have_attribute("href", "#id_last_name")
    # The error is next to the field, and tied to it for screen readers.
    last_name = field(page, "Nom")
    expect(last_name).to_have_attribute("aria-invalid", "true")
    expect(last_name).to_have_accessible_description("Indiquez votre nom.")
    expect(page.locator("#div_id_last_name")).to_contain_text("Indiquez votre nom.")
    # Everything typed is kept.
    expect(field(page, "Prénom")).to_have_value("Aïcha")
    expect(field(page, "Code postal de votre domicile")).to_have_value("94000")
    expect(field(page, "Téléphone")).to_have_value("06 12 34 56 78")
    expect(field(page, "Adresse électronique")).to_have_value("aicha.benali@example.org")
    expect(page.get_by_role("radio", name="Le matin (9 h – 12 h)")).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile("^J’ai lu"))).to_be_checked()
    assert InterestRequest.objects.count() == 0
    reports.append(axe_report(page, "/mutuelle/demande/ (POST avec une erreur)"))

    # Then complete.
    last_name.fill("Benali")
    page.get_by_role("button", name="Envoyer ma demande", exact=True).click()

    expect(page).to_have_url(site_url("/mutuelle/demande/merci/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande est envoyée")
    reference_text = page.locator("#reference")
    expect(reference_text).to_have_text(re.compile(r"^\s*MC-[A-Z0-9]{4}-[A-Z0-9]{4}\s*$"))
    reference = reference_text.inner_text().strip()
    assert REFERENCE.fullmatch(reference)
    # No personal data on the confirmation page.
    expect(page.get_by_role("main")).not_to_contain_text("Benali")
    expect(page.get_by_role("main")).not_to_contain_text("06 12 34 56 78")
    reports.append(axe_report(page, "/mutuelle/demande/merci/"))

    interest_request = InterestRequest.objects.get()
    assert interest_request.reference == reference
    assert (interest_request.first_name, interest_request.last_name) == ("Aïcha", "Benali")
    assert interest_request.postal_code == "94000"
    assert interest_request.consent_at is not None

    page.reload()
    expect(page.locator("#reference")).to_have_text(reference)
    assert InterestRequest.objects.count() == 1

    assert not [report for report in reports if report], "\n\n".join(report for report in reports if report)


def test_an_agent_finds_the_request_and_moves_it_along(new_context, site_url, cls_content):
    page = new_context().new_page()
    page.goto(site_url("/mutuelle/demande/"))
    fill_contact_details(page, last_name="Benali")
    page.get_by_role("button", name="Envoyer ma demande", exact=True).click()
    expect(page).to_have_url(site_url("/mutuelle/demande/merci/"))
    reference = page.locator("#reference").inner_text().strip()
    interest_request = InterestRequest.objects.get(reference=reference)
    assert interest_request.status == RequestStatus.NEW

    agent = staff_user("claire.martin", "Mutuelle", first_name="Claire", last_name="Martin")
    page = new_context().new_page()  # the agent's own browser: no session of the applicant
    admin_login(page, site_url, agent, staff_device(agent))
    page.get_by_role("link", name=re.compile("^Demandes d’information mutuelle")).first.click()
    changelist = reverse("admin:mutuelle_interestrequest_changelist")
    expect(page).to_have_url(site_url(changelist))

    # Searched as it is read on the phone: with spaces instead of dashes, in lower case.
    page.locator("#searchbar").fill(reference.replace("-", " ").lower())
    page.get_by_role("button", name="Rechercher", exact=True).click()
    results = page.locator("#result_list")
    expect(results.get_by_role("link", name=reference, exact=True)).to_have_count(1)
    results.get_by_role("link", name=reference, exact=True).click()

    # The search stays in the address, to come back to the same list after saving.
    expect(page).to_have_url(re.compile(rf"{re.escape(site_url(interest_request.get_admin_url()))}(\?.*)?$"))
    page.get_by_role("combobox", name=re.compile(r"^Statut\b")).select_option(label=RequestStatus.CONTACTED.label)
    page.locator("textarea[name='notes-0-text']").fill(NOTE)
    page.get_by_role("button", name="Enregistrer", exact=True).first.click()

    expect(page).to_have_url(re.compile(rf"{re.escape(site_url(changelist))}(\?.*)?$"))
    expect(page.locator(".messagelist")).to_contain_text(reference)
    interest_request.refresh_from_db()
    assert interest_request.status == RequestStatus.CONTACTED
    assert interest_request.last_contact_at is not None
    note = FollowUpNote.objects.get(interest_request=interest_request)
    assert (note.text, note.author) == (NOTE, agent)
    assert interest_request.history.filter(history_user=agent, status=RequestStatus.CONTACTED).exists()

    # The note is shown on the request, with its author.
    page.goto(site_url(interest_request.get_admin_url()))
    notes = page.locator("#notes-group")
    expect(notes).to_contain_text(NOTE)
    expect(notes).to_contain_text("Claire Martin")


def test_an_editor_does_not_see_the_requests(page, site_url, cls_content):
    staff_user("redacteur", "Rédaction")
    changelist = reverse("admin:mutuelle_interestrequest_changelist")

    admin_login(page, site_url, get_user_model().objects.get(username="redacteur"))
    expect(page.locator(f"a[href^='{changelist}']")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Demandes d’information mutuelle"))).to_have_count(0)
    response = page.goto(site_url(changelist))
    assert response.status == 403


def test_a_new_agent_enrols_a_phone_at_first_login(page, site_url, cls_content):
    """First login of a « Mutuelle » agent: password, then the setup wizard (QR code served by the
    portal, secret key), a code from the « app », backup codes, and the admin opens."""
    agent = staff_user("nadia.haddad", "Mutuelle")
    page.goto(site_url("/admin/"))
    page.get_by_label("Nom d’utilisateur").fill(agent.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(site_url(reverse("two_factor:setup")))
    page.get_by_role("button", name="Continuer").click()

    qr_code = page.get_by_role("img", name=re.compile("^QR code"))
    expect(qr_code).to_be_visible()
    # Served by the portal and decoded by the browser (visible comes first: wait for the load).
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr_code.element_handle())
    secret = page.locator(".cls-otp-secret").inner_text().strip()
    key = base64.b32decode(secret).hex()  # what the phone reads from the QR code
    device = TOTPDevice(key=key)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Code à 6 chiffres de l’application").fill(f"{code:06d}")
    page.get_by_role("button", name="Continuer").click()

    expect(page).to_have_url(site_url(reverse("two_factor:setup_complete")))
    page.get_by_role("button", name="Générer mes codes de secours").click()
    expect(page.locator(".cls-backup-tokens li")).to_have_count(10)
    page.get_by_role("link", name="Aller à l’administration").click()
    expect(page).to_have_url(site_url("/admin/"))
    expect(page.get_by_role("link", name=re.compile("^Demandes d’information mutuelle")).first).to_be_visible()
    assert TOTPDevice.objects.get(user=agent).confirmed
