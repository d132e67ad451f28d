"""Issue 12 §4: prices carry the day they apply from; the site shows those in force on the day."""

import datetime
import importlib
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from mutuelle.content import create_scale
from mutuelle.models import Formula, FormulaPrice, Offer
from tests.helpers import admin_url, count_queries
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

HOME = reverse("mutuelle:home")
ELIGIBILITY = reverse("mutuelle:eligibility")
JAN, APR = datetime.date(2026, 1, 1), datetime.date(2026, 4, 1)


def squash(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def offer():
    return Offer.objects.create(
        insurer=PartnerFactory(name="Just", kind="assureur"),
        summary="En bref.",
        who_can_join="Pour qui.",
        coverage="Ce qui est couvert.",
        how_to_join="Comment.",
    )


def price(formula, valid_from, age_min, age_max, amount):
    return FormulaPrice.objects.create(
        formula=formula, valid_from=valid_from, age_min=age_min, age_max=age_max, monthly_price=Decimal(amount)
    )


@pytest.fixture
def essentiel(offer):
    """Under 60: 20 € from 1 January 2026, 23 € from 1 April 2026. 60 and over: 41 € since 2025."""
    formula = Formula.objects.create(offer=offer, name="Essentiel", order=1)
    price(formula, datetime.date(2025, 1, 1), 60, None, "41")
    price(formula, JAN, 0, 59, "20")
    price(formula, APR, 0, 59, "23")
    return formula


def in_force(on, **filters):
    return sorted(
        (p.formula.name, p.age_min, p.monthly_price)
        for p in FormulaPrice.objects.in_force(on).filter(**filters).select_related("formula")
    )


# The rule -----------------------------------------------------------------------------------


def test_in_force_takes_each_bands_latest_price_started_by_the_day(essentiel):
    # Before any price of the band: the band has none (no price is made up).
    assert in_force(datetime.date(2025, 12, 31)) == [("Essentiel", 60, 41)]
    # From the first day of a price, included, to the day before the next one.
    assert in_force(JAN) == [("Essentiel", 0, 20), ("Essentiel", 60, 41)]
    assert in_force(datetime.date(2026, 3, 31)) == [("Essentiel", 0, 20), ("Essentiel", 60, 41)]
    # The prepared price replaces it on its day, the other band keeps its own.
    assert in_force(APR) == [("Essentiel", 0, 23), ("Essentiel", 60, 41)]
    assert in_force(datetime.date(2030, 1, 1)) == [("Essentiel", 0, 23), ("Essentiel", 60, 41)]


def test_in_force_is_per_formula(essentiel, offer):
    confort = Formula.objects.create(offer=offer, name="Confort", order=2)
    price(confort, datetime.date(2026, 6, 1), 0, 59, "35")  # a later date for another formula changes nothing here

    assert in_force(APR) == [("Essentiel", 0, 23), ("Essentiel", 60, 41)]
    assert in_force(datetime.date(2026, 6, 1)) == [("Confort", 0, 35), ("Essentiel", 0, 23), ("Essentiel", 60, 41)]


def test_in_force_is_one_query(essentiel, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(list(FormulaPrice.objects.in_force(APR))) == 2


# The public pages -----------------------------------------------------------------------------


def test_home_shows_a_prepared_price_only_from_its_day(client, essentiel, today):
    today(datetime.date(2026, 3, 31))
    text = squash(client.get(HOME).content.decode())
    assert "20 €" in text and "41 €" in text
    assert "23 €" not in text

    today(APR)
    text = squash(client.get(HOME).content.decode())
    assert "23 €" in text and "41 €" in text
    assert "20 €" not in text


def test_the_orientation_quotes_the_prices_in_force(client, essentiel, today):
    create_scale()  # 1 April 2025; a household far above its ceilings is sent to the mutuelle
    answer = {"age_1": "30", "yearly_total": "90000"}

    today(datetime.date(2026, 3, 31))
    text = squash(client.post(ELIGIBILITY, answer).content.decode())
    assert "Formule Essentiel Vous (30 ans) : 20 €" in text

    today(APR)
    text = squash(client.post(ELIGIBILITY, answer).content.decode())
    assert "Formule Essentiel Vous (30 ans) : 23 €" in text


def test_home_query_count_does_not_grow_with_past_and_prepared_prices(client, essentiel, today):
    today(APR)
    few = count_queries(client, HOME)
    for year in range(2010, 2025):  # years of past prices, and some prepared ahead
        price(essentiel, datetime.date(year, 1, 1), 0, 59, "10")
        price(essentiel, datetime.date(year + 20, 1, 1), 60, None, "99")
    assert count_queries(client, HOME) == few


# The admin ------------------------------------------------------------------------------------


def prices_post(formula, prices):
    data = {
        "offer": formula.offer_id,
        "name": formula.name,
        "order": formula.order,
        "description": "",
        "prices-TOTAL_FORMS": str(len(prices)),
        "prices-INITIAL_FORMS": "0",
        "_save": "Enregistrer",
    }
    for index, (valid_from, age_min, age_max, amount) in enumerate(prices):
        data |= {
            f"prices-{index}-valid_from": valid_from.isoformat(),
            f"prices-{index}-age_min": age_min,
            f"prices-{index}-age_max": "" if age_max is None else age_max,
            f"prices-{index}-monthly_price": amount,
        }
    return data


def test_admin_takes_a_price_prepared_for_the_same_band(admin_client, offer):
    formula = Formula(offer=offer, name="Renfort", order=3)
    response = admin_client.post(
        admin_url(Formula, "add"),
        prices_post(formula, [(JAN, 0, 59, "31"), (APR, 0, 59, "33"), (JAN, 60, None, "60")]),
    )

    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert in_force(APR) == [("Renfort", 0, 33), ("Renfort", 60, 60)]


def test_admin_refuses_bands_that_overlap_on_a_day(admin_client, offer):
    formula = Formula(offer=offer, name="Renfort", order=3)
    # From 1 April the new band 0–64 overlaps the band 60+ still in force.
    response = admin_client.post(
        admin_url(Formula, "add"),
        prices_post(formula, [(JAN, 0, 59, "31"), (JAN, 60, None, "60"), (APR, 0, 64, "33")]),
    )

    assert response.status_code == 200
    assert "Deux tranches d’âge se chevauchent au 1er avril 2026" in squash(response.content.decode())
    assert not Formula.objects.filter(name="Renfort").exists()


# The dates given to the prices that existed before (migration 0009) ---------------------------


def test_existing_prices_get_the_earliest_date_the_data_states(essentiel, offer):
    from django.apps import apps
    from django.utils import timezone

    migration = importlib.import_module("mutuelle.migrations.0009_prices_valid_from_and_mutuelle_keeps_reference_data")
    recorded, checked = datetime.date(2025, 9, 15), datetime.date(2025, 10, 1)
    under_60, over_60 = essentiel.prices.get(valid_from=JAN), essentiel.prices.get(age_min=60)
    essentiel.prices.filter(valid_from=APR).delete()
    FormulaPrice.history.filter(id=under_60.pk).update(
        history_date=timezone.make_aware(datetime.datetime(2025, 9, 15, 10))
    )
    FormulaPrice.history.filter(id=over_60.pk).delete()  # no version: the offer's check date
    Offer.objects.filter(pk=offer.pk).update(prices_checked_on=checked)

    migration.date_existing_prices(apps, None)

    assert FormulaPrice.objects.get(pk=under_60.pk).valid_from == recorded  # recorded before the check
    assert FormulaPrice.objects.get(pk=over_60.pk).valid_from == checked
    assert set(FormulaPrice.history.filter(id=under_60.pk).values_list("valid_from", flat=True)) == {recorded}
