"""The admin pages the project templates or customises, in real Chromium, as the administrator
(a superuser with two-factor authentication, logged in through the wizard): zero axe-core
violation, and every one of them (each model's change list included) at a desk's 1280 px without
scrolling sideways.

``ADMIN_SCREENSHOTS=/tmp/…`` leaves a screenshot of each page there to look at (none by default).
"""

import datetime
import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.admin import site
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from actions.models import Action
from events.models import Event
from mutuelle.models import CssScale
from tests.browser.test_accessibility import AXE_OPTIONS
from tests.browser.test_mutuelle_journey import PASSWORD, admin_login, staff_user
from tests.events.factories import PortalEventFactory, RegistrationFactory
from tests.mutuelle.factories import AppointmentFactory, InterestRequestFactory, PermanenceEventFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESK = {"width": 1280, "height": 900}
SCREENSHOTS = os.environ.get("ADMIN_SCREENSHOTS")


def screenshot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def axe_report(page, label):
    """axe-core's violations on the page, as a report (None when there are none).

    axe's CSS preload re-reads every style sheet and re-creates the admin's
    « @import url(widgets.css) » (forms.css) as a request the CSP refuses: not preloaded.
    """
    results = Axe().run(page, options={**AXE_OPTIONS, "preload": False})
    if not results.violations_count:
        return None
    lines = [f"== {label}"]
    for violation in results.response["violations"]:
        nodes = violation["nodes"]
        lines.append(f"  {violation['id']} ({len(nodes)}) : {violation['help']}")
        lines.extend(f"    {', '.join(node['target'])} — {node['html'][:160]}" for node in nodes[:4])
    return "\n".join(lines)


def page_width(page):
    return page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")


@pytest.fixture
def administrator():
    user = get_user_model().objects.create_superuser(
        "administratrice", "administratrice@example.org", PASSWORD, first_name="Inès", last_name="Moreau"
    )
    return user, TOTPDevice.objects.create(user=user, name="Téléphone d’Inès", confirmed=True)


@pytest.fixture
def admin_page(new_context, site_url, cls_content, administrator):
    page = new_context(viewport=DESK).new_page()
    admin_login(page, site_url, *administrator)
    return page


def changelist_urls():
    return {
        model._meta.label: reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in sorted(site._registry, key=lambda model: model._meta.label)
    }


def customised_pages(administrator):
    """The project's own admin pages (templates/admin, staff/, the apps' admin views), by label."""
    user, _ = administrator
    colleague = get_user_model().objects.create_user("agent.test", password=PASSWORD, is_staff=True)
    TOTPDevice.objects.create(user=colleague, name="Téléphone", confirmed=True)
    request = InterestRequestFactory(last_name="Benali", first_name="Aïcha")
    action = Action.objects.order_by("pk").first()
    action.title = f"{action.title} (modifiée)"
    action.save()
    version = action.history.order_by("-history_date").first()
    event = Event.objects.order_by("pk").first()
    scale = CssScale.objects.order_by("-valid_from").first()
    registration = RegistrationFactory(first_name="Camille", last_name="Martin")
    started = timezone.now() - datetime.timedelta(hours=1)
    came = RegistrationFactory(
        first_name="Awa",
        last_name="Diallo",
        places=2,
        event=PortalEventFactory(start=started, end=started + datetime.timedelta(hours=2)),
    )
    appointment = AppointmentFactory(
        event=PermanenceEventFactory(), first_name="Awa", last_name="Diallo", interest_request=request
    )
    return {
        "journal": reverse("admin:journal"),
        "demande (fiche)": reverse("admin:mutuelle_interestrequest_change", args=[request.pk]),
        "demande (droit d’accès)": reverse("admin:mutuelle_interestrequest_personal_data", args=[request.pk]),
        "demande (effacer)": reverse("admin:mutuelle_interestrequest_erase", args=[request.pk]),
        "demande (historique)": reverse("admin:mutuelle_interestrequest_history", args=[request.pk]),
        "barème (copier le précédent)": reverse("admin:mutuelle_cssscale_add") + "?copie=1",
        "barème (fiche)": reverse("admin:mutuelle_cssscale_change", args=[scale.pk]),
        "utilisateur (fiche)": reverse("admin:auth_user_change", args=[colleague.pk]),
        "utilisateur (réinitialiser la double authentification)": reverse(
            "admin:auth_user_reset_two_factor", args=[colleague.pk]
        ),
        "utilisateur (ajout)": reverse("admin:auth_user_add"),
        "groupe (ajout)": reverse("admin:auth_group_add"),
        "action (fiche)": reverse("admin:actions_action_change", args=[action.pk]),
        "action (historique)": reverse("admin:actions_action_history", args=[action.pk]),
        "action (une version)": reverse("admin:actions_action_simple_history", args=[action.pk, version.pk]),
        "action (suppression)": reverse("admin:actions_action_delete", args=[action.pk]),
        "rendez-vous (fiche)": reverse("admin:events_event_change", args=[event.pk]),
        "rendez-vous (dupliquer)": reverse("admin:events_event_duplicate", args=[event.pk]),
        "inscription (prise par téléphone)": reverse("admin:events_registration_add"),
        "inscription (fiche)": reverse("admin:events_registration_change", args=[registration.pk]),
        "inscriptions (feuille d’émargement)": reverse("admin:events_registration_sheet", args=[registration.event_id]),
        "inscriptions (noter les présents)": reverse("admin:events_registration_presence", args=[came.event_id]),
        "inscriptions (noter les présents, trop tôt)": reverse(
            "admin:events_registration_presence", args=[registration.event_id]
        ),
        "inscription (droit d’accès)": reverse("admin:events_registration_personal_data", args=[came.pk]),
        "rendez-vous mutuelle (pris par téléphone)": reverse("admin:mutuelle_appointment_add"),
        "rendez-vous mutuelle (fiche)": reverse("admin:mutuelle_appointment_change", args=[appointment.pk]),
        "rendez-vous mutuelle (du jour)": reverse("admin:mutuelle_appointment_changelist") + "?jour=aujourd-hui",
        "rendez-vous mutuelle (une permanence)": reverse("admin:mutuelle_appointment_changelist")
        + f"?event__id__exact={appointment.event_id}",
        "permanence (réglage des rendez-vous, ajout)": reverse("admin:mutuelle_permanence_add"),
        "double authentification (mon compte)": reverse("two_factor:profile"),
        "double authentification (codes de secours)": reverse("two_factor:backup_tokens"),
        # Refused to the administrator, who must keep it: the refusal page is checked too.
        "double authentification (désactiver, refusé)": (reverse("two_factor:disable"), 403),
        "mot de passe (changer)": reverse("admin:password_change"),
    }


# About 60 pages at a second each: checked in parts (every third page each), so that xdist's workers
# share them rather than one worker running them all at the end of the suite.
ADMIN_AXE_PARTS = 3


@pytest.mark.parametrize("part", range(ADMIN_AXE_PARTS), ids=lambda part: f"partie-{part + 1}-sur-{ADMIN_AXE_PARTS}")
def test_no_axe_violation_on_the_admin_pages(admin_page, site_url, administrator, part):
    page = admin_page
    reports = []
    pages = {**customised_pages(administrator), **{f"liste {label}": url for label, url in changelist_urls().items()}}
    for label, path in list(pages.items())[part::ADMIN_AXE_PARTS]:
        path, expected_status = path if isinstance(path, tuple) else (path, 200)
        response = page.goto(site_url(path))
        if response.status != expected_status:
            reports.append(f"== {label} ({path}) : HTTP {response.status}")
            continue
        screenshot(page, re.sub(r"\W+", "-", label))
        reports.append(axe_report(page, f"{label} ({path})"))
        width, viewport = page_width(page)
        if width > viewport:
            reports.append(f"== {label} ({path}) : {width} px de large à {viewport} px")
    reports = [report for report in reports if report]
    assert not reports, "\n\n".join(reports)


def test_no_axe_violation_where_an_editor_manages_their_phone(new_context, site_url, cls_content):
    """An editor may turn two-factor authentication off (the administrator may not): that page too."""
    editor = staff_user("redactrice", "Rédaction")
    device = TOTPDevice.objects.create(user=editor, name="Téléphone", confirmed=True)
    page = new_context(viewport=DESK).new_page()
    admin_login(page, site_url, editor, device)
    reports = []
    for label, path in [
        ("tableau de bord (rédaction)", reverse("admin:index")),
        ("double authentification (mon compte)", reverse("two_factor:profile")),
        ("double authentification (désactiver)", reverse("two_factor:disable")),
    ]:
        response = page.goto(site_url(path))
        assert response.status == 200, (label, response.status)
        reports.append(axe_report(page, f"{label} ({path})"))
    page.get_by_role("button", name=re.compile("Désactiver")).click()  # without ticking the box: the error
    reports.append(axe_report(page, "double authentification (désactiver, erreur)"))
    reports = [report for report in reports if report]
    assert not reports, "\n\n".join(reports)


def test_no_axe_violation_on_the_login_pages(new_context, site_url, cls_content, administrator):
    user, device = administrator
    page = new_context(viewport=DESK).new_page()
    reports = []
    page.goto(site_url("/admin/"))
    reports.append(axe_report(page, "connexion (mot de passe)"))
    page.get_by_role("button", name="Se connecter").click()  # empty: the errors
    reports.append(axe_report(page, "connexion (erreurs)"))
    page.get_by_label("Nom d’utilisateur").fill(user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("input[name='token-otp_token']")).to_be_visible()
    reports.append(axe_report(page, "connexion (code de l’application)"))
    page.locator("input[name='token-otp_token']").fill("000000")
    page.get_by_role("button", name="Valider le code").click()
    reports.append(axe_report(page, "connexion (code refusé)"))
    reports = [report for report in reports if report]
    assert not reports, "\n\n".join(reports)


def test_every_change_list_fits_1280_px(admin_page, site_url):
    page = admin_page
    too_wide = []
    for label, path in changelist_urls().items():
        response = page.goto(site_url(path))
        assert response.status == 200, (label, response.status)
        width, viewport = page_width(page)
        if width > viewport:
            too_wide.append(f"{label} ({path}) : {width} px")
            screenshot(page, f"trop-large-{label}")
    assert not too_wide, "Listes plus larges que l’écran de 1280 px :\n" + "\n".join(too_wide)
