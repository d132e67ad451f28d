import datetime
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from actions import content
from actions.content import campaign_dates
from actions.enums import ActionKind, ActionStatus
from actions.models import Action, Axis, Objective, Theme
from partners.enums import PartnerKind
from partners.models import Partner

pytestmark = pytest.mark.django_db

CONTENT_APPS = ("actions", "partners")


def load():
    out = StringIO()
    call_command("load_cls_content", stdout=out)
    return out.getvalue()


def snapshot():
    """Row counts of every model of the content apps (historical and m2m history models included),
    of the m2m tables, and every ``updated_at``."""
    counts = {}
    for app_label in CONTENT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            counts[model._meta.label] = model._default_manager.count()
            for field in model._meta.many_to_many:
                counts[field.remote_field.through._meta.label] = field.remote_field.through.objects.count()
    updated = {
        "actions": dict(Action.objects.values_list("slug", "updated_at")),
        "partners": dict(Partner.objects.values_list("slug", "updated_at")),
    }
    return counts, updated


@pytest.mark.parametrize(
    ("month", "today", "expected"),
    [
        (10, datetime.date(2025, 10, 15), (datetime.date(2025, 10, 1), datetime.date(2025, 10, 31), "en_cours")),
        (11, datetime.date(2025, 10, 15), (datetime.date(2025, 11, 1), datetime.date(2025, 11, 30), "a_venir")),
        (3, datetime.date(2025, 10, 15), (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), "a_venir")),
        (2, datetime.date(2027, 12, 1), (datetime.date(2028, 2, 1), datetime.date(2028, 2, 29), "a_venir")),
    ],
)
def test_campaign_dates_give_the_current_or_next_edition(month, today, expected):
    assert campaign_dates(month, today) == expected


def test_no_text_states_a_number_of_signatories():
    """Sources disagree (9, 10 or 12): the site counts the signatories, texts never say how many."""
    texts = [value for row in content.PARTNERS + content.ACTIONS for value in row.values() if isinstance(value, str)]
    pattern = re.compile(r"\b(\d+|neuf|dix|douze)\s+(partenaires|signataires)", re.IGNORECASE)
    assert not [text for text in texts if pattern.search(text)]


def test_bodies_use_blank_lines_between_paragraphs():
    for row in content.ACTIONS:
        assert "\n" not in row["body"].replace("\n\n", ""), row["slug"]
        assert not row["body"].startswith("\n") and not row["body"].endswith("\n"), row["slug"]


def test_without_the_axes_the_command_fails_clearly():
    Axis.objects.all().delete()

    with pytest.raises(CommandError, match="migrate"):
        load()
    assert not Partner.objects.exists()


@pytest.mark.usefixtures("initial_content")
class TestOnTheInitialContent:
    """On the initial content, loaded once for these tests by the command itself (``initial_content``)."""

    initial_content_by_the_command = True  # these tests are about the command: its first run too

    def test_loads_objectives_partners_and_actions_of_every_axis(self):
        assert list(Objective.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]
        assert Partner.objects.count() == len(content.PARTNERS)
        assert Action.objects.count() == len(content.ACTIONS)
        for axis in Axis.objects.all():
            assert Action.objects.published().filter(axis=axis).exists(), f"aucune action publiée pour {axis}"

    def test_signatories_and_the_insurer(self):
        signatories = set(Partner.objects.signatories().values_list("slug", flat=True))
        assert {"ville-de-creteil", "ars-ile-de-france", "prefecture-du-val-de-marne"} <= signatories
        just = Partner.objects.get(slug="just")
        assert just.kind == PartnerKind.INSURER
        assert not just.is_signatory
        ccas = Partner.objects.get(slug="ccas-de-creteil")
        assert ccas.phone == "01 49 80 88 68"

    def test_actions_get_their_relations_as_written_in_the_content(self):
        for row in content.ACTIONS:
            action = Action.objects.get(slug=row["slug"])
            assert action.axis.number == row["axis"]
            for name in ("themes", "audiences", "neighbourhoods", "partners"):
                assert set(getattr(action, name).values_list("slug", flat=True)) == set(row.get(name, [])), (
                    f"{action.slug} : {name}"
                )
            lead = row.get("lead_partner")
            assert (action.lead_partner.slug if action.lead_partner else None) == lead
            assert not action.contact_is_set  # the page gives the CCAS of the site's settings (never a copy)

    def test_flagship_actions(self):
        mutuelle = Action.objects.get(slug="mutuelle-communale")
        assert mutuelle.featured
        assert mutuelle.axis.number == 1
        assert mutuelle.kind == ActionKind.SCHEME
        assert 3 <= Action.objects.featured().count() <= 4
        assert Action.objects.get(slug="centre-de-vaccination-covid-19").status == ActionStatus.FINISHED
        assert Action.objects.get(slug="cami-centre-d-accueil-medical-initial").start_date == datetime.date(2024, 1, 29)
        laep = Action.objects.get(slug="lieux-d-accueil-enfants-parents")
        assert set(laep.neighbourhoods.values_list("slug", flat=True)) == {"la-habette", "les-bleuets"}
        campaigns = dict(Action.objects.filter(kind=ActionKind.CAMPAIGN).values_list("slug", "campaign_month"))
        assert campaigns == {"octobre-rose": 10, "mars-bleu": 3, "juin-vert": 6, "mois-sans-tabac": 11}

    def test_every_action_obeys_the_campaign_rule_and_the_model_validation(self):
        for action in Action.objects.all():
            assert (action.kind == ActionKind.CAMPAIGN) == (action.campaign_month is not None), action.slug
            assert len(action.summary) <= 300
            action.full_clean()

    def test_dates_are_relative_to_today(self):
        today = timezone.localdate()

        for action in Action.objects.exclude(start_date=None):
            if action.status == ActionStatus.ONGOING:
                assert action.start_date <= today, action.slug
            if action.status == ActionStatus.UPCOMING:
                assert action.start_date > today, action.slug
        assert Action.objects.filter(status=ActionStatus.UPCOMING, kind=ActionKind.WORKSHOPS).exists()

    def test_running_twice_changes_nothing(self):
        before = snapshot()

        output = load()

        assert snapshot() == before
        assert f"Actions : 0 créée, {len(content.ACTIONS)} déjà présentes." in output

    def test_history_records_carry_the_reason(self):
        action = Action.objects.get(slug="mutuelle-communale")
        assert action.history.filter(history_type="+").count() == 1
        assert set(action.history.values_list("history_change_reason", flat=True)) == {"Contenu initial"}
        assert Partner.history.get(slug="just").history_change_reason == "Contenu initial"

    def test_an_editors_changes_survive_a_rerun(self):
        action = Action.objects.get(slug="cafes-psycho")
        action.summary = "Texte revu par la rédaction."
        action.published = False
        action.save()
        action.themes.clear()
        partner = Partner.objects.get(slug="just")
        partner.description = "Présentation revue."
        partner.save()
        Objective.objects.filter(number=1).update(text="Objectif reformulé.")

        load()

        action.refresh_from_db()
        assert action.summary == "Texte revu par la rédaction."
        assert not action.published
        assert not action.themes.exists()
        # Stored as the editor stores it (core/rich_text_fields.py), and kept.
        assert Partner.objects.get(slug="just").description == "<p>Présentation revue.</p>"
        assert Objective.objects.get(number=1).text == "Objectif reformulé."

    def test_deleted_rows_come_back_and_a_renamed_slug_is_not_duplicated(self):
        Action.objects.get(slug="juin-vert").delete()
        Theme.objects.filter(slug="tabac").update(slug="tabagisme")

        output = load()

        assert Action.objects.filter(slug="juin-vert").exists()
        assert Theme.objects.filter(name="Tabac").count() == 1
        assert "Actions : 1 créée" in output

    def test_output_is_french(self, initial_content):
        output = initial_content

        assert f"Actions : {len(content.ACTIONS)} créées, 0 déjà présente." in output
        assert f"Objectifs : {len(content.OBJECTIVES)} créés" in output
        assert f"Partenaires : {len(content.PARTNERS)} créés" in output
        assert "Contenu initial du CLS chargé." in output


def test_the_loaded_content_is_published_although_new_objects_are_drafts():
    """A new object is a draft in the admin (issue 12 §1); the contract's own content goes online as loaded."""
    from events.models import Event, Place

    load()
    for model in (Partner, Action, Place, Event):
        assert model.objects.exists(), model
        assert not model.objects.filter(published=False).exists(), model
        assert not model.objects.exclude(publish_at=None).exists(), model
    assert Action.objects.published().count() == Action.objects.count()
