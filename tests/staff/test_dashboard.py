"""The admin's first page: a dashboard for each role (staff/dashboard.py, issue 12 §2)."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from core.dates import french_date
from events.enums import Registration
from mutuelle.content import create_scale
from mutuelle.enums import RequestStatus
from mutuelle.models import CssScale, Offer, last_scale_update_day
from tests.actions.factories import ActionFactory
from tests.events.factories import EventFactory
from tests.helpers import squash
from tests.mutuelle.factories import AgentFactory, InterestRequestFactory, backdate
from tests.partners.factories import PartnerFactory
from tests.staff.factories import StaffUserFactory
from tests.staff.helpers import verified_login

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


def dashboard_text(response):
    assert response.status_code == 200
    html = response.content.decode()
    start = html.find('id="dashboard"')
    assert start != -1, "pas de tableau de bord"
    return squash(html[start : html.find('id="all-models"')])


def saved_by(obj, user, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj.save()
    return obj


def in_days(days):
    return timezone.now() + datetime.timedelta(days=days)


# Who sees what ------------------------------------------------------------------------------------


def test_a_staff_member_in_no_group_sees_the_list_of_models_only(client):
    client.force_login(StaffUserFactory())
    response = client.get(INDEX)
    assert response.status_code == 200
    assert 'id="dashboard"' not in response.text
    assert "Tous les contenus" not in response.text


def test_an_editor_sees_the_editors_section_only(editor_client):
    text = dashboard_text(editor_client.get(INDEX))
    assert "Rédaction" in text
    assert "Mes brouillons" in text
    assert "Mutuelle communale" not in text
    assert "Administration" not in text
    assert "demande" not in text


def test_a_mutuelle_agent_sees_the_queue_and_not_the_editors_section(client):
    verified_login(client, AgentFactory())
    text = dashboard_text(client.get(INDEX))
    assert "File des demandes" in text
    assert "Mes brouillons" not in text
    assert "Administration" not in text


def test_a_person_in_both_groups_sees_both_sections(client, editor):
    editor.groups.add(Group.objects.get(name="Mutuelle"))
    verified_login(client, editor)
    text = dashboard_text(client.get(INDEX))
    assert "Mes brouillons" in text
    assert "File des demandes" in text


def test_the_administrator_sees_the_accounts_and_reference_data(admin_client):
    text = dashboard_text(admin_client.get(INDEX))
    assert "Comptes de l’équipe sans double authentification" in text
    assert "Blocages de connexion" in text
    assert "Barème de la CSS et tarifs de la mutuelle" in text
    assert "Mes brouillons" not in text  # a superuser outside the groups: the administration only
    assert "File des demandes" not in text


# The editors' section ----------------------------------------------------------------------------


def test_the_editor_sees_their_own_drafts_with_a_link_to_them(editor_client, editor):
    saved_by(ActionFactory(published=False), editor)
    saved_by(ActionFactory(published=False), editor)
    ActionFactory(published=False)  # someone else's
    response = editor_client.get(INDEX)
    text = dashboard_text(response)
    assert "2 actions" in text
    url = reverse("admin:actions_action_changelist") + "?publication=mes-brouillons"
    assert f'href="{url}"' in response.text
    listed = editor_client.get(url)
    assert listed.status_code == 200
    assert len(listed.context["cl"].result_list) == 2


def test_the_editor_sees_the_titles_of_their_latest_drafts(editor_client, editor):
    saved_by(ActionFactory(published=False, title="Semaine de la vue"), editor)
    saved_by(PartnerFactory(published=False, name="Association Vue pour tous"), editor)
    ActionFactory(published=False, title="Brouillon d’un collègue")
    response = editor_client.get(INDEX)
    text = dashboard_text(response)
    text = text[text.index("Mes brouillons") : text.index("Publications et retraits programmés")]
    assert "Mes derniers brouillons" in text
    assert "Action « Semaine de la vue »" in text
    assert "Partenaire « Association Vue pour tous »" in text
    assert "Brouillon d’un collègue" not in text
    action = Action.objects.get(title="Semaine de la vue")
    assert f'href="{reverse("admin:actions_action_change", args=[action.pk])}"' in response.text


def test_scheduled_changes_are_listed_nearest_first_with_their_dates(editor_client):
    publish = in_days(2).replace(hour=9, minute=30)
    ActionFactory(published=True, title="Octobre rose", publish_at=publish)
    ActionFactory(published=True, title="Mois sans tabac", publish_at=in_days(-3), unpublish_at=in_days(5))
    text = dashboard_text(editor_client.get(INDEX))
    assert "Les prochains changements programmés" in text
    local = timezone.localtime(publish)
    assert f"{local:%d/%m/%Y %H:%M} Mise en ligne Action « Octobre rose »" in text
    assert "Retrait Action « Mois sans tabac »" in text
    assert text.index("Octobre rose") < text.index("Mois sans tabac")


def test_scheduled_changes_are_counted_and_linked(editor_client):
    ActionFactory(published=True, publish_at=in_days(2))
    ActionFactory(published=True, unpublish_at=in_days(5))
    ActionFactory(published=True, unpublish_at=in_days(-1))  # already withdrawn: nothing to come
    ActionFactory(published=False, publish_at=in_days(2))  # a draft: its date changes nothing
    response = editor_client.get(INDEX)
    assert "2 actions" in dashboard_text(response)
    url = reverse("admin:actions_action_changelist") + "?publication=programmes"
    assert len(editor_client.get(url).context["cl"].result_list) == 2


def test_events_to_complete_are_listed_with_what_they_miss(editor_client):
    EventFactory(title="Atelier sans lieu", start=in_days(4), place=None)
    EventFactory(title="Atelier sans inscription", start=in_days(6), registration=Registration.RECOMMENDED)
    EventFactory(title="Atelier lointain", start=in_days(40), place=None)
    response = editor_client.get(INDEX)
    text = dashboard_text(response)
    assert "1 événement sans lieu" in text
    assert "1 événement avec inscription mais sans lien, ni téléphone, ni CCAS" in text
    assert "Atelier sans lieu Le lieu" in text
    assert "Atelier sans inscription Le moyen de s’inscrire" in text
    assert "Atelier lointain Le lieu" not in text
    assert reverse("admin:events_event_changelist") + "?a-completer=lieu" in response.text


def test_recent_changes_show_who_changed_what(editor_client, editor):
    editor.first_name, editor.last_name = "Inès", "Martin"
    editor.save()
    saved_by(ActionFactory(title="Mois sans tabac"), editor, title="Mois sans tabac 2026")
    text = dashboard_text(editor_client.get(INDEX))
    assert "Modifications récentes" in text
    assert "Action « Mois sans tabac 2026 »" in text
    assert "Inès Martin" in text


def test_nothing_waiting_is_said_plainly(editor_client):
    Action.objects.all().delete()
    text = dashboard_text(editor_client.get(INDEX))
    assert "Vous n’avez aucun brouillon en cours." in text
    assert "Aucune publication ni aucun retrait n’est programmé." in text


# The mutuelle's section --------------------------------------------------------------------------


@pytest.fixture
def agent_client(client):
    verified_login(client, AgentFactory())
    return client


def test_the_queue_figures_with_french_plurals_and_links(agent_client):
    now = timezone.now()
    backdate(InterestRequestFactory(), created_at=now - datetime.timedelta(days=30))  # late
    backdate(InterestRequestFactory(), created_at=now - datetime.timedelta(days=20))  # late
    InterestRequestFactory()  # received today
    InterestRequestFactory(status=RequestStatus.TO_CALL_BACK)
    response = agent_client.get(INDEX)
    text = dashboard_text(response)
    assert "3 nouvelles demandes" in text
    assert "À traiter : 2 nouvelles demandes en retard (délai de 5 jours ouvrés dépassé)" in text
    assert "1 demande au statut « À rappeler »" in text
    queue = reverse("admin:mutuelle_interestrequest_changelist")
    assert f'href="{queue}?status__exact=nouvelle"' in response.text
    assert f'href="{queue}?rappel=en-retard"' in response.text
    assert f'href="{queue}?rappel=aujourd-hui"' in response.text
    assert len(agent_client.get(f"{queue}?rappel=en-retard").context["cl"].result_list) == 2


def test_no_request_is_zero_in_the_singular(agent_client):
    text = dashboard_text(agent_client.get(INDEX))
    assert "0 nouvelle demande" in text
    assert "0 personne à rappeler aujourd’hui" in text


@pytest.mark.parametrize("who", ["agent", "admin"])
def test_the_out_of_date_scale_and_unchecked_prices_alert_the_team(request, who):
    client = request.getfixturevalue(f"{who}_client")
    create_scale()  # 1 April 2025
    Offer.objects.create(
        insurer=PartnerFactory(name="Just", kind="assureur"),
        summary="En bref.",
        who_can_join="Pour qui.",
        coverage="Ce qui est couvert.",
        how_to_join="Comment.",
        prices_checked_on=None,
    )
    status = CssScale.objects.current_status()
    text = dashboard_text(client.get(INDEX))
    if status.is_outdated:
        assert "À traiter : Barème de la CSS à mettre à jour" in text
        assert "le site utilise encore celui du 1er avril 2025" in text
    prices = "À traiter : Tarifs de la mutuelle à vérifier auprès de l’assureur : jamais vérifiés."
    # The date the prices were checked is the offer's, which the editors and the administrator keep.
    assert (prices in text) is (who == "admin")


def test_an_up_to_date_scale_says_so(agent_client):
    create_scale()
    latest = CssScale.objects.get()
    latest.valid_from = last_scale_update_day(timezone.localdate())
    latest.save()
    text = dashboard_text(agent_client.get(INDEX))
    assert f"Barème de la CSS à jour (en vigueur depuis le {french_date(latest.valid_from, weekday=False)})." in text
    assert "À traiter" not in text.split("Barème de la CSS et tarifs")[1]


def test_an_editor_never_sees_the_requests_even_with_the_permission(client, editor):
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="view_interestrequest"))
    client.force_login(editor)
    text = dashboard_text(client.get(INDEX))
    assert "File des demandes" not in text


# The administrator's section --------------------------------------------------------------------


def test_accounts_without_two_factor_and_recent_lockouts(admin_client):
    StaffUserFactory(username="sans-telephone")
    AgentFactory(username="agent-sans-telephone")
    StaffUserFactory(username="ancien", is_active=False)
    AccessAttempt.objects.create(
        username="inconnu",
        ip_address="192.0.2.1",
        user_agent="test",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )
    AccessAttempt.objects.create(username="hesitant", ip_address="192.0.2.2", user_agent="test", failures_since_start=1)
    response = admin_client.get(INDEX)
    text = dashboard_text(response)
    assert "À traiter : 2 comptes sans double authentification" in text
    assert "sans-telephone" in text
    assert "agent-sans-telephone Mutuelle Oui : à activer à la prochaine connexion" in text
    assert "ancien" not in text
    assert "À traiter : 1 blocage" in text
    assert "inconnu" in text
    assert "hesitant" not in text
    users = reverse("admin:auth_user_changelist")
    assert "double_authentification=non" in response.text
    lockouts = reverse("admin:axes_accessattempt_changelist") + "?blocage=recent"
    assert f'href="{lockouts}"' in response.text
    assert len(admin_client.get(lockouts).context["cl"].result_list) == 1
    listed = admin_client.get(users, {"is_staff__exact": 1, "is_active__exact": 1, "double_authentification": "non"})
    assert {user.username for user in listed.context["cl"].result_list} == {"sans-telephone", "agent-sans-telephone"}


def test_more_lockouts_than_the_table_shows_lead_to_the_whole_list(admin_client):
    for number in range(11):
        AccessAttempt.objects.create(
            username=f"bloque-{number}", ip_address="192.0.2.9", user_agent="t", failures_since_start=99
        )
    response = admin_client.get(INDEX)
    assert "À traiter : 11 blocages" in dashboard_text(response)
    lockouts = reverse("admin:axes_accessattempt_changelist") + "?blocage=recent"
    assert response.text.count(f'href="{lockouts}"') == 2  # the figure, and « Voir la liste complète »
    assert "Voir la liste complète" in dashboard_text(response)


# Bounded queries ----------------------------------------------------------------------------------


def many_rows(editor, batch):
    for number in range(batch * 25, batch * 25 + 25):
        saved_by(ActionFactory(published=False, title=f"Brouillon {number}"), editor)
        EventFactory(start=in_days(number % 20 + 1), place=None, registration=Registration.RECOMMENDED)
        ActionFactory(published=True, publish_at=in_days(3))
        backdate(InterestRequestFactory(), created_at=timezone.now() - datetime.timedelta(days=number))
        StaffUserFactory(username=f"nouveau-{number}")
        AccessAttempt.objects.create(
            username=f"bloque-{number}", ip_address="192.0.2.9", user_agent="t", failures_since_start=99
        )


# Each block makes a fixed number of queries, a few more once it has rows to show (the table's
# read-back, one query per kind of content in the recent changes): measured with many rows, then
# with twice as many, the number does not move.
MAX_QUERIES = {"editor": 30, "agent": 22, "admin": 24, "all": 45}


def test_the_dashboard_makes_a_bounded_number_of_queries(client, editor, django_assert_max_num_queries):
    """Each role's dashboard, with many rows then twice as many (created once for the four roles)."""
    everything = StaffUserFactory(is_superuser=True, username="tout")
    everything.groups.add(*Group.objects.filter(name__in=["Rédaction", "Mutuelle"]))
    users = {
        "editor": editor,
        "agent": AgentFactory(),
        "admin": StaffUserFactory(is_superuser=True),
        "all": everything,
    }
    many_rows(editor, 0)
    counts = {}
    for role, user in users.items():
        verified_login(client, user)
        client.get(INDEX)  # the content types' cache, the site settings…
        with django_assert_max_num_queries(MAX_QUERIES[role]) as many:
            client.get(INDEX)
        counts[role] = len(many.captured_queries)
    many_rows(editor, 1)
    for role, user in users.items():
        verified_login(client, user)
        with django_assert_max_num_queries(counts[role]):
            response = client.get(INDEX)
        assert response.status_code == 200, role


# The lists the figures lead to -------------------------------------------------------------------


@pytest.mark.parametrize("model", ["actions.action", "events.event", "events.place", "partners.partner"])
@pytest.mark.parametrize("value", ["brouillons", "mes-brouillons", "programmes", "n-importe-quoi"])
def test_every_publishable_list_has_the_filter_and_bad_values_give_no_error(admin_client, model, value):
    app_label, model_name = model.split(".")
    response = admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), {"publication": value})
    assert response.status_code in (200, 302, 400)
    if value != "n-importe-quoi":
        assert response.status_code == 200
        assert "Mes brouillons (créés ou modifiés par moi)" in response.text


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("events_event", {"a-completer": "n-importe-quoi"}),
        ("axes_accessattempt", {"blocage": "n-importe-quoi"}),
        ("mutuelle_interestrequest", {"rappel": "\x00"}),
    ],
)
def test_bad_filter_values_give_no_error(admin_client, name, params):
    assert admin_client.get(reverse(f"admin:{name}_changelist"), params).status_code in (200, 302, 400)


def test_drafts_filter_shows_only_drafts(editor_client):
    draft = ActionFactory(published=False)
    ActionFactory(published=True)
    response = editor_client.get(reverse("admin:actions_action_changelist"), {"publication": "brouillons"})
    assert list(response.context["cl"].result_list) == [draft]
