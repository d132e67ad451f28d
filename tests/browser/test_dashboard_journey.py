"""The admin's first page in real Chromium, for each role (staff/dashboard.py): what waits is said
in words and linked to the list that shows it, axe finds nothing, and nothing scrolls sideways at
a desk's 1280 px nor at 320 px."""

import datetime
import os

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from events.enums import Registration
from tests.actions.factories import ActionFactory
from tests.browser.test_mutuelle_journey import PASSWORD, admin_login, axe_report, staff_device, staff_user
from tests.events.factories import EventFactory
from tests.mutuelle.factories import InterestRequestFactory, backdate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Where to leave screenshots to look at (DASHBOARD_SCREENSHOTS=/tmp/…); none by default.
SCREENSHOTS = os.environ.get("DASHBOARD_SCREENSHOTS")
WIDTHS = (1280, 320)


def page_width(page):
    return page.evaluate(
        "() => ({page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth})"
    )


def look_at(new_context, site_url, user, device, role):
    """The first page at each width: headings, axe, no sideways scroll. Returns the last page."""
    reports = []
    page = new_context(viewport={"width": WIDTHS[0], "height": 900}).new_page()
    admin_login(page, site_url, user, device)  # once: a code from the app is accepted once
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        expect(page.locator("#dashboard")).to_be_visible()
        expect(page.get_by_role("heading", level=2, name="Tous les contenus")).to_be_visible()
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, f"dashboard-{role}-{width}.png"), full_page=True)
        widths = page_width(page)
        assert widths["page"] <= widths["viewport"], (width, widths)
        report = axe_report(page, f"{role} {width}px")
        if report:
            reports.append(report)
    assert not reports, "\n".join(reports)
    return page


def in_days(days):
    return timezone.now() + datetime.timedelta(days=days)


def test_the_editors_dashboard(new_context, site_url):
    editor = staff_user("ines.martin", "Rédaction", first_name="Inès", last_name="Martin")
    for number in range(3):
        action = ActionFactory(published=False, title=f"Campagne de dépistage du diabète, édition {number}")
        action._history_user = editor
        action.save()
    ActionFactory(published=True, publish_at=in_days(3), title="Octobre rose")
    EventFactory(title="Atelier mémoire au centre social des Petits-Prés", start=in_days(4), place=None)
    EventFactory(title="Café psycho", start=in_days(9), registration=Registration.RECOMMENDED)

    page = look_at(new_context, site_url, editor, None, "redaction")
    section = page.locator("#dashboard-redaction")
    expect(section.get_by_role("heading", level=2)).to_have_text("Rédaction")
    expect(section).to_contain_text("Mes brouillons")
    expect(section).to_contain_text("3 actions")
    expect(page.locator("#dashboard-mutuelle")).to_have_count(0)
    expect(page.get_by_role("table", name="Les prochains événements à compléter (heure de Paris)")).to_contain_text(
        "Atelier mémoire"
    )
    section.get_by_role("link", name="1 événement sans lieu").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("Atelier mémoire")


def test_the_mutuelle_agents_dashboard(new_context, site_url):
    agent = staff_user("awa.konate", "Mutuelle", first_name="Awa", last_name="Konaté")
    for index, days in enumerate((0, 1, 12, 20, 30)):
        request = InterestRequestFactory(phone=f"06 98 76 54 {index:02d}", email=f"tableau{index}@example.org")
        backdate(request, created_at=timezone.now() - datetime.timedelta(days=days))

    page = look_at(new_context, site_url, agent, staff_device(agent), "mutuelle")
    section = page.locator("#dashboard-mutuelle")
    expect(section).to_contain_text("5 nouvelles demandes")
    expect(page.locator("#dashboard-redaction")).to_have_count(0)
    section.get_by_role("link", name="3 nouvelles demandes en retard (délai de 5 jours ouvrés dépassé)").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(3)


def test_the_administrators_dashboard(new_context, site_url):
    admin = get_user_model().objects.create_superuser(username="admin", email="admin@example.org", password=PASSWORD)
    staff_user("nouvelle.recrue", "Rédaction")
    AccessAttempt.objects.create(
        username="inconnu", ip_address="192.0.2.1", user_agent="test", failures_since_start=settings.AXES_FAILURE_LIMIT
    )
    page = look_at(new_context, site_url, admin, staff_device(admin), "administration")
    section = page.locator("#dashboard-administration")
    expect(section).to_contain_text("1 compte sans double authentification")
    expect(section).to_contain_text("1 blocage")
    section.get_by_role("link", name="1 compte sans double authentification").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("nouvelle.recrue")
