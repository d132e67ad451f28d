"""Back-office of the offer, its formulas and prices, the CSS scales; and their initial content."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from core.grammar import Noun
from mutuelle import content
from mutuelle.models import CssCeiling, CssContribution, CssScale, Formula, FormulaPrice, Offer
from tests.helpers import admin_url, assert_refused_page, h1s_of
from tests.partners.factories import PartnerFactory
from tests.staff.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

STAFF_CLIENTS = ["admin_client", "editor_client"]


@pytest.fixture
def offer():
    offer = Offer.objects.create(
        insurer=PartnerFactory(name="Just", kind="assureur"),
        summary="En bref.",
        who_can_join="Pour qui.",
        coverage="Ce qui est couvert.",
        how_to_join="Comment.",
    )
    formula = Formula.objects.create(offer=offer, name="Essentiel", order=1)
    FormulaPrice.objects.create(formula=formula, age_min=0, age_max=59, monthly_price=Decimal("20"))
    FormulaPrice.objects.create(formula=formula, age_min=60, monthly_price=Decimal("45.50"))
    return offer


@pytest.fixture
def scale():
    content.create_scale()
    return CssScale.objects.get()


def empty_inline(prefix):
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}


# Who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize("client_name", STAFF_CLIENTS)
def test_changelists_and_change_pages_open_for_superuser_and_editor(request, client_name, offer, scale):
    client = request.getfixturevalue(client_name)
    formula = offer.formulas.get()
    for model, obj in [(Offer, offer), (Formula, formula), (CssScale, scale)]:
        noun = Noun.of(model)
        for url, h1 in [
            (admin_url(model, "changelist"), f"Choisir {noun.un} à modifier"),
            (admin_url(model, "add"), noun.add_title),
            (admin_url(model, "change", obj.pk), noun.change_title),
            (admin_url(model, "history", obj.pk), f"Historique des changements : {obj}"),
        ]:
            response = client.get(url)
            assert response.status_code == 200, url
            assert h1s_of(response.text) == [h1], url


def test_anonymous_visitors_are_sent_to_the_login(client, offer):
    response = client.get(admin_url(Offer, "changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_staff_outside_the_groups_gets_403(client, offer, scale):
    client.force_login(StaffUserFactory())
    assert_refused_page(client.get(admin_url(Offer, "changelist")))
    assert_refused_page(client.get(admin_url(CssScale, "change", scale.pk)))


# What the pages show ------------------------------------------------------------------------


def test_offer_changelist_columns(admin_client, offer):
    body = admin_client.get(admin_url(Offer, "changelist")).content.decode()

    assert "Mutuelle communale de Créteil" in body and "Just" in body
    assert "column-formula_count" in body and "column-prices_checked_on" in body


def test_offer_change_page_warns_that_prices_must_be_checked(editor_client, offer):
    body = editor_client.get(admin_url(Offer, "change", offer.pk)).content.decode()

    assert "doivent être vérifiés auprès de l’assureur" in body
    assert "Essentiel" in body  # the formulas inline
    assert admin_url(Formula, "change", offer.formulas.get().pk) in body  # and a link to each one's prices


def test_formula_changelist_shows_the_price_range(admin_client, offer, django_assert_max_num_queries):
    for number in range(10):
        formula = Formula.objects.create(offer=offer, name=f"Niveau {number}", order=number + 2)
        FormulaPrice.objects.create(formula=formula, age_min=0, monthly_price=Decimal(number + 12))
    with django_assert_max_num_queries(12):
        body = admin_client.get(admin_url(Formula, "changelist")).content.decode()

    assert "de 20 à 45,50 €" in body


def test_scale_page_says_a_new_scale_is_added_every_april(editor_client, scale):
    body = editor_client.get(admin_url(CssScale, "change", scale.pk)).content.decode()

    assert "changent chaque 1er avril" in body and "ajoutez un nouveau barème" in body
    assert 'value="10339"' in body and 'value="30,00"' in body  # the ceilings and contributions inlines


def test_scale_changelist_marks_the_scale_in_force(admin_client, scale):
    CssScale.objects.create(
        valid_from=datetime.date(2099, 4, 1), source="Barème futur", free_extra_person=1, contribution_extra_person=1
    )
    body = admin_client.get(admin_url(CssScale, "changelist")).content.decode()

    assert body.count('alt="True"') == 1 and body.count('alt="False"') == 1


def test_scale_changelist_warns_when_the_yearly_update_is_missing(admin_client, scale, today):
    today(datetime.date(2026, 3, 15))
    assert "n’est pas encore saisi" not in admin_client.get(admin_url(CssScale, "changelist")).content.decode()

    today(datetime.date(2026, 11, 30))
    body = admin_client.get(admin_url(CssScale, "changelist")).content.decode()
    assert "Le barème du 1er avril 2026 n’est pas encore saisi : le site utilise celui du 1er avril 2025" in body


def test_scale_dates_say_1er_in_the_admin(admin_client, scale):
    """Issue 12: the scale of 1 April 2025 is « 1er avril 2025 » in its list and its name."""
    CssScale.objects.create(
        valid_from=datetime.date(2099, 4, 2), source="Barème futur", free_extra_person=1, contribution_extra_person=1
    )
    body = admin_client.get(admin_url(CssScale, "changelist")).content.decode()

    assert "1er avril 2025" in body and "2 avril 2099" in body
    assert "1 avril 2025" not in body
    assert str(scale) == "Barème de la CSS du 1er avril 2025"


# Editing ------------------------------------------------------------------------------------


def formula_post(formula, prices, **overrides):
    """The formula's add/change form with ``prices``: (age_min, age_max, price[, valid_from]) each."""
    data = {
        "offer": formula.offer_id,
        "name": formula.name,
        "order": formula.order,
        "description": "",
        "prices-TOTAL_FORMS": str(len(prices)),
        "prices-INITIAL_FORMS": "0",
        "_save": "Enregistrer",
        **overrides,
    }
    for index, (age_min, age_max, price, *valid_from) in enumerate(prices):
        data |= {
            f"prices-{index}-valid_from": (valid_from or [datetime.date(2026, 1, 1)])[0].isoformat(),
            f"prices-{index}-age_min": age_min,
            f"prices-{index}-age_max": "" if age_max is None else age_max,
            f"prices-{index}-monthly_price": price,
        }
    return data


def test_editor_adds_a_formula_with_its_prices_and_history_keeps_the_author(editor_client, editor, offer):
    formula = Formula(offer=offer, name="Renfort", order=3)
    response = editor_client.post(
        admin_url(Formula, "add"), formula_post(formula, [(0, 29, "31"), (30, 59, "63"), (60, None, "98,50")])
    )

    assert response.status_code == 302, response.context["errors"] if response.context else response
    created = Formula.objects.get(name="Renfort")
    assert list(created.prices.values_list("age_min", "monthly_price")) == [
        (0, Decimal(31)),
        (30, Decimal(63)),
        (60, Decimal("98.50")),
    ]
    assert created.history.get().history_user == editor
    assert FormulaPrice.history.filter(formula_id=created.pk, history_user=editor).count() == 3


def test_overlapping_age_bands_are_refused_in_french(editor_client, offer):
    formula = Formula(offer=offer, name="Renfort", order=3)
    response = editor_client.post(admin_url(Formula, "add"), formula_post(formula, [(0, 30, "31"), (30, None, "63")]))

    assert response.status_code == 200
    assert "Deux tranches d’âge se chevauchent" in response.content.decode()
    assert not Formula.objects.filter(name="Renfort").exists()


def test_a_negative_price_is_refused(editor_client, offer):
    formula = Formula(offer=offer, name="Renfort", order=3)
    response = editor_client.post(admin_url(Formula, "add"), formula_post(formula, [(0, None, "-4")]))

    assert response.status_code == 200
    assert "Le tarif doit être positif." in response.content.decode()


def test_editor_adds_the_next_scale(editor_client, scale):
    data = {
        "valid_from": "01/04/2026",
        "source": "Plafonds au 1er avril 2026",
        "source_url": "",
        "free_extra_person": "4200",
        "contribution_extra_person": "5700",
        "ceilings-TOTAL_FORMS": "1",
        "ceilings-INITIAL_FORMS": "0",
        "ceilings-0-household_size": "1",
        "ceilings-0-free_ceiling": "10500",
        "ceilings-0-contribution_ceiling": "14100",
        "contributions-TOTAL_FORMS": "1",
        "contributions-INITIAL_FORMS": "0",
        "contributions-0-age_min": "0",
        "contributions-0-age_max": "",
        "contributions-0-monthly_amount": "9",
        "_save": "Enregistrer",
    }
    response = editor_client.post(admin_url(CssScale, "add"), data)

    assert response.status_code == 302
    new = CssScale.objects.get(valid_from=datetime.date(2026, 4, 1))
    assert new.ceilings.get().free_ceiling == 10500
    assert new.contributions.get().monthly_amount == 9


def test_a_ceiling_with_contribution_below_the_free_one_is_refused(editor_client, scale):
    data = {
        "valid_from": "01/04/2026",
        "source": "Essai",
        "source_url": "",
        "free_extra_person": "1",
        "contribution_extra_person": "1",
        "ceilings-TOTAL_FORMS": "1",
        "ceilings-INITIAL_FORMS": "0",
        "ceilings-0-household_size": "1",
        "ceilings-0-free_ceiling": "20000",
        "ceilings-0-contribution_ceiling": "10000",
        **empty_inline("contributions"),
        "_save": "Enregistrer",
    }
    response = editor_client.post(admin_url(CssScale, "add"), data)

    assert response.status_code == 200
    assert "Le plafond avec participation doit être supérieur" in response.content.decode()


# Initial content ----------------------------------------------------------------------------


def load():
    out = StringIO()
    call_command("load_cls_content", stdout=out)
    return out.getvalue()


def mutuelle_snapshot():
    """Row counts of every model of the mutuelle (history tables included) and the offer's update time."""
    counts = {
        model._meta.label: model._default_manager.count() for model in apps.get_app_config("mutuelle").get_models()
    }
    return counts, list(Offer.objects.values_list("updated_at", flat=True))


def test_loader_leaves_another_scale_alone_and_adds_its_own():
    other = CssScale.objects.create(
        valid_from=datetime.date(2024, 4, 1), source="Ancien", free_extra_person=1, contribution_extra_person=1
    )

    load()

    assert set(CssScale.objects.values_list("valid_from", flat=True)) == {other.valid_from, datetime.date(2025, 4, 1)}


@pytest.mark.parametrize(
    ("age_min", "age_max", "label", "covered", "not_covered"),
    [
        (0, 19, "Jusqu’à 19 ans", [0, 19], [20]),
        (20, 59, "De 20 à 59 ans", [20, 59], [19, 60]),
        (60, None, "60 ans et plus", [60, 120], [59]),
    ],
)
def test_an_age_band_says_its_ages_as_residents_read_them(age_min, age_max, label, covered, not_covered):
    band = CssContribution(age_min=age_min, age_max=age_max, monthly_amount=Decimal("10"))

    assert band.band_label == label
    assert str(band) == f"{label} : 10 €/mois"
    assert all(band.covers(age) for age in covered)
    assert not any(band.covers(age) for age in not_covered)


@pytest.mark.usefixtures("initial_content")
class TestOnTheInitialContent:
    """On the initial content, loaded once for these tests by the command itself (``initial_content``)."""

    initial_content_by_the_command = True  # these tests are about the command: its first run too

    def test_loader_seeds_the_2025_scale(self, initial_content):
        output = initial_content

        scale = CssScale.objects.get()
        assert scale.valid_from == datetime.date(2025, 4, 1)
        assert scale.source_url == "https://www.service-public.fr/particuliers/vosdroits/F10027"
        assert "1er avril 2025" in scale.source
        assert (scale.free_extra_person, scale.contribution_extra_person) == (4135, 5583)
        assert list(scale.ceilings.values_list("household_size", "free_ceiling", "contribution_ceiling")) == [
            (1, 10339, 13957),
            (2, 15508, 20936),
            (3, 18609, 25123),
            (4, 21711, 29311),
        ]
        assert list(scale.contributions.values_list("age_min", "age_max", "monthly_amount")) == [
            (0, 29, 8),
            (30, 49, 14),
            (50, 59, 21),
            (60, 69, 25),
            (70, None, 30),
        ]
        assert "Barèmes de la CSS : 1 créé" in output

    def test_loader_seeds_the_offer_with_just_and_indicative_prices(self, initial_content):
        output = initial_content

        offer = Offer.objects.get()
        assert offer.insurer.slug == "just"
        assert offer.published
        assert offer.prices_checked_on is None  # so the page says the prices are indicative
        assert list(offer.formulas.values_list("name", flat=True)) == ["Essentiel", "Confort", "Renfort"]
        prices = FormulaPrice.objects.filter(formula__offer=offer)
        assert prices.count() == 12
        assert all(Decimal(12) <= price.monthly_price <= Decimal(120) for price in prices)
        assert "Offres de mutuelle communale : 1 créée" in output

    def test_loaded_content_makes_the_pages_work(self, client):
        home = client.get(reverse("mutuelle:home")).content.decode()
        assert "Tarifs indicatifs, à confirmer avec un conseiller" in home and "Renfort" in home
        assert "Permanence" in home  # the agenda's content brings the mutuelle's permanences
        household = {f"age_{n}": age for n, age in enumerate(["40", "38", "12", "9", "3"], start=1)}
        answer = client.post(reverse("mutuelle:eligibility"), {**household, "yearly_total": "25846"})
        assert "La CSS gratuite est probablement pour vous" in answer.content.decode()
        answer = client.post(reverse("mutuelle:eligibility"), {**household, "salaries": "3000"})
        assert "Formule Renfort" in answer.content.decode()  # above the ceilings: the seeded prices

    def test_loader_is_idempotent_and_leaves_edits_alone(self):
        formula = Formula.objects.get(name="Confort")
        formula.name = "Confort plus"
        formula.save()
        CssCeiling.objects.filter(household_size=1).update(free_ceiling=10400)
        before = mutuelle_snapshot()

        output = load()

        assert mutuelle_snapshot() == before
        assert "Barèmes de la CSS : 0 créé, 1 déjà présent" in output
        assert "Offres de mutuelle communale : 0 créée, 1 déjà présente" in output
        assert (
            Formula.objects.filter(name="Confort plus").exists() and not Formula.objects.filter(name="Confort").exists()
        )
        assert CssCeiling.objects.get(household_size=1).free_ceiling == 10400

    def test_loader_does_not_recreate_what_an_editor_deleted(self):
        Offer.objects.all().delete()
        CssScale.objects.all().delete()

        load()

        assert not Offer.objects.exists()
        assert not CssScale.objects.exists()
        assert not CssContribution.objects.exists()
