"""/resultats/: the axes' progress, the events held and the people who came, by quartier and year."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.enums import ProgressStatus
from actions.models import Evaluation, Indicator, Milestone
from core.cache import current_generation
from events.enums import EventStatus
from events.models import EventAttendance
from tests.actions.factories import ActionFactory, AudienceFactory, NeighbourhoodFactory, axis
from tests.events.factories import EventFactory, PlaceFactory
from tests.helpers import paris_datetime, squash

pytestmark = pytest.mark.django_db

RESULTS = reverse("events:results")


def held(action, place, start, attendance=None, **fields):
    end = start + datetime.timedelta(hours=2)
    return EventFactory(action=action, place=place, start=start, end=end, attendance=attendance, **fields)


@pytest.fixture
def results():
    north, south = NeighbourhoodFactory(name="Haut-Nord"), NeighbourhoodFactory(name="Bas-Sud")
    in_north, in_south = PlaceFactory(neighbourhood=north), PlaceFactory(neighbourhood=south)
    first = ActionFactory(axis=axis(1), progress=ProgressStatus.LATE)
    second = ActionFactory(axis=axis(3), progress=ProgressStatus.DONE)
    ActionFactory(axis=axis(3), progress=ProgressStatus.AHEAD, published=False)
    held(first, in_north, paris_datetime(2025, 10, 2, 14), 30)
    held(first, in_south, paris_datetime(2026, 3, 5, 14), 12)
    held(second, in_north, paris_datetime(2026, 4, 9, 14), 20)
    held(second, in_north, paris_datetime(2026, 5, 9, 14), None, status=EventStatus.CANCELLED)
    held(second, in_south, paris_datetime(2026, 5, 12, 14), 99, published=False)
    return {"north": north, "south": south, "first": first, "second": second}


def test_results_sum_up_axes_and_events(client, results):
    text = squash(client.get(RESULTS).text)
    assert "Axe 1 : Accès aux droits et aux soins 1 action : 0 dans les temps, 1 en retard, 0 réalisées." in text
    assert "1 action : 0 dans les temps, 0 en retard, 1 réalisée." in text
    assert "3 rendez-vous tenus, 62 personnes venues." in text
    assert "Haut-Nord 2 50" in text and "Bas-Sud 1 12" in text
    assert "2025 1 30" in text and "2026 2 32" in text
    assert "Aucun indicateur n’est encore publié." in text


def test_filters_by_year_and_axis(client, results):
    text = squash(client.get(RESULTS, {"annee": "2026"}).text)
    assert "2 rendez-vous tenus en 2026, 32 personnes venues." in text
    assert "Haut-Nord 1 20" in text and "Bas-Sud 1 12" in text
    assert "2025 1 30" in text  # every year stays in the yearly table
    text = squash(client.get(RESULTS, {"annee": "2026", "axe": axis(3).slug}).text)
    assert "1 rendez-vous tenu en 2026, 20 personnes venues." in text
    assert "Axe 1 :" not in text and "Axe 3 : Santé mentale" in text
    assert "Bas-Sud" not in text


BAD_QUERIES = [{"annee": "abc"}, {"annee": "1900"}, {"axe": "inconnu"}, {"annee": "x" * 500, "axe": "x" * 500}]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_filters_are_ignored_not_errors(client, results, query):
    response = client.get(RESULTS, query)
    assert response.status_code == 200
    assert "3 rendez-vous tenus" in squash(response.text)


def test_indicators_are_counted(client, results):
    Indicator.objects.create(
        action=results["first"],
        name="Personnes reçues",
        baseline_value=10,
        baseline_date=datetime.date(2022, 1, 1),
        target_value=20,
        target_date=datetime.date(2027, 1, 1),
        latest_value=25,
        latest_date=datetime.date(2025, 1, 1),
        source="CCAS",
    )
    text = squash(client.get(RESULTS).text)
    assert "1 indicateur suivi, dont 1 avec une valeur mesurée ; cible atteinte pour 1." in text


def test_charts_have_a_text_alternative_and_a_table(client, results):
    body = client.get(RESULTS).text
    assert body.count('role="img"') == 3
    for chart in ("avancement", "quartiers", "annees"):
        assert f'aria-labelledby="{chart}-titre {chart}-desc"' in body
        assert f'<title id="{chart}-titre">' in body and f'<desc id="{chart}-desc">' in body
    for caption in (
        "Nombre d’actions par avancement",
        "Rendez-vous tenus et personnes venues, par quartier",
        "Rendez-vous tenus et personnes venues, par année",
    ):
        assert f"<caption>{caption}</caption>" in body


def test_each_figure_links_to_its_data(client, results):
    """« A link to the data behind each figure »: the dataset's CSV and API, each link saying which data."""
    import html

    body = html.unescape(client.get(RESULTS).text)
    for slug, what in (
        ("actions", "les actions et leur avancement"),
        ("indicateurs", "les indicateurs des actions"),
        ("participation", "les rendez-vous tenus et les personnes venues"),
    ):
        assert f'<a href="/donnees/{slug}.csv" download>{what}, fichier CSV</a>' in body
        assert f'<a href="/api/{slug}/">{what}, par l’API (JSON)</a>' in body
        assert f'href="/donnees/#jeu-{slug}"' in body
        assert client.get(f"/donnees/{slug}.csv").status_code == 200


def test_empty_results_say_so(client):
    text = squash(client.get(RESULTS).text)
    assert "L’avancement des actions n’est pas encore renseigné." in text
    assert "Aucun rendez-vous n’a encore eu lieu." in text


@pytest.mark.parametrize("count", [1, 40])
def test_results_queries_do_not_grow(client, django_assert_max_num_queries, count):
    now = timezone.now()
    for number in range(count):
        place = PlaceFactory(neighbourhood=NeighbourhoodFactory())
        action = ActionFactory(axis=axis(number % 5 + 1), progress=list(ProgressStatus)[number % 6])
        held(action, place, now - datetime.timedelta(days=30 * number + 1), number)
    with django_assert_max_num_queries(14):
        assert client.get(RESULTS, {"annee": str(now.year)}).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(RESULTS).status_code == 200


def test_results_in_the_sitemap_footer_and_le_cls(client):
    assert f"{RESULTS}</loc>" in client.get("/sitemap-pages.xml").text
    le_cls = client.get(reverse("about")).text
    assert f'href="{RESULTS}"' in le_cls
    assert le_cls.count(f'href="{RESULTS}"') >= 2  # the page and the footer


@pytest.mark.parametrize(
    "make",
    [
        lambda action: Indicator.objects.create(action=action, name="Personnes reçues"),
        lambda action: Milestone.objects.create(action=action, what="Ouverture", planned_date=timezone.localdate()),
        lambda action: Evaluation.objects.create(action=action, year=2025, text="Bilan."),
        lambda action: EventAttendance.objects.create(
            event=held(action, None, timezone.now() - datetime.timedelta(days=3), 5),
            audience=AudienceFactory(),
            count=2,
        ),
    ],
)
def test_results_changes_renew_the_cached_pages(make):
    action = ActionFactory()
    before = current_generation()
    make(action)
    assert current_generation() != before
