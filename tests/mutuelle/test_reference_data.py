"""Issue 12 §4: the mutuelle team keeps its reference data (CSS scales, formulas, prices), and
starts each year's CSS scale from the previous one (« Copier le barème précédent »)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from core.grammar import Noun
from mutuelle.content import create_scale
from mutuelle.models import CssCeiling, CssScale, Formula, FormulaPrice, Offer
from mutuelle.services.scales import next_scale_start, scale_copy_previous
from tests.helpers import admin_url, h1s_of
from tests.mutuelle.factories import AgentFactory
from tests.partners.factories import PartnerFactory
from tests.staff.helpers import verified_login

pytestmark = pytest.mark.django_db

APRIL_2025, APRIL_2026, APRIL_2027 = (datetime.date(year, 4, 1) for year in (2025, 2026, 2027))


def squash(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def scale():
    create_scale()  # the official scale of 1 April 2025
    return CssScale.objects.get()


@pytest.fixture
def formula():
    offer = Offer.objects.create(
        insurer=PartnerFactory(name="Just", kind="assureur"),
        summary="En bref.",
        who_can_join="Pour qui.",
        coverage="Ce qui est couvert.",
        how_to_join="Comment.",
    )
    formula = Formula.objects.create(offer=offer, name="Essentiel", order=1)
    FormulaPrice.objects.create(
        formula=formula, valid_from=datetime.date(2026, 1, 1), age_min=0, monthly_price=Decimal("20")
    )
    return formula


@pytest.fixture
def agent_client(client):
    verified_login(client, AgentFactory())
    return client


# The copy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "today", "expected"),
    [
        # The yearly update is due and missing (CssScaleStatus.is_outdated): the 1 April passed.
        (APRIL_2025, datetime.date(2026, 11, 30), APRIL_2026),
        (APRIL_2025, APRIL_2026, APRIL_2026),
        # Several years missing: the one the site needs now.
        (datetime.date(2023, 4, 1), datetime.date(2026, 5, 2), APRIL_2026),
        # Up to date: the next one, before or after the turn of the year.
        (APRIL_2025, datetime.date(2026, 3, 31), APRIL_2026),
        (APRIL_2026, datetime.date(2026, 11, 30), APRIL_2027),
        # A scale already prepared ahead: the one after it.
        (APRIL_2027, datetime.date(2027, 2, 1), datetime.date(2028, 4, 1)),
        # A scale started on another day (a mid-year change): the next 1 April still.
        (datetime.date(2026, 7, 1), datetime.date(2026, 8, 1), APRIL_2027),
    ],
)
def test_the_copy_starts_on_the_next_1_april_the_site_needs(latest, today, expected):
    assert next_scale_start(latest=latest, today=today) == expected


def test_the_copy_takes_every_amount_of_the_last_scale_and_saves_nothing(scale, django_assert_num_queries):
    with django_assert_num_queries(3):
        copy = scale_copy_previous(today=datetime.date(2026, 11, 30))

    assert copy.previous == scale
    assert copy.valid_from == APRIL_2026
    assert copy.fields == {
        "valid_from": APRIL_2026,
        "source": "",  # the agent names the new official text
        "source_url": scale.source_url,
        "free_extra_person": 4135,
        "contribution_extra_person": 5583,
    }
    assert [(row["household_size"], row["free_ceiling"], row["contribution_ceiling"]) for row in copy.ceilings] == [
        (1, 10339, 13957),
        (2, 15508, 20936),
        (3, 18609, 25123),
        (4, 21711, 29311),
    ]
    assert [(row["age_min"], row["age_max"], row["monthly_amount"]) for row in copy.contributions] == [
        (0, 29, 8),
        (30, 49, 14),
        (50, 59, 21),
        (60, 69, 25),
        (70, None, 30),
    ]
    assert CssScale.objects.count() == 1 and CssCeiling.objects.count() == 4


def test_the_copy_of_nothing_is_nothing():
    assert scale_copy_previous(today=datetime.date(2026, 11, 30)) is None


def test_the_copy_starts_from_the_latest_scale_even_prepared_ahead(scale):
    later = CssScale.objects.create(
        valid_from=APRIL_2026, source="Arrêté", free_extra_person=1, contribution_extra_person=2
    )
    copy = scale_copy_previous(today=datetime.date(2026, 11, 30))
    assert copy.previous == later and copy.valid_from == APRIL_2027 and copy.ceilings == []


# The copy in the admin ------------------------------------------------------------------------


def test_the_scales_list_offers_the_copy(agent_client, scale, today):
    today(datetime.date(2026, 11, 30))
    body = agent_client.get(admin_url(CssScale, "changelist")).content.decode()

    assert f'href="{admin_url(CssScale, "add")}?copie=1"' in body
    assert "Copier le barème précédent" in body
    assert "Le barème du 1er avril 2026 n’est pas encore saisi" in squash(body)


def test_the_copy_opens_the_add_form_filled_and_clearly_marked(agent_client, scale, today):
    today(datetime.date(2026, 11, 30))
    response = agent_client.get(admin_url(CssScale, "add") + "?copie=1")
    body = response.content.decode()
    text = squash(body)

    assert response.status_code == 200
    assert h1s_of(body) == [Noun.of(CssScale).add_title]
    assert "Copie du barème du 1er avril 2025, à vérifier — rien n’est enregistré." in text
    assert "texte officiel applicable au 1er avril 2026" in text
    assert "le site continue d’utiliser le barème du 1er avril 2025" in text
    assert re.search(r'name="valid_from"[^>]*value="01/04/2026"', body)
    assert re.search(r'name="source"[^>]*>', body) and 'value="Plafonds publiés' not in body
    assert re.search(r'name="ceilings-0-free_ceiling"[^>]*value="10339"', body)
    assert re.search(r'name="ceilings-3-contribution_ceiling"[^>]*value="29311"', body)
    assert re.search(r'name="contributions-4-monthly_amount"[^>]*value="30,00"', body)
    assert 'name="ceilings-TOTAL_FORMS" value="4"' in body
    assert CssScale.objects.count() == 1  # nothing saved by opening it


def copy_post(**overrides):
    ceilings = [(1, 10422, 14070), (2, 15633, 21104), (3, 18760, 25325), (4, 21885, 29546)]
    contributions = [(0, 29, "8"), (30, 49, "14"), (50, 59, "21"), (60, 69, "25"), (70, "", "30")]
    data = {
        "valid_from": "01/04/2026",
        "source": "Arrêté du … (montants de test)",
        "source_url": "https://www.service-public.fr/particuliers/vosdroits/F10027",
        "free_extra_person": "4168",
        "contribution_extra_person": "5628",
        "ceilings-TOTAL_FORMS": str(len(ceilings)),
        "ceilings-INITIAL_FORMS": "0",
        "contributions-TOTAL_FORMS": str(len(contributions)),
        "contributions-INITIAL_FORMS": "0",
        "_save": "Enregistrer",
    }
    for index, (size, free, contribution) in enumerate(ceilings):
        data |= {
            f"ceilings-{index}-household_size": size,
            f"ceilings-{index}-free_ceiling": free,
            f"ceilings-{index}-contribution_ceiling": contribution,
        }
    for index, (age_min, age_max, amount) in enumerate(contributions):
        data |= {
            f"contributions-{index}-age_min": age_min,
            f"contributions-{index}-age_max": age_max,
            f"contributions-{index}-monthly_amount": amount,
        }
    return data | overrides


def test_the_checked_copy_is_saved_with_every_row_and_becomes_the_scale_in_force(agent_client, scale, today):
    today(datetime.date(2026, 11, 30))
    response = agent_client.post(admin_url(CssScale, "add") + "?copie=1", copy_post())

    assert response.status_code == 302, response.context["errors"] if response.context else response
    new = CssScale.objects.get(valid_from=APRIL_2026)
    # Every row is saved, the unchanged contributions too.
    assert new.ceilings.count() == 4 and new.contributions.count() == 5
    assert new.ceilings.get(household_size=1).free_ceiling == 10422
    assert CssScale.objects.current_status(datetime.date(2026, 11, 30)).scale == new
    assert "Copie du barème" not in squash(agent_client.get(response["Location"]).content.decode())


def test_the_copy_without_its_source_is_refused_and_stays_marked(agent_client, scale, today):
    today(datetime.date(2026, 11, 30))
    response = agent_client.post(admin_url(CssScale, "add") + "?copie=1", copy_post(source=""))

    assert response.status_code == 200
    assert "Copie du barème du 1er avril 2025, à vérifier" in squash(response.content.decode())
    assert CssScale.objects.count() == 1


def test_the_copy_without_any_scale_is_an_empty_add_form(agent_client):
    response = agent_client.get(admin_url(CssScale, "add") + "?copie=1")

    assert response.status_code == 200
    assert "Aucun barème à copier" in squash(response.content.decode())


# Who keeps the reference data ------------------------------------------------------------------


def test_the_mutuelle_group_holds_the_permissions_of_the_reference_data():
    codenames = set(Group.objects.get(name="Mutuelle").permissions.values_list("codename", flat=True))
    for model in ["cssscale", "cssceiling", "csscontribution", "formula", "formulaprice"]:
        assert {f"view_{model}", f"add_{model}", f"change_{model}"} <= codenames, model
    assert "change_offer" not in codenames  # the offer's texts stay the editors'


@pytest.mark.parametrize("client_name", ["agent_client", "editor_client"])
def test_mutuelle_agents_and_editors_open_the_add_and_change_pages(request, client_name, scale, formula):
    client = request.getfixturevalue(client_name)
    for url in [
        admin_url(CssScale, "changelist"),
        admin_url(CssScale, "add"),
        admin_url(CssScale, "change", scale.pk),
        admin_url(Formula, "changelist"),
        admin_url(Formula, "add"),
        admin_url(Formula, "change", formula.pk),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'type="submit"' in response.content.decode(), url  # a form to save, not a read-only page


def test_a_mutuelle_agent_prepares_a_price_change(agent_client, formula):
    data = {
        "offer": formula.offer_id,
        "name": formula.name,
        "order": formula.order,
        "description": "",
        "prices-TOTAL_FORMS": "2",
        "prices-INITIAL_FORMS": "1",
        "prices-0-id": formula.prices.get().pk,
        "prices-0-formula": formula.pk,
        "prices-0-valid_from": "2026-01-01",
        "prices-0-age_min": "0",
        "prices-0-age_max": "",
        "prices-0-monthly_price": "20",
        "prices-1-formula": formula.pk,
        "prices-1-valid_from": "2027-01-01",
        "prices-1-age_min": "0",
        "prices-1-age_max": "",
        "prices-1-monthly_price": "22,50",
        "_save": "Enregistrer",
    }
    response = agent_client.post(admin_url(Formula, "change", formula.pk), data)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert list(formula.prices.values_list("valid_from", "monthly_price")) == [
        (datetime.date(2026, 1, 1), Decimal("20")),
        (datetime.date(2027, 1, 1), Decimal("22.50")),
    ]
    assert FormulaPrice.history.filter(monthly_price=Decimal("22.50")).get().history_user is not None


def test_a_mutuelle_agent_adds_a_scale(agent_client):
    response = agent_client.post(admin_url(CssScale, "add"), copy_post())

    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert CssScale.objects.get().ceilings.count() == 4
