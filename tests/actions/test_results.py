"""The actions' results: indicators, milestones, yearly evaluations and progress; their admin and pages."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actions.enums import IndicatorDirection, ProgressStatus
from actions.models import Action, Evaluation, Indicator, Milestone
from tests.actions.factories import ActionFactory, axis
from tests.helpers import admin_url, assert_refused_page, form_data, squash
from tests.staff.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def indicator(action=None, **values):
    fields = {
        "name": "Personnes dépistées",
        "unit": "personnes",
        "direction": IndicatorDirection.UP,
        "baseline_value": Decimal(100),
        "baseline_date": D(2022, 1, 1),
        "target_value": Decimal(300),
        "target_date": D(2027, 12, 31),
        "latest_value": Decimal(150),
        "latest_date": D(2025, 12, 31),
        "source": "Bilan annuel du CCAS",
        **values,
    }
    return Indicator.objects.create(action=action or ActionFactory(), **fields)


# Rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "latest", "percent", "reached", "wrong_way"),
    [
        (IndicatorDirection.UP, 100, 300, 150, 25, False, False),
        (IndicatorDirection.UP, 100, 300, 300, 100, True, False),
        (IndicatorDirection.UP, 100, 300, 400, 150, True, False),
        (IndicatorDirection.UP, 100, 300, 50, -25, False, True),
        (IndicatorDirection.DOWN, 60, 30, 45, 50, False, False),
        (IndicatorDirection.DOWN, 60, 30, 20, 133, True, False),
        (IndicatorDirection.DOWN, 60, 30, 70, -33, False, True),
    ],
)
def test_progress_follows_the_direction(direction, baseline, target, latest, percent, reached, wrong_way):
    row = indicator(direction=direction, baseline_value=baseline, target_value=target, latest_value=latest)
    row.refresh_from_db()
    assert row.progress_percent == percent
    assert row.target_reached is reached
    assert row.went_wrong_way is wrong_way
    assert Indicator.objects.target_reached().filter(pk=row.pk).exists() is reached


def test_progress_is_unknown_without_the_three_values():
    row = indicator(latest_value=None, latest_date=None, source="")
    assert row.progress_ratio is None and row.progress_percent is None
    assert not row.target_reached


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"baseline_date": None}, "Indiquez la valeur de départ et sa date ensemble, ou aucune des deux."),
        ({"target_date": None}, "Indiquez la cible et sa date ensemble, ou aucune des deux."),
        ({"latest_date": None}, "Indiquez la dernière valeur et sa date ensemble, ou aucune des deux."),
        ({"target_date": D(2021, 1, 1)}, "La date de la cible doit être après celle de la valeur de départ."),
        ({"latest_date": D(2021, 1, 1)}, "La dernière valeur ne peut pas dater d’avant la valeur de départ."),
        ({"target_value": Decimal(5)}, "La cible doit être au-dessus de la valeur de départ"),
        ({"direction": IndicatorDirection.DOWN}, "en dessous pour un indicateur « à la baisse »"),
        ({"source": ""}, "Indiquez la source de la dernière valeur."),
    ],
)
def test_indicator_constraints_speak_french(values, message):
    row = Indicator(action=ActionFactory(), **{**_valid_values(), **values})
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert message in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(action=row.action, **{**_valid_values(), **values})


def _valid_values():
    return {
        "name": "Délai d’attente",
        "unit": "jours",
        "direction": IndicatorDirection.UP,
        "baseline_value": Decimal(10),
        "baseline_date": D(2022, 1, 1),
        "target_value": Decimal(20),
        "target_date": D(2027, 1, 1),
        "latest_value": Decimal(12),
        "latest_date": D(2024, 1, 1),
        "source": "CPTS",
    }


def test_the_database_refuses_an_indicator_without_name():
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(action=ActionFactory(), name="")


def test_an_indicator_may_have_no_figure_yet():
    Indicator(action=ActionFactory(), name="Participants aux ateliers").full_clean()


def test_a_milestone_is_late_when_planned_before_today_and_not_done(today):
    today(D(2026, 6, 1))
    action = ActionFactory()
    late = Milestone.objects.create(action=action, what="Ouverture", planned_date=D(2026, 5, 1))
    done = Milestone.objects.create(
        action=action, what="Formation", planned_date=D(2026, 4, 1), done_date=D(2026, 4, 20)
    )
    coming = Milestone.objects.create(action=action, what="Bilan", planned_date=D(2026, 7, 1))
    assert late.is_late() and not done.is_late() and not coming.is_late()
    assert list(Milestone.objects.late()) == [late]
    assert list(Milestone.objects.done()) == [done]
    assert done.days_late_when_done == 19


def test_a_milestone_cannot_be_done_in_the_future(today):
    today(D(2026, 6, 1))
    milestone = Milestone(action=ActionFactory(), what="Ouverture", planned_date=D(2026, 5, 1), done_date=D(2026, 7, 1))
    with pytest.raises(ValidationError) as error:
        milestone.full_clean()
    assert "done_date" in error.value.message_dict


def test_one_evaluation_per_action_and_year(today):
    today(D(2026, 6, 1))
    action = ActionFactory()
    Evaluation.objects.create(action=action, year=2025, text="Dix ateliers tenus.")
    second = Evaluation(action=action, year=2025, text="Encore.")
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "Cette action a déjà un bilan pour cette année." in str(error.value)
    with pytest.raises(ValidationError) as error:
        Evaluation(action=action, year=2027, text="Pas encore.").full_clean()
    assert "year" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        Evaluation(action=action, year=2010, text="Trop tôt.").full_clean()
    assert "L’année du bilan doit être comprise entre 2015 et 2100." in str(error.value)


def test_progress_must_be_one_of_the_list():
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=ActionFactory().pk).update(progress="n_importe_quoi")


def test_progress_counts_every_stage_in_order():
    ActionFactory(progress=ProgressStatus.LATE)
    ActionFactory(progress=ProgressStatus.LATE)
    ActionFactory(progress=ProgressStatus.DONE)
    ActionFactory()
    counts = Action.objects.progress_counts()
    assert [status for status, _count in counts] == [*ProgressStatus, None]
    assert dict(counts) == {**dict.fromkeys(ProgressStatus, 0), ProgressStatus.LATE: 2, ProgressStatus.DONE: 1, None: 1}


def test_indicator_summary():
    indicator(latest_value=300)
    indicator()
    indicator(latest_value=None, latest_date=None, source="")
    assert Indicator.objects.summary() == {"total": 3, "measured": 2, "reached": 1}


def test_every_value_keeps_its_history():
    row = indicator()
    row.latest_value, row.latest_date = Decimal(180), D(2026, 6, 30)
    row.save()
    assert [version.latest_value for version in row.history.order_by("history_date")] == [150, 180]
    milestone = Milestone.objects.create(action=row.action, what="Ouverture", planned_date=D(2024, 1, 29))
    evaluation = Evaluation.objects.create(action=row.action, year=2024, text="Premier bilan.")
    assert milestone.history.count() == 1 and evaluation.history.count() == 1


# Admin ---------------------------------------------------------------------------------


def _change_data(client, action):
    response = client.get(admin_url(Action, "change", action.pk))
    assert response.status_code == 200
    data = form_data(response.text, "action_form")
    data["_save"] = "Enregistrer"
    return data


def test_editor_adds_and_changes_indicators_milestones_evaluations_inline(editor_client, editor, today):
    today(D(2026, 6, 1))
    action = ActionFactory()
    data = _change_data(editor_client, action)
    assert data["indicators-TOTAL_FORMS"] == ["0"]
    data.update(
        {
            "progress": ProgressStatus.LATE,
            "indicators-TOTAL_FORMS": "1",
            "indicators-0-name": "Personnes dépistées",
            "indicators-0-unit": "personnes",
            "indicators-0-direction": IndicatorDirection.UP,
            "indicators-0-order": "0",
            "indicators-0-baseline_value": "100",
            "indicators-0-baseline_date": "01/01/2022",
            "indicators-0-target_value": "300",
            "indicators-0-target_date": "31/12/2027",
            "indicators-0-latest_value": "150",
            "indicators-0-latest_date": "31/12/2025",
            "indicators-0-source": "Bilan du CCAS",
            "milestones-TOTAL_FORMS": "1",
            "milestones-0-what": "Ouverture de la ligne",
            "milestones-0-planned_date": "29/01/2024",
            "evaluations-TOTAL_FORMS": "1",
            "evaluations-0-year": "2025",
            "evaluations-0-text": "Dix ateliers tenus.",
        }
    )
    response = editor_client.post(admin_url(Action, "change", action.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = action.indicators.get()
    assert row.latest_value == 150 and row.history.get().history_user == editor
    assert action.milestones.get().what == "Ouverture de la ligne"
    assert action.evaluations.get().year == 2025
    action.refresh_from_db()
    assert action.progress == ProgressStatus.LATE

    data = _change_data(editor_client, action)
    data["indicators-0-latest_value"] = "210"
    data["indicators-0-latest_date"] = "31/05/2026"
    response = editor_client.post(admin_url(Action, "change", action.pk), data)
    assert response.status_code == 302
    assert [version.latest_value for version in row.history.order_by("history_date")] == [150, 210]
    page = squash(editor_client.get(admin_url(Action, "change", action.pk)).text)
    assert "210 au 31/05/2026 (Bilan du CCAS) 150 au 31/12/2025 (Bilan du CCAS)" in page


def test_value_histories_in_one_query(django_assert_num_queries):
    first, second = indicator(), indicator()
    first.name = "Renommé"
    first.save()  # no new value: not repeated
    first.latest_value, first.latest_date = Decimal(170), D(2026, 1, 31)
    first.save()
    with django_assert_num_queries(1):
        histories = Indicator.objects.value_histories()
    assert histories[first.pk] == [
        (170, D(2026, 1, 31), "Bilan annuel du CCAS"),
        (150, D(2025, 12, 31), "Bilan annuel du CCAS"),
    ]
    assert histories[second.pk] == [(150, D(2025, 12, 31), "Bilan annuel du CCAS")]


def test_admin_shows_the_constraint_message_on_an_indicator(editor_client):
    action = ActionFactory()
    data = _change_data(editor_client, action)
    data.update(
        {
            "indicators-TOTAL_FORMS": "1",
            "indicators-0-name": "Délai",
            "indicators-0-direction": IndicatorDirection.DOWN,
            "indicators-0-order": "0",
            "indicators-0-baseline_value": "30",
            "indicators-0-baseline_date": "01/01/2022",
            "indicators-0-target_value": "40",
            "indicators-0-target_date": "31/12/2027",
        }
    )
    response = editor_client.post(admin_url(Action, "change", action.pk), data)
    assert response.status_code == 200
    assert "en dessous pour un indicateur « à la baisse »" in response.text
    assert not Indicator.objects.exists()


def test_staff_without_group_cannot_reach_the_results(client):
    action = ActionFactory()
    client.force_login(StaffUserFactory())
    assert_refused_page(client.get(admin_url(Action, "change", action.pk)))


def test_a_user_allowed_on_actions_only_cannot_add_indicators(client):
    user = StaffUserFactory()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_action", "change_action"]))
    client.force_login(user)
    action = ActionFactory()
    data = _change_data(client, action)
    assert "indicators-TOTAL_FORMS" not in data
    data.update(
        {
            "indicators-TOTAL_FORMS": "1",
            "indicators-INITIAL_FORMS": "0",
            "indicators-0-name": "Glissé dans le formulaire",
            "indicators-0-direction": IndicatorDirection.UP,
            "indicators-0-order": "0",
        }
    )
    client.post(admin_url(Action, "change", action.pk), data)
    assert not Indicator.objects.exists()


def test_a_form_without_the_results_blocks_leaves_them_alone(editor_client):
    row = indicator()
    data = {
        key: value
        for key, value in _change_data(editor_client, row.action).items()
        if not key.startswith(("indicators-", "milestones-", "evaluations-"))
    }
    response = editor_client.post(admin_url(Action, "change", row.action.pk), data)
    assert response.status_code == 302
    assert Indicator.objects.get() == row


# Pages ---------------------------------------------------------------------------------


def test_action_page_shows_progress_indicators_with_chart_and_table(client, today):
    today(D(2026, 6, 1))
    action = ActionFactory(progress=ProgressStatus.AHEAD)
    row = indicator(action)
    Milestone.objects.create(action=action, what="Ouverture de la ligne", planned_date=D(2026, 1, 1))
    Evaluation.objects.create(action=action, year=2025, text="Dix ateliers tenus.")
    body = client.get(action.get_absolute_url()).text
    text = squash(body)
    assert "En avance" in text
    assert "Personnes dépistées (personnes)" in text
    assert "25 % du chemin vers la cible" in text
    assert f'aria-labelledby="indicateur-{row.pk}-titre indicateur-{row.pk}-desc"' in body
    assert 'role="img"' in body
    assert "Départ 100, dernière valeur 150, cible 300 personnes." in body
    assert "Dernière valeur 150 31 décembre 2025" in text
    assert "Source : Bilan annuel du CCAS" in text
    assert "Ouverture de la ligne 1er janvier 2026 En retard" in text
    assert "Bilan 2025 Dix ateliers tenus." in text


def test_action_page_says_plainly_when_nothing_is_recorded(client):
    text = squash(client.get(ActionFactory().get_absolute_url()).text)
    assert "Avancement Non renseigné" in text
    assert "Aucun indicateur n’est encore publié pour cette action." in text
    assert "Étapes" not in text


@pytest.mark.parametrize("count", [1, 25])
def test_action_page_queries_do_not_grow_with_results(client, django_assert_max_num_queries, count):
    action = ActionFactory()
    for number in range(count):
        indicator(action, name=f"Indicateur {number}")
        Milestone.objects.create(action=action, what=f"Étape {number}", planned_date=D(2025, 1, 1))
        Evaluation.objects.create(action=action, year=2015 + number % 11, text="Bilan.") if number < 11 else None
    with django_assert_max_num_queries(16):
        response = client.get(action.get_absolute_url())
    assert response.status_code == 200
    assert response.text.count('class="indicator"') == count


def test_axis_page_sums_up_its_actions(client):
    ActionFactory(axis=axis(2), progress=ProgressStatus.LATE)
    ActionFactory(axis=axis(2), progress=ProgressStatus.DONE)
    done = ActionFactory(axis=axis(2), progress=ProgressStatus.DONE)
    ActionFactory(axis=axis(2), progress=ProgressStatus.DONE, published=False)
    indicator(done, latest_value=300)
    indicator(done)
    body = client.get(axis(2).get_absolute_url()).text
    text = squash(body)
    assert "Actions de l’axe selon leur avancement" in body
    assert "<caption>Nombre d’actions par avancement</caption>" in body
    assert "Réalisée 2" in text and "En retard 1" in text
    assert "2 indicateurs suivis, dont 2 avec une valeur mesurée ; cible atteinte pour 1." in text


def test_axis_page_without_results_says_so(client):
    ActionFactory(axis=axis(5))
    text = squash(client.get(axis(5).get_absolute_url()).text)
    assert "L’avancement des actions de cet axe n’est pas encore renseigné." in text
    assert "Aucun indicateur n’est encore publié pour les actions de cet axe." in text


@pytest.mark.parametrize("count", [1, 30])
def test_axis_page_queries_do_not_grow(client, django_assert_max_num_queries, count):
    for _ in range(count):
        indicator(ActionFactory(axis=axis(1), progress=ProgressStatus.ONGOING))
    with django_assert_max_num_queries(14):
        assert client.get(axis(1).get_absolute_url()).status_code == 200
