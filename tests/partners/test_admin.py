import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.enums import PartnerKind
from partners.models import Partner
from tests.helpers import assert_refused_page, h1s_of, title_of
from tests.partners.factories import PartnerFactory
from tests.staff.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:partners_partner_changelist")
ADD = reverse("admin:partners_partner_add")
STAFF_CLIENTS = ["admin_client", "editor_client"]


def change_url(partner):
    return reverse("admin:partners_partner_change", args=[partner.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def partner_form_data(**overrides):
    data = {
        "name": "Hôpital Henri-Mondor",
        "slug": "hopital-henri-mondor",
        "acronym": "AP-HP",
        "kind": PartnerKind.HOSPITAL,
        "is_signatory": "on",
        "order": "10",
        "description": "Hôpital universitaire de Créteil.",
        "role_in_cls": "",
        "website": "",
        "phone": "",
        "email": "",
        "address": "",
        "logo_alt": "",
        "published": "True",
        "_save": "Enregistrer",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("client_fixture", STAFF_CLIENTS)
def test_changelist_add_and_change_pages(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    partner = PartnerFactory(name="CPAM du Val-de-Marne")

    changelist = client.get(CHANGELIST)
    assert changelist.status_code == 200
    assert "CPAM du Val-de-Marne" in changelist.text
    add = client.get(ADD)
    assert add.status_code == 200
    assert h1s_of(add.text) == ["Ajout d’un partenaire"]
    change = client.get(change_url(partner))
    assert change.status_code == 200
    assert "Voir sur le site" in change.text
    assert title_of(change.text) == "CPAM du Val-de-Marne | Modification du partenaire | CLS Créteil"
    history = client.get(reverse("admin:partners_partner_history", args=[partner.pk]))
    assert history.status_code == 200
    assert h1s_of(history.text) == ["Historique des changements : CPAM du Val-de-Marne"]


def test_admin_is_in_french(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "CLS Créteil — administration" in response.text
    assert "partenaires" in response.text.lower()
    change = admin_client.get(change_url(PartnerFactory()))
    for title in ("Identité", "Présentation", "Coordonnées", "Publication"):
        assert title in change.text


def test_staff_without_group_is_refused(client):
    client.force_login(StaffUserFactory())
    partner = PartnerFactory()
    assert_refused_page(client.get(CHANGELIST))
    assert_refused_page(client.get(change_url(partner)))


def test_anonymous_is_sent_to_login(client):
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_editor_creates_a_partner_and_history_names_them(editor_client, editor):
    response = editor_client.post(ADD, partner_form_data())
    assert response.status_code == 302, response.context["adminform"].form.errors
    partner = Partner.objects.get(slug="hopital-henri-mondor")
    assert partner.is_signatory
    record = partner.history.get()
    assert record.history_type == "+"
    assert record.history_user == editor


def test_empty_name_gets_a_french_error(editor_client):
    response = editor_client.post(ADD, partner_form_data(name=""))
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.text
    assert not Partner.objects.exists()


def test_changelist_links_to_the_public_page(admin_client):
    partner = PartnerFactory(slug="cpam-94", published=False)
    response = admin_client.get(CHANGELIST)
    assert f'href="{partner.get_absolute_url()}"' in response.text
    assert partner.get_absolute_url() == reverse("partners:detail", kwargs={"slug": "cpam-94"})


def test_view_on_site_button_redirects_to_the_public_page(admin_client):
    partner = PartnerFactory()
    view_on_site = reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Partner).pk, partner.pk])
    assert f'href="{view_on_site}"' in admin_client.get(change_url(partner)).text
    redirect = admin_client.get(view_on_site)
    assert redirect.status_code == 302
    assert redirect["Location"].endswith(partner.get_absolute_url())


def test_publish_selection_saves_each_partner_with_history(editor_client, editor):
    hidden = PartnerFactory.create_batch(2, published=False)
    already = PartnerFactory(published=True)
    untouched = PartnerFactory(published=False)

    response = editor_client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [p.pk for p in [*hidden, already]]},
        follow=True,
    )

    assert response.status_code == 200
    assert "2 partenaires publiés sur le site." in messages_of(response)
    for partner in hidden:
        partner.refresh_from_db()
        assert partner.published
        assert partner.history.count() == 2
        record = partner.history.first()
        assert record.history_user == editor
        assert record.history_change_reason == "Publication groupée"
        assert record.published is True
        assert LogEntry.objects.filter(object_id=str(partner.pk), user=editor).exists()
    assert already.history.count() == 1  # nothing to change, no empty history record
    untouched.refresh_from_db()
    assert not untouched.published


def test_unpublish_selection(editor_client, editor):
    partner = PartnerFactory(published=True)
    response = editor_client.post(
        CHANGELIST, {"action": "unpublish_selected", "_selected_action": [partner.pk]}, follow=True
    )
    assert "1 partenaire retiré du site." in messages_of(response)
    partner.refresh_from_db()
    assert not partner.published
    record = partner.history.first()
    assert record.history_user == editor
    assert record.published is False
    history = editor_client.get(reverse("admin:partners_partner_history", args=[partner.pk]))
    assert "Dépublication groupée" in history.text
    assert editor.username in history.text


def test_publish_when_nothing_changes_says_so(editor_client):
    partner = PartnerFactory(published=True)
    response = editor_client.post(
        CHANGELIST, {"action": "publish_selected", "_selected_action": [partner.pk]}, follow=True
    )
    assert messages_of(response) == ["Rien n’a changé : la sélection était déjà publiée."]
    assert partner.history.count() == 1


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"q": "mondor"}, ["Hôpital Henri-Mondor"]),
        ({"q": "hopital"}, ["Hôpital Henri-Mondor"]),
        ({"kind__exact": PartnerKind.HOSPITAL}, ["Hôpital Henri-Mondor"]),
        ({"is_signatory__exact": "1"}, ["Hôpital Henri-Mondor"]),
        ({"is_signatory__exact": "0"}, ["Association Aides"]),
        ({"published__exact": "0"}, ["Association Aides"]),
        ({"o": "2.-6"}, ["Association Aides", "Hôpital Henri-Mondor"]),
    ],
)
def test_search_and_filters(admin_client, query, names):
    PartnerFactory(name="Hôpital Henri-Mondor", kind=PartnerKind.HOSPITAL, is_signatory=True)
    PartnerFactory(name="Association Aides", published=False)
    response = admin_client.get(CHANGELIST, query)
    assert response.status_code == 200
    assert sorted(partner.name for partner in response.context["cl"].result_list) == names


def test_search_ignores_accents_and_case(admin_client):
    PartnerFactory(name="Hôpital Henri-Mondor")
    PartnerFactory(name="Université Paris-Est Créteil")
    response = admin_client.get(CHANGELIST, {"q": "HOPITAL"})
    assert [str(p) for p in response.context["cl"].result_list] == ["Hôpital Henri-Mondor"]
    response = admin_client.get(CHANGELIST, {"q": "universite creteil"})
    assert [str(p) for p in response.context["cl"].result_list] == ["Université Paris-Est Créteil"]


@pytest.mark.parametrize(
    "query",
    [
        {"is_signatory__exact": "peut-être"},
        {"kind__exact": "<script>"},
        {"order__gt": "abc"},
        {"inconnu": "1"},
        {"o": "abc"},
        {"p": "9999"},
        {"p": "x"},
        {"q": "\x00"},
        {"q": "a" * 5000},
        {"q": "' OR 1=1 --"},
    ],
)
def test_junk_parameters_do_not_break_the_changelist(admin_client, query):
    PartnerFactory()
    response = admin_client.get(CHANGELIST, query)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "e=1" in response["Location"]


def _changelist_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return len(queries)


def test_changelist_query_count_does_not_grow_with_rows(admin_client):
    PartnerFactory.create_batch(3)
    few = _changelist_queries(admin_client)
    PartnerFactory.create_batch(27)
    assert _changelist_queries(admin_client) == few
