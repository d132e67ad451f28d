import pytest
from django.db import IntegrityError, transaction

from actions.enums import ActionKind
from actions.models import Action, Axis
from tests.actions.factories import ActionFactory, axis

pytestmark = pytest.mark.django_db


def test_the_five_axes_come_from_the_migration():
    assert list(Axis.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert Axis.objects.get(number=3).name == "Santé mentale"


def test_axis_number_must_be_between_1_and_5():
    with pytest.raises(IntegrityError), transaction.atomic():
        Axis.objects.create(number=6, name="Sixième", slug="sixieme")


def test_campaign_needs_its_month():
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(kind=ActionKind.CAMPAIGN, campaign_month=None)


def test_only_campaigns_have_a_month():
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(kind=ActionKind.WORKSHOPS, campaign_month=10)


def test_campaign_month_is_a_month():
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(kind=ActionKind.CAMPAIGN, campaign_month=13)


def test_end_date_not_before_start_date():
    import datetime

    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(start_date=datetime.date(2026, 5, 2), end_date=datetime.date(2026, 5, 1))


def test_constraint_messages_are_french():
    action = ActionFactory.build(axis=axis(1), kind=ActionKind.CAMPAIGN, campaign_month=None)
    with pytest.raises(Exception) as excinfo:
        action.full_clean()
    assert "Indiquez le mois d’une campagne annuelle" in str(excinfo.value)


def test_published_hides_unpublished_but_default_manager_does_not():
    shown = ActionFactory()
    hidden = ActionFactory(published=False)
    assert list(Action.objects.published()) == [shown]
    assert set(Action.objects.all()) == {shown, hidden}


def test_featured():
    featured = ActionFactory(featured=True)
    ActionFactory()
    assert list(Action.objects.featured()) == [featured]


def test_str_and_absolute_url():
    action = ActionFactory(title="Mars bleu", slug="mars-bleu")
    assert str(action) == "Mars bleu"
    assert action.get_absolute_url() == "/actions/mars-bleu/"
    assert axis(2).get_absolute_url() == "/axes/reduction-des-vulnerabilites/"
    assert str(axis(2)) == "Axe 2 : Réduction des vulnérabilités"


def test_history_records_changes():
    action = ActionFactory()
    action.title = "Nouveau titre"
    action.save()
    assert action.history.count() == 2
    assert action.history.first().title == "Nouveau titre"
