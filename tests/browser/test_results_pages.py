"""The results in real Chromium: an action with indicators, its axis and /resultats/ have no axe
violation, no sideways scrolling at 320 px, charts that assistive technologies can name, and a
filter form that works without JavaScript."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from actions.enums import IndicatorDirection, ProgressStatus
from actions.models import Action, Evaluation, Indicator, Milestone
from events.models import Event, Place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def with_results(cls_content):
    """The real initial content, plus results typed by an editor (test figures, never loaded on the site)."""
    action = Action.objects.published().order_by("pk").first()
    action.progress = ProgressStatus.LATE
    action.save()
    day = datetime.date
    Indicator.objects.create(
        action=action,
        name="Personnes reçues",
        unit="personnes",
        baseline_value=100,
        baseline_date=day(2022, 1, 1),
        target_value=400,
        target_date=day(2027, 12, 31),
        latest_value=250,
        latest_date=day(2025, 12, 31),
        source="Bilan du CCAS",
    )
    Indicator.objects.create(
        action=action,
        name="Délai d’attente",
        unit="jours",
        direction=IndicatorDirection.DOWN,
        baseline_value=30,
        baseline_date=day(2022, 1, 1),
        target_value=10,
        target_date=day(2027, 12, 31),
        latest_value=35,
        latest_date=day(2025, 12, 31),
        source="CPTS",
    )
    Indicator.objects.create(action=action, name="Sans chiffre encore")
    Milestone.objects.create(action=action, what="Ouverture", planned_date=day(2024, 1, 1), done_date=day(2024, 2, 1))
    Milestone.objects.create(action=action, what="Formation des bénévoles", planned_date=day(2025, 1, 1))
    Evaluation.objects.create(action=action, year=2025, text="Un premier bilan.")
    place = Place.objects.exclude(neighbourhood=None).first() or Place.objects.first()
    start = timezone.now() - datetime.timedelta(days=40)
    Event.objects.create(
        title="Atelier passé",
        slug="atelier-passe",
        action=action,
        place=place,
        start=start,
        end=start + datetime.timedelta(hours=2),
        published=True,
        attendance=18,
    )
    return action


def pages(action):
    return [action.get_absolute_url(), action.axis.get_absolute_url(), "/resultats/", "/resultats/?annee=1900&axe=x"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["320px", "1280px"])
def test_results_pages_pass_axe_and_fit_a_phone(new_context, site_url, with_results, viewport):
    page = new_context(viewport=viewport).new_page()
    axe = Axe()
    reports = []
    for path in pages(with_results):
        response = page.goto(site_url(path))
        assert response.status == 200, path
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports.append(f"== {path}\n{results.generate_report()}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"] + 1:
            reports.append(f"{path} : {width} px de large")
    assert not reports, "\n\n".join(reports)


def test_charts_are_named_images_with_their_figures(page, site_url, with_results):
    page.goto(site_url(with_results.get_absolute_url()))
    charts = page.get_by_role("img", name="Personnes reçues : 50 % du chemin entre le départ et la cible")
    assert charts.count() == 1
    assert page.get_by_role("img", name="Délai d’attente : en recul par rapport au départ").count() == 1
    table = page.get_by_role("table", name="Valeurs de l’indicateur « Personnes reçues »")
    assert "250" in table.inner_text()
    page.goto(site_url("/resultats/"))
    assert page.get_by_role("img", name="Actions selon leur avancement").count() == 1
    assert page.get_by_role("table", name="Nombre d’actions par avancement").count() == 1


def test_filters_work_without_javascript(new_context, site_url, with_results):
    page = new_context(java_script_enabled=False, viewport=PHONE).new_page()
    page.goto(site_url("/resultats/"))
    page.get_by_label("Année", exact=True).select_option(str(timezone.localdate().year))
    page.get_by_label("Axe", exact=True).select_option(label=with_results.axis.name)
    page.get_by_role("button", name="Afficher").click()
    assert f"annee={timezone.localdate().year}" in page.url and f"axe={with_results.axis.slug}" in page.url
    assert page.get_by_role("heading", name=f"Avancement des actions de l’axe {with_results.axis.number}").count() == 1
