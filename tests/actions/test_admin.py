import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.enums import ActionKind, ActionStatus
from actions.models import Action, Audience, Axis, Neighbourhood, Objective, Theme
from core.cache import forget_kept_values
from core.grammar import Noun
from tests.actions.factories import (
    ActionFactory,
    AudienceFactory,
    NeighbourhoodFactory,
    ObjectiveFactory,
    ThemeFactory,
    axis,
)
from tests.helpers import admin_url, assert_not_found_page, assert_refused_page, h1s_of, squash, title_of
from tests.partners.factories import PartnerFactory
from tests.staff.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

STAFF_CLIENTS = ["admin_client", "editor_client"]
CHANGELIST = reverse("admin:actions_action_changelist")


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def action_form_data(action=None, **overrides):
    """What the change form posts for ``action`` (or for a new action)."""
    data = {
        "title": action.title if action else "Cafés psycho",
        "slug": action.slug if action else "cafes-psycho",
        "axis": (action.axis if action else axis(3)).pk,
        "summary": action.summary if action else "Parler de santé mentale autour d’un café.",
        "body": action.body if action else "",
        "how_to_join": "",
        "kind": action.kind if action else ActionKind.WORKSHOPS,
        "campaign_month": action.campaign_month or "" if action else "",
        "status": action.status if action else ActionStatus.ONGOING,
        "start_date": "",
        "end_date": "",
        "lead_partner": "",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
        "image_alt": "",
        "published": "True",
        "_save": "Enregistrer",
    }
    if action:
        for name in ("themes", "audiences", "neighbourhoods", "partners"):
            data[name] = [obj.pk for obj in getattr(action, name).all()]
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Every model: who may see what --------------------------------------------------------


@pytest.fixture
def one_of_each():
    return {
        Axis: axis(1),
        Objective: ObjectiveFactory(),
        Theme: ThemeFactory(),
        Audience: AudienceFactory(),
        Neighbourhood: NeighbourhoodFactory(),
        Action: ActionFactory(
            themes=[ThemeFactory()],
            audiences=[AudienceFactory()],
            neighbourhoods=[NeighbourhoodFactory()],
            partners=[PartnerFactory()],
            lead_partner=PartnerFactory(),
        ),
    }


@pytest.mark.parametrize("client_fixture", STAFF_CLIENTS)
@pytest.mark.parametrize("model", [Axis, Objective, Theme, Audience, Neighbourhood, Action])
def test_changelist_and_change_form(request, client_fixture, model, one_of_each):
    client = request.getfixturevalue(client_fixture)
    obj = one_of_each[model]
    changelist = client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert str(obj) in changelist.text
    change = client.get(admin_url(model, "change", obj.pk))
    assert change.status_code == 200
    assert h1s_of(change.text) == [Noun.of(model).change_title]  # « Modification de l’action »
    assert title_of(change.text) == f"{obj} | {Noun.of(model).change_title} | CLS Créteil"
    history = client.get(admin_url(model, "history", obj.pk))
    assert history.status_code == 200
    assert h1s_of(history.text) == [f"Historique des changements : {obj}"]


@pytest.mark.parametrize("client_fixture", STAFF_CLIENTS)
@pytest.mark.parametrize("model", [Objective, Theme, Audience, Neighbourhood, Action])
def test_add_form(request, client_fixture, model):
    client = request.getfixturevalue(client_fixture)
    response = client.get(admin_url(model, "add"))
    assert response.status_code == 200
    assert h1s_of(response.text) == [Noun.of(model).add_title]  # « Ajout d’une action »


@pytest.mark.parametrize("client_fixture", STAFF_CLIENTS)
def test_axes_can_be_edited_but_not_added_or_deleted(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    first = axis(1)
    assert_refused_page(client.get(admin_url(Axis, "add")))
    assert_refused_page(client.get(admin_url(Axis, "delete", first.pk)))
    changelist = client.get(admin_url(Axis, "changelist"))
    assert admin_url(Axis, "add") not in changelist.text
    assert "delete_selected" not in changelist.text
    assert Axis.objects.count() == 5


def test_editor_edits_an_axis_text_not_its_number_or_slug(editor_client, editor):
    third = axis(3)
    response = editor_client.post(
        admin_url(Axis, "change", third.pk),
        {
            "number": "5",
            "slug": "autre-chose",
            "name": third.name,
            "summary": "Un résumé relu par la rédaction.",
            "description": third.description,
            "_save": "Enregistrer",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == admin_url(Axis, "changelist")
    edited = Axis.objects.get(pk=third.pk)
    assert edited.summary == "Un résumé relu par la rédaction."
    assert (edited.number, edited.slug) == (third.number, third.slug)
    assert edited.history.first().history_user == editor


@pytest.mark.parametrize("model", [Axis, Objective, Theme, Audience, Neighbourhood, Action])
def test_staff_without_group_is_refused(client, model):
    client.force_login(StaffUserFactory())
    assert_refused_page(client.get(admin_url(model, "changelist")))


# Actions: forms, history, links ---------------------------------------------------------


def test_editor_creates_an_action_with_its_relations(editor_client, editor):
    theme, audience, neighbourhood = ThemeFactory(), AudienceFactory(), NeighbourhoodFactory()
    lead, other = PartnerFactory(), PartnerFactory()
    response = editor_client.post(
        admin_url(Action, "add"),
        action_form_data(
            themes=[theme.pk],
            audiences=[audience.pk],
            neighbourhoods=[neighbourhood.pk],
            lead_partner=lead.pk,
            partners=[other.pk],
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    action = Action.objects.get(slug="cafes-psycho")
    assert action.axis.number == 3
    assert list(action.themes.all()) == [theme]
    assert list(action.partners.all()) == [other]
    assert action.lead_partner == lead
    assert action.history.first().history_user == editor


def test_campaign_without_month_gets_the_constraint_message(editor_client):
    response = editor_client.post(admin_url(Action, "add"), action_form_data(kind=ActionKind.CAMPAIGN))
    assert response.status_code == 200
    assert "Indiquez le mois d’une campagne annuelle, et seulement pour une campagne." in response.text
    assert not Action.objects.exists()


def test_history_writes_dates_with_1er(editor_client):
    action = ActionFactory(start_date=datetime.date(2025, 4, 1))
    response = editor_client.post(
        admin_url(Action, "change", action.pk), action_form_data(action, start_date="02/04/2025")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    history = editor_client.get(admin_url(Action, "history", action.pk))

    assert "1er avril 2025 → 2 avril 2025" in squash(history.text)


def test_history_page_shows_who_changed_what(editor_client, editor):
    action = ActionFactory(title="Mois sans tabac")
    response = editor_client.post(
        admin_url(Action, "change", action.pk), action_form_data(action, title="Mois sans tabac 2025")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    history = editor_client.get(admin_url(Action, "history", action.pk))

    assert history.status_code == 200
    record = action.history.first()
    assert record.history_user == editor
    assert record.title == "Mois sans tabac 2025"
    assert editor.username in history.text
    assert "Titre : Mois sans tabac → Mois sans tabac 2025" in squash(history.text)
    version = editor_client.get(reverse("admin:actions_action_simple_history", args=[action.pk, record.pk]))
    assert version.status_code == 200
    assert h1s_of(version.text) == ["Rétablir Mois sans tabac 2025"]


def test_changelist_links_to_the_public_page(admin_client):
    action = ActionFactory(slug="octobre-rose", published=False)
    response = admin_client.get(CHANGELIST)
    assert f'href="{reverse("actions:detail", kwargs={"slug": "octobre-rose"})}"' in response.text
    assert "Voir<span" in response.text
    axes = admin_client.get(admin_url(Axis, "changelist"))
    assert f'href="{action.axis.get_absolute_url()}"' in axes.text


def test_autocomplete_finds_partners_without_accents(editor_client):
    PartnerFactory(name="Hôpital Henri-Mondor")
    PartnerFactory(name="Centre communal d’action sociale")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "actions", "model_name": "action", "field_name": "lead_partner", "term": "hopital"},
    )
    assert response.status_code == 200
    assert [item["text"] for item in json.loads(response.content)["results"]] == ["Hôpital Henri-Mondor"]


@pytest.mark.parametrize(
    ("field_name", "make_choice"),
    [
        ("axis", lambda: axis(2)),
        ("themes", lambda: ThemeFactory(name="Sommeil")),
        ("audiences", lambda: AudienceFactory(name="Aidants")),
        ("neighbourhoods", lambda: NeighbourhoodFactory(name="Mont-Mesly")),
        ("partners", lambda: PartnerFactory(name="Hôpital Henri-Mondor")),
    ],
    ids=["axis", "themes", "audiences", "neighbourhoods", "partners"],
)
def test_every_relation_has_an_autocomplete(editor_client, field_name, make_choice):
    choice = make_choice()
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "actions", "model_name": "action", "field_name": field_name, "term": ""},
    )
    assert response.status_code == 200
    assert {"id": str(choice.pk), "text": str(choice)} in json.loads(response.content)["results"]


# Bulk publish / unpublish ---------------------------------------------------------------


def test_publish_selection_saves_each_action_with_history(editor_client, editor):
    theme = ThemeFactory()
    drafts = ActionFactory.create_batch(3, published=False, themes=[theme])
    other = ActionFactory(published=False)

    response = editor_client.post(
        CHANGELIST, {"action": "publish_selected", "_selected_action": [a.pk for a in drafts]}, follow=True
    )

    assert response.status_code == 200
    assert "3 actions publiées sur le site." in messages_of(response)
    for action in drafts:
        action.refresh_from_db()
        assert action.published
        record = action.history.first()
        assert record.history_user == editor
        assert record.published is True
        assert record.history_change_reason == "Publication groupée"
        assert [t.theme for t in record.themes.all()] == [theme]  # the m2m snapshot follows
    other.refresh_from_db()
    assert not other.published


def test_unpublish_selection_and_its_history_page(editor_client, editor):
    action = ActionFactory(published=True)
    response = editor_client.post(
        CHANGELIST, {"action": "unpublish_selected", "_selected_action": [action.pk]}, follow=True
    )
    assert "1 action retirée du site." in messages_of(response)
    action.refresh_from_db()
    assert not action.published
    assert action.history.count() == 2
    assert action.history.first().history_user == editor
    history = editor_client.get(admin_url(Action, "history", action.pk))
    assert "Dépublication groupée" in history.text
    assert "Publiée : oui → non" in squash(history.text)


def test_bulk_actions_are_offered_in_french(editor_client):
    ActionFactory()
    response = editor_client.get(CHANGELIST)
    assert "Publier la sélection" in response.text
    assert "Dépublier la sélection" in response.text


# Search, filters, junk ---------------------------------------------------------------


@pytest.fixture
def filterable():
    theme, audience, neighbourhood = ThemeFactory(), AudienceFactory(), NeighbourhoodFactory()
    ActionFactory(
        title="Prévention bucco-dentaire",
        axis=axis(4),
        themes=[theme],
        audiences=[audience],
        neighbourhoods=[neighbourhood],
        lead_partner=PartnerFactory(name="CPAM du Val-de-Marne", acronym="CPAM"),
        featured=True,
    )
    ActionFactory(title="Octobre rose", kind=ActionKind.CAMPAIGN, campaign_month=10, published=False)
    return {"theme": theme, "audience": audience, "neighbourhood": neighbourhood}


@pytest.mark.parametrize(
    "query",
    [
        lambda f: {"q": "dentaire"},
        lambda f: {"q": "prevention"},
        lambda f: {"q": "CPAM"},
        lambda f: {"axis__id__exact": axis(4).pk},
        lambda f: {"kind__exact": ActionKind.CAMPAIGN},
        lambda f: {"status__exact": ActionStatus.ONGOING},
        lambda f: {"published__exact": "0"},
        lambda f: {"featured__exact": "1"},
        lambda f: {"themes__id__exact": f["theme"].pk},
        lambda f: {"audiences__id__exact": f["audience"].pk},
        lambda f: {"neighbourhoods__id__exact": f["neighbourhood"].pk},
        lambda f: {"q": "rose", "published__exact": "0", "kind__exact": ActionKind.CAMPAIGN, "o": "-2.1"},
    ],
)
def test_search_and_each_filter(admin_client, filterable, query):
    response = admin_client.get(CHANGELIST, query(filterable))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_filters_select_the_right_actions(admin_client, filterable):
    def titles(query):
        return [a.title for a in admin_client.get(CHANGELIST, query).context["cl"].result_list]

    assert titles({"themes__id__exact": filterable["theme"].pk}) == ["Prévention bucco-dentaire"]
    assert titles({"published__exact": "0"}) == ["Octobre rose"]
    assert titles({"q": "PREVENTION"}) == ["Prévention bucco-dentaire"]  # accents and case ignored
    assert titles({"q": "cpam"}) == ["Prévention bucco-dentaire"]  # through the lead partner


@pytest.mark.parametrize(
    "query",
    [
        {"axis__id__exact": "abc"},
        {"axis__id__exact": "999999"},
        {"themes__id__exact": "x"},
        {"published__exact": "peut-être"},
        {"kind__exact": "<script>alert(1)</script>"},
        {"campaign_month__gt": "treize"},
        {"inconnu": "1"},
        {"o": "99.abc"},
        {"p": "-1"},
        {"p": "100000"},
        {"q": "\x00"},
        {"q": "é" * 3000},
        {"q": "'; DROP TABLE actions_action; --"},
        {"_changelist_filters": "\x00"},
    ],
)
def test_junk_parameters_do_not_break_the_changelist(admin_client, query):
    ActionFactory()
    response = admin_client.get(CHANGELIST, query)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "e=1" in response["Location"]


# Query budget --------------------------------------------------------------------------


def _create_actions(count):
    themes = ThemeFactory.create_batch(2)
    audiences = AudienceFactory.create_batch(2)
    neighbourhoods = NeighbourhoodFactory.create_batch(2)
    for index in range(count):
        ActionFactory(
            axis=axis(index % 5 + 1),
            themes=themes,
            audiences=audiences,
            neighbourhoods=neighbourhoods,
            lead_partner=PartnerFactory(),
            partners=[PartnerFactory()],
        )


def _queries(client, url, query=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("client_fixture", STAFF_CLIENTS)
def test_action_changelist_query_count_does_not_grow_with_rows(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    _create_actions(3)
    few = _queries(client, CHANGELIST)
    few_searched = _queries(client, CHANGELIST, {"q": "prevention"})
    _create_actions(27)
    assert Action.objects.count() == 30
    assert _queries(client, CHANGELIST) == few
    # The search's synonyms stay kept while no synonym changes (core/cache.py's sections): both
    # counts with the kept tables read afresh, as the first one was.
    forget_kept_values()
    assert _queries(client, CHANGELIST, {"q": "prevention"}) == few_searched


def test_taxonomy_changelists_count_actions_in_one_query(admin_client):
    """The axes', themes', audiences' and quartiers' lists: as many queries with 3 actions as with 30."""
    urls = [admin_url(model, "changelist") for model in (Axis, Theme, Audience, Neighbourhood)]
    _create_actions(3)
    few = {url: _queries(admin_client, url) for url in urls}
    _create_actions(27)
    assert {url: _queries(admin_client, url) for url in urls} == few


@pytest.mark.parametrize("version", ["abc", "99999999999999999999", "0"])
def test_a_history_version_that_is_no_number_is_a_404(admin_client, version):
    action = ActionFactory()
    url = reverse("admin:actions_action_history", args=[action.pk]) + f"{version}/"

    assert_not_found_page(admin_client.get(url))
    # A real version opens.
    real = action.history.latest().history_id
    response = admin_client.get(reverse("admin:actions_action_history", args=[action.pk]) + f"{real}/")
    assert response.status_code == 200
    assert h1s_of(response.text) == [f"Rétablir {action}"]
