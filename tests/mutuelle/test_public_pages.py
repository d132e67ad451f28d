"""/mutuelle/ and /mutuelle/eligibilite/ as a resident sees them."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mutuelle.content import create_scale
from mutuelle.models import Formula, FormulaPrice, Offer
from tests.actions.factories import ActionFactory
from tests.events.factories import EventFactory
from tests.helpers import count_queries
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

HOME = reverse("mutuelle:home")
ELIGIBILITY = reverse("mutuelle:eligibility")


def make_offer(formulas=3, bands=((0, 25), (26, 59), (60, None)), **fields):
    insurer = PartnerFactory(name="Just", kind="assureur")
    offer = Offer.objects.create(
        insurer=insurer,
        summary="Une complémentaire santé à prix réduit.",
        who_can_join="Les habitants de Créteil, sans questionnaire de santé.",
        coverage="Soins courants, hospitalisation, lunettes.",
        how_to_join="Apportez une pièce d’identité.",
        **fields,
    )
    for number in range(formulas):
        formula = Formula.objects.create(offer=offer, name=f"Niveau {number + 1}", order=number + 1)
        for band_number, (age_min, age_max) in enumerate(bands):
            FormulaPrice.objects.create(
                formula=formula,
                age_min=age_min,
                age_max=age_max,
                monthly_price=Decimal(12 + 10 * number + band_number) + Decimal("0.50"),
            )
    return offer


@pytest.fixture
def mutuelle_action():
    return ActionFactory(slug="mutuelle-communale", title="La mutuelle communale")


def permanence(action, days, **kwargs):
    start = timezone.now() + datetime.timedelta(days=days)
    return EventFactory(action=action, start=start, end=start + datetime.timedelta(hours=3), **kwargs)


# /mutuelle/ ---------------------------------------------------------------------------------


def test_home_presents_the_offer(client):
    offer = make_offer()
    response = client.get(HOME)
    body = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Mutuelle communale de Créteil</h1>" in body
    assert "<title>La mutuelle communale | CLS Créteil</title>" in body
    assert '<meta name="description"' in body and "sans questionnaire de santé" in body
    assert 'aria-label="Fil d’Ariane"' in body
    assert "Pour qui ?" in body and "Avec qui ?" in body and "Ce qui est couvert" in body
    assert "Comment adhérer ?" in body and "Questions fréquentes" in body
    assert f'href="{offer.insurer.get_absolute_url()}">Just</a>' in body
    assert "Soins courants, hospitalisation, lunettes." in body
    assert 'href="tel:+33149808868"' in body and "01 49 80 88 68" in body


def test_home_price_table_is_a_real_table_with_prices_from_the_database(client):
    make_offer(formulas=2)
    body = client.get(HOME).content.decode()

    table = body[body.index("<table") : body.index("</table>")]
    assert "<caption" in table and "Prix par mois et par personne" in table
    assert '<th scope="col">Niveau 1</th>' in table and '<th scope="col">Niveau 2</th>' in table
    assert table.count('<th scope="row">') == 3
    assert "Jusqu’à 25 ans" in table and "De 26 à 59 ans" in table and "60 ans et plus" in table
    assert "12,50 €" in table and "24,50 €" in table
    assert "fs-5" in table  # residents ask for prices printed large


def test_a_formula_without_a_band_shows_a_dash(client):
    offer = make_offer(formulas=2)
    FormulaPrice.objects.filter(formula__name="Niveau 2", age_min=60).delete()
    body = client.get(HOME).content.decode()

    assert "pas de tarif" in body
    assert offer.formulas.count() == 2


def test_unchecked_prices_are_called_indicative(client):
    make_offer(prices_checked_on=None)
    body = client.get(HOME).content.decode()

    assert "Tarifs indicatifs, à confirmer avec un conseiller" in body


def test_checked_prices_show_their_date(client):
    make_offer(prices_checked_on=datetime.date(2026, 3, 2))
    body = client.get(HOME).content.decode()

    assert "Tarifs indicatifs" not in body
    assert "vérifiés auprès de l’assureur le 2 mars 2026" in body


def test_unpublished_offer_is_not_shown_and_the_page_still_works(client):
    make_offer(published=False, name="Offre en préparation")
    response = client.get(HOME)
    body = response.content.decode()

    assert response.status_code == 200
    assert "Offre en préparation" not in body
    assert "<h1>La mutuelle communale de Créteil</h1>" in body
    assert "seront bientôt présentés ici" in body
    assert "<table" not in body


def test_home_without_any_offer_still_has_its_calls_to_action(client):
    body = client.get(HOME).content.decode()

    assert body.count(f'href="{ELIGIBILITY}"') >= 2
    assert body.count(f'href="{reverse("mutuelle:request")}"') >= 2


def test_calls_to_action(client):
    make_offer()
    body = client.get(HOME).content.decode()

    assert re.search(rf'<a class="btn[^"]*" href="{ELIGIBILITY}">Vérifier si j’ai droit à la CSS</a>', body)
    request_url = reverse("mutuelle:request")
    assert re.search(rf'<a class="btn[^"]*" href="{request_url}">Être rappelé\(e\) par un conseiller</a>', body)


def test_home_lists_the_next_permanences_of_the_mutuelle_only(client, mutuelle_action):
    permanence(mutuelle_action, 10, title="Permanence de la mutuelle de juin")
    permanence(mutuelle_action, 3, title="Permanence de la mutuelle de mai")
    permanence(mutuelle_action, -3, title="Permanence passée")
    permanence(mutuelle_action, 5, title="Permanence brouillon", published=False)
    permanence(ActionFactory(), 4, title="Café psycho du mois")
    body = client.get(HOME).content.decode()

    assert "Permanence de la mutuelle de mai" in body and "Permanence de la mutuelle de juin" in body
    assert body.index("Permanence de la mutuelle de mai") < body.index("Permanence de la mutuelle de juin")
    assert "Permanence passée" not in body
    assert "Permanence brouillon" not in body
    assert "Café psycho du mois" not in body


def test_home_says_when_the_css_scale_update_is_missing(client, today):
    """Issue 12: after 1 April without the year's scale, /mutuelle/ says the test may be slightly off."""
    create_scale()  # the scale of 1 April 2025
    today(datetime.date(2026, 3, 15))
    assert "pas encore à jour" not in client.get(HOME).content.decode()

    today(datetime.date(2026, 11, 30))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(HOME).content.decode()))
    assert "Le barème de la CSS n’est pas encore à jour sur ce site." in text
    assert "La mise à jour du 1er avril 2026 n’est pas encore enregistrée ici" in text
    assert "le test utilise le barème du 1er avril 2025, et sa réponse peut être un peu décalée" in text
    assert "appelez le service Prévention-Santé du CCAS au 01 49 80 88 68" in text


def test_home_without_permanences_says_so(client):
    body = client.get(HOME).content.decode()

    assert "Aucune permanence n’est programmée" in body


def test_home_faq(client):
    body = client.get(HOME).content.decode()

    questions = re.findall(r"<summary[^>]*>(.*?)</summary>", body)
    assert 4 <= len(questions) <= 6
    assert any("RSA" in question for question in questions)
    assert any("mutuelle" in question for question in questions)
    assert any("augmenter" in question for question in questions)
    assert any("parler à quelqu’un" in question for question in questions)


@pytest.mark.parametrize("many", [False, True])
def test_home_query_budget_is_constant(client, mutuelle_action, django_assert_max_num_queries, many):
    make_offer(formulas=6 if many else 1, bands=[(age, age + 9) for age in range(0, 100, 10)] if many else [(0, 99)])
    for days in range(1, 30 if many else 2):
        permanence(mutuelle_action, days)
    # The offer, its formulas, their prices, the permanences and their appointment slots (two), the
    # CSS scale in force; the glossary terms marked in the texts.
    with django_assert_max_num_queries(8):
        response = client.get(HOME)
    assert response.status_code == 200
    assert "<h1>Mutuelle communale de Créteil</h1>" in response.content.decode()


def test_home_query_count_does_not_grow_with_content(client, mutuelle_action):
    make_offer(formulas=1)
    permanence(mutuelle_action, 2)
    few = count_queries(client, HOME)
    Offer.objects.all().delete()
    make_offer(formulas=7, bands=[(age, age + 4) for age in range(0, 100, 5)])
    for days in range(3, 40):
        permanence(mutuelle_action, days)
    assert count_queries(client, HOME) == few


def test_home_sets_no_cookie(client):
    make_offer()
    assert not client.get(HOME).cookies


# /mutuelle/eligibilite/ ---------------------------------------------------------------------


def test_eligibility_page_has_its_h1_breadcrumbs_and_links_back(client):
    create_scale()
    response = client.get(ELIGIBILITY)
    body = response.content.decode()

    assert response.status_code == 200
    assert "<h1>" in body
    assert 'aria-label="Fil d’Ariane"' in body and f'href="{HOME}">Mutuelle communale</a>' in body
    assert "<caption" in body and '<th scope="row">1 personne</th>' in body


def test_eligibility_mutuelle_answer_links_to_the_request_form(client):
    create_scale()
    body = client.post(ELIGIBILITY, {"age_1": "40", "age_2": "41", "salaries": "2 500"}).content.decode()

    assert "La mutuelle communale est faite pour vous" in body
    assert f'href="{reverse("mutuelle:request")}?foyer=2">Être rappelé(e) par un conseiller</a>' in body
