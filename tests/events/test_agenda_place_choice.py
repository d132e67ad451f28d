"""The agenda's « Lieu » filter: its options read without a model instance each, its HTML kept by its
inputs (core.forms.Select): a place added, renamed or unpublished, and the place chosen, show at once."""

import pytest

from core.forms import Select
from events.models import Place
from tests.events.factories import EventFactory, PlaceFactory

pytestmark = pytest.mark.django_db


def lieu_select(client, query=""):
    html = client.get(f"/agenda/{query}").content.decode()
    start = html.index('<select name="lieu"')
    return html[start : html.index("</select>", start)]


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
