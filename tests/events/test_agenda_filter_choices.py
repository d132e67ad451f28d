"""The agenda's filters' options (events/filters.py): read without a model instance each, the short
lists (axes, themes, publics, quartiers) kept while their section does not change, each <select>'s
HTML kept by its inputs (core.forms.Select). A place added, renamed or unpublished, a theme or a
quartier added or renamed, and the value chosen, show at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Theme
from core.forms import Select
from events.models import Place
from tests.actions.factories import NeighbourhoodFactory, ThemeFactory
from tests.events.factories import EventFactory, PlaceFactory

pytestmark = pytest.mark.django_db


def select(client, name, query=""):
    html = client.get(f"/agenda/{query}").content.decode()
    start = html.index(f'<select name="{name}"')
    return html[start : html.index("</select>", start)]


def lieu_select(client, query=""):
    return select(client, "lieu", query)


def test_the_places_offered_follow_every_change(client):
    place = PlaceFactory(name="Maison de la santé", slug="maison-sante")
    first = lieu_select(client)
    assert '<option value="maison-sante">Maison de la santé</option>' in first
    assert lieu_select(client) == first  # the same HTML, kept

    Place.objects.filter(pk=place.pk).update(name="Maison de santé du Palais")  # no signal, no new generation
    PlaceFactory(name="Espace Jean Ferrat", slug="espace-jean-ferrat")
    html = lieu_select(client)
    assert '<option value="maison-sante">Maison de santé du Palais</option>' in html
    assert '<option value="espace-jean-ferrat">Espace Jean Ferrat</option>' in html

    Place.objects.filter(pk=place.pk).update(published=False)
    assert "maison-sante" not in lieu_select(client)


def test_the_place_chosen_is_selected_and_filters(client):
    chosen, other = PlaceFactory(slug="choisi"), PlaceFactory(slug="autre")
    shown, hidden = EventFactory(place=chosen), EventFactory(place=other)
    html = client.get("/agenda/?lieu=choisi").content.decode()
    assert '<option value="choisi" selected>' in lieu_select(client, "?lieu=choisi")
    assert '<option value="" selected>' not in lieu_select(client, "?lieu=choisi")
    assert shown.title in html and hidden.title not in html
    assert '<option value="" selected>' in lieu_select(client)


def test_an_unknown_place_is_a_filter_error(client):
    PlaceFactory(slug="connu")
    response = client.get("/agenda/?lieu=inconnu")
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_the_kept_html_is_that_of_django(client):
    """Byte for byte what Django's Select renders, for each value and attributes."""
    choices = [("", "Tous les lieux"), ("a", "Lieu A"), ("b", "Lieu <B> & cie")]
    for value, attrs in (("", None), ("b", {"class": "form-select", "required": True})):
        kept, django = Select(choices=choices), Select.__mro__[1](choices=choices)
        assert kept.render("lieu", value, attrs) == django.render("lieu", value, attrs)
        assert kept.render("lieu", value, attrs) == django.render("lieu", value, attrs)  # from the table


def test_the_themes_and_quartiers_offered_follow_every_change(client):
    theme = ThemeFactory(name="Nutrition", slug="nutrition")
    assert '<option value="nutrition">Nutrition</option>' in select(client, "theme")
    theme.name = "Alimentation"
    theme.save()
    NeighbourhoodFactory(name="Le Palais", slug="le-palais")
    assert '<option value="nutrition">Alimentation</option>' in select(client, "theme")
    assert '<option value="le-palais">Le Palais</option>' in select(client, "quartier")
    Theme.objects.get(pk=theme.pk).delete()
    assert "nutrition" not in select(client, "theme")


def test_the_short_lists_cost_no_query_once_kept(client):
    ThemeFactory(slug="sommeil")
    client.get("/agenda/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/agenda/")
    read = " ".join(query["sql"] for query in queries)
    for table in ("actions_theme", "actions_audience", "actions_axis"):
        assert f'FROM "{table}"' not in read
    # The value chosen is still looked up, and an unknown one refused.
    assert '<option value="sommeil" selected>' in select(client, "theme", "?theme=sommeil")
    assert "Sélectionnez un choix valide" in client.get("/agenda/?theme=inconnu").content.decode()
