"""The CSS / mutuelle orientation: the rule at every boundary, the form, the page."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from mutuelle.content import create_scale
from mutuelle.eligibility import Orientation, ScaleUnusable, ceilings_for, estimate, scale_in_force
from mutuelle.eligibility_forms import EligibilityForm, parse_euros
from mutuelle.models import CssCeiling, CssContribution, CssScale

pytestmark = pytest.mark.django_db

URL = reverse("mutuelle:eligibility")

# The official ceilings from 1 April 2025 (metropolitan France), free / with contribution.
CEILINGS_2025 = {1: (10339, 13957), 2: (15508, 20936), 3: (18609, 25123), 4: (21711, 29311)}
EXTRA_2025 = (4135, 5583)


@pytest.fixture
def scale():
    create_scale()  # the seeded scale: these tests check the official figures too
    return scale_in_force(on=datetime.date(2025, 6, 1))


def orient(scale, size, resources, **kwargs):
    return estimate(scale=scale, household_size=size, yearly_resources=Decimal(resources), **kwargs)


# The rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_each_household_size_at_its_ceilings(scale, size):
    free, contribution = CEILINGS_2025[size]

    assert orient(scale, size, free).orientation == Orientation.CSS_FREE
    assert orient(scale, size, free + 1).orientation == Orientation.CSS_CONTRIBUTION
    assert orient(scale, size, contribution).orientation == Orientation.CSS_CONTRIBUTION
    assert orient(scale, size, contribution + 1).orientation == Orientation.MUTUELLE


def test_a_cent_above_the_ceiling_is_above_it(scale):
    assert orient(scale, 1, "10339.00").orientation == Orientation.CSS_FREE
    assert orient(scale, 1, "10339.01").orientation == Orientation.CSS_CONTRIBUTION


def test_no_resources_at_all_is_the_free_css(scale):
    assert orient(scale, 1, 0).orientation == Orientation.CSS_FREE


@pytest.mark.parametrize("size", [5, 6, 9])
def test_larger_households_get_the_last_row_plus_each_extra_person(scale, size):
    extra = size - 4
    free = CEILINGS_2025[4][0] + extra * EXTRA_2025[0]
    contribution = CEILINGS_2025[4][1] + extra * EXTRA_2025[1]

    ceilings = ceilings_for(scale, size)
    assert (ceilings.free, ceilings.contribution, ceilings.extra_people) == (free, contribution, extra)
    assert orient(scale, size, free).orientation == Orientation.CSS_FREE
    assert orient(scale, size, free + 1).orientation == Orientation.CSS_CONTRIBUTION
    assert orient(scale, size, contribution).orientation == Orientation.CSS_CONTRIBUTION
    assert orient(scale, size, contribution + 1).orientation == Orientation.MUTUELLE


def test_five_and_six_people_with_the_2025_figures(scale):
    assert (ceilings_for(scale, 5).free, ceilings_for(scale, 5).contribution) == (25846, 34894)
    assert (ceilings_for(scale, 6).free, ceilings_for(scale, 6).contribution) == (29981, 40477)


def test_rsa_gives_the_free_css_whatever_the_resources(scale):
    assert orient(scale, 1, 50000, receives_rsa=True).orientation == Orientation.CSS_FREE
    result = estimate(scale=scale, household_size=2, yearly_resources=None, receives_rsa=True)
    assert result.orientation == Orientation.CSS_FREE
    assert result.receives_rsa


def test_resources_are_needed_without_the_rsa(scale):
    with pytest.raises(ValueError):
        estimate(scale=scale, household_size=1, yearly_resources=None)


@pytest.mark.parametrize(
    ("age", "amount"),
    [(0, 8), (29, 8), (30, 14), (49, 14), (50, 21), (59, 21), (60, 25), (69, 25), (70, 30), (120, 30)],
)
def test_contribution_by_age_band(scale, age, amount):
    result = orient(scale, 1, 12000, age=age)

    assert result.orientation == Orientation.CSS_CONTRIBUTION
    assert result.monthly_contribution == Decimal(amount)


def test_without_age_the_contribution_is_a_range(scale):
    result = orient(scale, 1, 12000)

    assert result.monthly_contribution is None
    assert (result.contribution_min, result.contribution_max) == (Decimal(8), Decimal(30))


def test_no_contribution_is_quoted_outside_the_contribution_bracket(scale):
    assert orient(scale, 1, 5000, age=40).monthly_contribution is None
    assert orient(scale, 1, 50000, age=40).monthly_contribution is None


def test_near_a_ceiling(scale):
    assert orient(scale, 1, 10000).near_ceiling
    assert orient(scale, 1, 14500).near_ceiling
    assert not orient(scale, 1, 4000).near_ceiling
    assert not orient(scale, 1, 40000).near_ceiling


def test_a_scale_without_a_row_small_enough_cannot_be_used():
    scale = CssScale.objects.create(
        valid_from=datetime.date(2024, 4, 1), source="Test", free_extra_person=1, contribution_extra_person=1
    )
    CssCeiling.objects.create(scale=scale, household_size=2, free_ceiling=100, contribution_ceiling=200)

    with pytest.raises(ScaleUnusable):
        ceilings_for(scale, 1)
    assert ceilings_for(scale, 3).free == 101


def test_the_scale_in_force_is_the_latest_already_started(scale):
    future = CssScale.objects.create(
        valid_from=datetime.date(2026, 4, 1),
        source="Barème à venir",
        free_extra_person=1,
        contribution_extra_person=1,
    )
    CssCeiling.objects.create(scale=future, household_size=1, free_ceiling=99999, contribution_ceiling=99999)

    assert scale_in_force(on=datetime.date(2026, 3, 31)).pk == scale.pk
    assert scale_in_force(on=datetime.date(2026, 4, 1)).pk == future.pk
    assert scale_in_force(on=datetime.date(2025, 3, 31)) is None


def test_the_page_does_not_use_a_scale_that_starts_tomorrow(client, scale):
    future = CssScale.objects.create(
        valid_from=timezone.localdate() + datetime.timedelta(days=1),
        source="Barème de demain",
        free_extra_person=1,
        contribution_extra_person=1,
    )
    CssCeiling.objects.create(scale=future, household_size=1, free_ceiling=99999, contribution_ceiling=99999)

    body = client.get(URL, {"household_size": 1, "yearly_resources": "20000"}).content.decode()

    assert "La mutuelle communale est faite pour vous" in body
    assert "Barème de demain" not in body


# Reading amounts as people type them ---------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("12500", "12500"),
        ("12 500", "12500"),
        ("12\u00a0500", "12500"),
        ("12\u202f500", "12500"),
        ("12500,50", "12500.50"),
        ("12500.50", "12500.50"),
        ("12.500", "12500"),
        ("12.500,50", "12500.50"),
        ("1.234.567", "1234567"),
        ("12 500 €", "12500"),
        ("12500 euros", "12500"),
        ("  0 ", "0"),
    ],
)
def test_amounts_as_people_type_them(typed, amount):
    assert parse_euros(typed) == Decimal(amount)


@pytest.mark.parametrize(
    "typed",
    ["douze mille", "12a", "1,2,3", "12,505", "--5", "١٢٥٠٠", "１２５００", "1e5", "NaN", "Infinity", "0x10", "½"],
)
def test_junk_amounts_are_refused(typed):
    with pytest.raises(ValueError):
        parse_euros(typed)


# The form -----------------------------------------------------------------------------------


def errors_of(data):
    form = EligibilityForm(data)
    assert not form.is_valid()
    return form.errors


def test_form_cleans_a_valid_answer():
    form = EligibilityForm({"household_size": "3", "yearly_resources": "18 609", "age": "45"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "household_size": 3,
        "yearly_resources": Decimal(18609),
        "age": 45,
        "receives_rsa": False,
    }


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"household_size": "", "yearly_resources": "1"}, "household_size", "Indiquez le nombre de personnes"),
        ({"household_size": "0", "yearly_resources": "1"}, "household_size", "au moins une personne"),
        ({"household_size": "21", "yearly_resources": "1"}, "household_size", "Au-delà de 20 personnes"),
        ({"household_size": "deux", "yearly_resources": "1"}, "household_size", "Écrivez un nombre entier"),
        ({"household_size": "٣", "yearly_resources": "1"}, "household_size", "Écrivez un nombre entier"),
        ({"household_size": "9" * 5000, "yearly_resources": "1"}, "household_size", "Écrivez un nombre entier"),
        ({"household_size": "1", "yearly_resources": ""}, "yearly_resources", "Indiquez les ressources"),
        ({"household_size": "1", "yearly_resources": "-200"}, "yearly_resources", "ne peut pas être négatif"),
        ({"household_size": "1", "yearly_resources": "beaucoup"}, "yearly_resources", "en chiffres"),
        ({"household_size": "1", "yearly_resources": "99999999"}, "yearly_resources", "trop élevé"),
        ({"household_size": "1", "yearly_resources": "9" * 200}, "yearly_resources", "30 caractères au plus"),
        ({"household_size": "1", "yearly_resources": "1", "age": "121"}, "age", "entre 0 et 120 ans"),
        ({"household_size": "1", "yearly_resources": "1", "age": "-1"}, "age", "ne peut pas être négatif"),
        ({"household_size": "1", "yearly_resources": "1", "age": "trente"}, "age", "Écrivez votre âge"),
    ],
)
def test_form_errors_are_french_and_on_the_field(data, field, message):
    errors = errors_of(data)
    assert list(errors) == [field]
    assert message in errors[field][0]


def test_rsa_makes_the_resources_optional():
    form = EligibilityForm({"household_size": "2", "receives_rsa": "on"})
    assert form.is_valid(), form.errors


# The page -----------------------------------------------------------------------------------


def test_page_without_answers_shows_the_form_the_scale_and_its_limits(client, scale):
    response = client.get(URL)
    body = response.content.decode()

    assert response.status_code == 200
    assert "<h1>CSS ou mutuelle communale" in body
    assert 'method="get"' in body
    assert 'name="yearly_resources"' in body and 'name="receives_rsa"' in body
    assert "Voir le résultat" in body
    assert "probablement pour vous" not in body
    assert "Vérifiez vos réponses" not in body
    # Its limits, the scale's date and source
    assert "pas une décision" in body and "forfaitaire" in body and "13e au 2e mois" in body
    assert "1 avril 2025" in body or "1er avril 2025" in body
    assert "https://www.service-public.fr/particuliers/vosdroits/F10027" in body
    assert "10\u00a0339 €" in body and "+ 4\u00a0135 €" in body
    assert '<th scope="col">CSS sans participation</th>' in body and "<caption" in body


@pytest.mark.parametrize(
    ("answers", "heading"),
    [
        ({"household_size": "1", "yearly_resources": "10 339"}, "La CSS sans participation est probablement pour vous"),
        (
            {"household_size": "1", "yearly_resources": "10 340", "age": "35"},
            "La CSS avec une participation d’environ 14 € par mois et par personne est probablement pour vous",
        ),
        (
            {"household_size": "1", "yearly_resources": "10340"},
            "La CSS avec une participation d’environ 8 à 30 € par mois et par personne est probablement pour vous",
        ),
        ({"household_size": "1", "yearly_resources": "13958"}, "La mutuelle communale est faite pour vous"),
        (
            {"household_size": "1", "yearly_resources": "40000", "receives_rsa": "on"},
            "La CSS sans participation est probablement pour vous",
        ),
    ],
)
def test_page_gives_the_orientation_and_what_to_do_next(client, scale, answers, heading):
    body = client.get(URL, answers).content.decode()

    assert heading in body
    if "mutuelle communale est faite" in heading:
        assert f'href="{reverse("mutuelle:request")}"' in body
    else:
        assert "https://assure.ameli.fr" in body and "simulateur-droits" in body and "CCAS" in body


def test_page_keeps_the_typed_values_on_error(client, scale):
    body = client.get(URL, {"household_size": "3", "yearly_resources": "douze mille", "age": "41"}).content.decode()

    assert "Vérifiez vos réponses" in body
    assert 'value="douze mille"' in body
    assert 'value="3"' in body and 'value="41"' in body
    assert "Écrivez le montant en chiffres" in body
    assert "probablement pour vous" not in body


def test_the_error_is_tied_to_its_field(client, scale):
    body = client.get(URL, {"household_size": "1", "yearly_resources": "-5"}).content.decode()

    assert 'aria-invalid="true"' in body
    assert 'href="#id_yearly_resources"' in body
    assert "ne peut pas être négatif" in body


@pytest.mark.parametrize(
    "answers",
    [
        {"household_size": "x" * 10000, "yearly_resources": "y" * 10000, "age": "z"},
        {"household_size": "1" * 5000, "yearly_resources": "1" * 5000, "age": "9" * 5000},
        {"household_size": "-3", "yearly_resources": "-1e309", "age": "-0"},
        {"household_size": "٣", "yearly_resources": "١٢٥٠٠", "age": "٤٢"},
        {"household_size": "1\x00", "yearly_resources": "12\x00500", "age": "\x00"},
        {"household_size": "1.5", "yearly_resources": "NaN", "age": "Infinity"},
        {"household_size": ["1", "2"], "yearly_resources": ["1", "2"], "receives_rsa": ["on", "x"]},
        {"household_size": "20", "yearly_resources": "0", "age": "120", "receives_rsa": "🙂"},
    ],
)
def test_junk_never_breaks_the_page(client, scale, answers):
    response = client.get(URL, answers)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>CSS ou mutuelle communale" in body
    assert 'name="yearly_resources"' in body


def test_nothing_is_stored_and_no_cookie_is_set(client, scale):
    def row_counts():
        return {model._meta.label: model._default_manager.count() for model in apps.get_models()}

    before = row_counts()
    response = client.get(URL, {"household_size": "2", "yearly_resources": "18000", "age": "40"})
    invalid = client.get(URL, {"household_size": "2", "yearly_resources": "???"})

    assert response.status_code == invalid.status_code == 200
    assert row_counts() == before
    assert not response.cookies and not invalid.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_no_scale_in_force_gives_a_french_message_not_an_error(client):
    response = client.get(URL, {"household_size": "1", "yearly_resources": "12000"})
    body = response.content.decode()

    assert response.status_code == 200
    assert "L’estimation n’est pas disponible pour le moment" in body
    assert "Notre estimation" not in body and 'id="titre-resultat"' not in body


def test_an_incomplete_scale_gives_a_french_message(client):
    scale = CssScale.objects.create(
        valid_from=datetime.date(2024, 4, 1), source="Incomplet", free_extra_person=1, contribution_extra_person=1
    )
    CssCeiling.objects.create(scale=scale, household_size=3, free_ceiling=100, contribution_ceiling=200)

    response = client.get(URL, {"household_size": "1", "yearly_resources": "12000"})

    assert response.status_code == 200
    assert "Nous ne pouvons pas faire l’estimation pour ce foyer" in response.content.decode()


def test_query_budget_is_constant_whatever_the_scale(client, scale, django_assert_max_num_queries):
    answers = {"household_size": "7", "yearly_resources": "30000", "age": "64"}
    with django_assert_max_num_queries(3):
        client.get(URL, answers)
    for size in range(5, 21):
        CssCeiling.objects.create(
            scale=scale, household_size=size, free_ceiling=10000 * size, contribution_ceiling=12000 * size
        )
    for age in range(121, 140):
        CssContribution.objects.create(scale=scale, age_min=age, age_max=age, monthly_amount=1)
    with django_assert_max_num_queries(3):
        client.get(URL, answers)
