import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.actions.factories import ActionFactory, axis
from tests.events.factories import EventFactory
from tests.helpers import count_queries, paris_datetime
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_home_shows_axes_featured_actions_mutuelle_and_contact(client):
    ActionFactory(title="Cafés psycho", featured=True, axis=axis(3))
    ActionFactory(title="Pas mis en avant", featured=False)
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="axis-number"') == 5
    assert "Santé environnementale" in body
    assert "Cafés psycho" in body
    assert "Pas mis en avant" not in body
    assert 'href="/mutuelle/"' in body
    assert "01 49 80 88 68" in body
    assert 'lang="fr"' in body
    assert 'href="#contenu"' in body


def test_home_query_count_is_constant(client):
    ActionFactory(featured=True)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for _ in range(20):
        ActionFactory(featured=True)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    # Axes, featured actions (3), events (2), and the ways in: actions, themes, audiences, quartiers.
    assert len(few) == len(many) <= 11


def test_search_page_finds_actions_and_partners(client):
    ActionFactory(title="Prévention bucco-dentaire", summary="Des dents en bonne santé.")
    PartnerFactory(name="Association dentaire", description="Prévention des caries.")
    ActionFactory(title="Brouillon dentaire", published=False)
    response = client.get("/recherche/", {"q": "DENTAIRE"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Prévention bucco-dentaire" in body
    assert "Association dentaire" in body
    assert "Brouillon" not in body
    assert "2 résultats" in body
    assert 'value="DENTAIRE"' in body


def test_search_without_results_helps(client):
    body = client.get("/recherche/", {"q": "zzzz"}).content.decode()
    assert "Aucun résultat" in body
    assert "01 49 80 88 68" in body


@pytest.mark.parametrize("query", ["", " ", "x" * 5000, "\x00", "<script>alert(1)</script>", "' OR 1=1 --", "&|!"])
def test_search_junk_never_fails_nor_reflects_html(client, query):
    response = client.get("/recherche/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_search_query_count_is_bounded(client):
    """One query per kind of row (actions, events, partners, places), the same with 1 or 30 rows
    of each kind: « santé » needs no spelling suggestion. The first time, one more each for the
    synonyms, the vocabulary and the themes, audiences and quartiers, which are then kept; after a
    change of actions and partners, the synonyms stay kept (their section, « search », is unchanged)."""
    ActionFactory(title="Atelier santé")
    PartnerFactory(name="Partenaire santé")
    after_change = count_queries(client, "/recherche/?q=sant%C3%A9")
    kept = count_queries(client, "/recherche/?q=sant%C3%A9")
    for index in range(30):
        ActionFactory(title=f"Atelier santé {index}")
        PartnerFactory(name=f"Partenaire santé {index}")
    many_after_change = count_queries(client, "/recherche/?q=sant%C3%A9")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/recherche/", {"q": "santé"})
    assert "D’autres résultats existent" in response.content.decode()
    assert kept == len(queries) == 4
    assert after_change == kept + 3
    assert many_after_change == kept + 2


def test_search_only_accepts_get(client):
    response = client.post("/recherche/", {"q": "santé"})

    assert response.status_code == 405
    assert response["Allow"] == "GET"


def test_home_shows_the_next_published_events_only(client):
    EventFactory(
        title="Café psycho de mars", start=paris_datetime(2030, 3, 14, 19), end=paris_datetime(2030, 3, 14, 21)
    )
    EventFactory(title="Brouillon", published=False)
    EventFactory(title="Passé", start=paris_datetime(2020, 1, 1, 10), end=paris_datetime(2020, 1, 1, 12))
    body = client.get("/").content.decode()
    assert "Café psycho de mars" in body
    assert "jeudi 14 mars 2030, 19\u00a0h" in body  # « 19 h » never breaks across two lines
    assert "Brouillon" not in body
    assert "Passé" not in body
    assert 'href="/agenda/"' in body


def test_home_query_count_is_constant_with_events(client):
    EventFactory()
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for _ in range(12):
        EventFactory()
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(few) == len(many)


def test_search_finds_upcoming_events_not_past_ones(client):
    EventFactory(title="Atelier sommeil", start=paris_datetime(2030, 3, 14, 10), end=paris_datetime(2030, 3, 14, 12))
    EventFactory(
        title="Ancien atelier sommeil", start=paris_datetime(2020, 1, 1, 10), end=paris_datetime(2020, 1, 1, 12)
    )
    body = client.get("/recherche/", {"q": "sommeils"}).content.decode()
    assert "Événements à venir" in body
    assert "Atelier sommeil" in body
    assert "Ancien atelier" not in body


def test_titles_and_meta_descriptions_are_single_trimmed_lines(client):
    action = ActionFactory(title="Écrans & familles", summary="Parents « connectés »\n  et enfants.")
    body = client.get(action.get_absolute_url()).content.decode()
    assert "<title>Écrans &amp; familles | CLS Créteil</title>" in body
    assert 'content="Parents « connectés » et enfants."' in body
