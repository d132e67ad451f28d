"""The staff accounts in the admin: the list, staff status from the groups, two-factor reset."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.accounts import RESET_TWO_FACTOR_PERMISSION, user_staff_status_sync
from tests.staff.factories import StaffUserFactory
from tests.staff.helpers import verified_login

pytestmark = pytest.mark.django_db

User = get_user_model()
CHANGELIST = reverse("admin:auth_user_changelist")


def change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def reset_url(user):
    return reverse("admin:auth_user_reset_two_factor", args=[user.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def with_devices(user, *, app=True, backup=True):
    if app:
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    if backup:
        device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=f"code{n:04d}") for n in range(3))
    return user


def devices_of(user):
    return TOTPDevice.objects.filter(user=user).count() + StaticDevice.objects.filter(user=user).count()


@pytest.fixture
def agent():
    """A « Mutuelle » agent who lost their phone: an app and backup codes."""
    user = StaffUserFactory(username="awa", first_name="Awa", last_name="Konaté")
    user.groups.add(Group.objects.get(name="Mutuelle"))
    return with_devices(user)


# The list ---------------------------------------------------------------------------------------


def test_list_shows_groups_staff_status_two_factor_and_last_login(admin_client, agent):
    agent.last_login = timezone.make_aware(timezone.datetime(2026, 11, 2, 9, 15))
    agent.save()
    editor = StaffUserFactory(username="redac")
    editor.groups.add(Group.objects.get(name="Rédaction"))
    TOTPDevice.objects.create(user=editor, name="default", confirmed=False)  # setup never finished
    outsider = User.objects.create_user("resident", is_staff=False)
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    rows = {user.username: user for user in response.context["cl"].result_list}
    assert rows["awa"].has_two_factor is True
    assert rows["redac"].has_two_factor is False  # an unconfirmed device does not count
    assert rows["resident"].has_two_factor is False
    body = response.text
    headers = ["Groupes", "Statut équipe", "Double authentification", "Dernière connexion"]
    for header in headers:
        assert header.lower() in body.lower()
    assert "Mutuelle" in body and "Rédaction" in body and "Awa Konaté" in body
    assert "2 novembre 2026" in body
    assert outsider.username in body


def test_list_filters_by_two_factor(admin_client, agent):
    StaffUserFactory(username="sans-telephone")
    response = admin_client.get(CHANGELIST, {"double_authentification": "non"})
    names = {user.username for user in response.context["cl"].result_list}
    assert "sans-telephone" in names and "awa" not in names
    response = admin_client.get(CHANGELIST, {"double_authentification": "oui"})
    names = {user.username for user in response.context["cl"].result_list}
    assert "awa" in names and "sans-telephone" not in names


def test_list_query_count_is_the_same_with_1_and_20_users(admin_client):
    groups = list(Group.objects.filter(name__in=["Rédaction", "Mutuelle"]))

    def add_users(count):
        for _ in range(count):
            user = with_devices(StaffUserFactory(), backup=False)
            user.groups.add(*groups)

    add_users(1)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(CHANGELIST).status_code == 200
    add_users(19)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 21  # admin_user's and the 20 added
    assert len(many) == len(few)


# Staff status from the groups -------------------------------------------------------------------------


def user_form(user, **overrides):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": timezone.localtime(user.date_joined).strftime("%d/%m/%Y"),
        "date_joined_1": timezone.localtime(user.date_joined).strftime("%H:%M:%S"),
        "groups": [group.pk for group in user.groups.all()],
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if getattr(user, flag):
            data[flag] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_putting_an_account_in_a_staff_group_gives_the_staff_status(admin_client):
    user = User.objects.create_user("nouvelle", first_name="Inès")
    group = Group.objects.get(name="Rédaction")
    response = admin_client.post(change_url(user), user_form(user, groups=[group.pk]), follow=True)
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.is_staff
    assert list(user.groups.all()) == [group]
    assert any("a reçu le statut d’équipe" in message for message in messages_of(response))


def test_an_inactive_account_put_in_a_group_is_told_why_it_gets_no_staff_status(admin_client):
    user = User.objects.create_user("partie", is_active=False)
    group = Group.objects.get(name="Mutuelle")
    response = admin_client.post(change_url(user), user_form(user, groups=[group.pk]), follow=True)
    user.refresh_from_db()
    assert not user.is_staff
    assert any("est désactivé" in message and "« Mutuelle »" in message for message in messages_of(response))


def test_an_account_in_no_staff_group_is_left_alone(admin_client):
    user = User.objects.create_user("resident")
    custom = Group.objects.create(name="Lecteurs")
    response = admin_client.post(change_url(user), user_form(user, groups=[custom.pk]), follow=True)
    user.refresh_from_db()
    assert not user.is_staff
    assert not any("statut d’équipe" in message for message in messages_of(response))


def test_staff_status_service_whichever_way_the_group_was_given():
    user = User.objects.create_user("par-le-groupe")
    Group.objects.get(name="Rédaction").user_set.add(user)
    outcome = user_staff_status_sync(user=user)
    assert outcome.granted and not outcome.refused
    user.refresh_from_db()
    assert user.is_staff
    assert not user_staff_status_sync(user=user).granted  # already staff: nothing to do


# Two-factor reset ---------------------------------------------------------------------------------------


def test_superuser_resets_an_agents_two_factor_after_a_confirmation(admin_client, admin_user, agent):
    other = with_devices(StaffUserFactory())
    page = admin_client.get(change_url(agent))
    assert reset_url(agent) in page.text
    assert "activée" in page.text

    confirmation = admin_client.get(reset_url(agent))
    assert confirmation.status_code == 200
    assert "Oui, réinitialiser" in confirmation.text and 'method="post"' in confirmation.text
    assert "1 téléphone enregistré" in confirmation.text and "1 liste de codes" in confirmation.text
    assert devices_of(agent) == 2  # nothing happens before the confirmation

    response = admin_client.post(reset_url(agent), follow=True)
    assert response.redirect_chain[-1][0] == change_url(agent)
    assert devices_of(agent) == 0
    assert not StaticToken.objects.filter(device__user=agent).exists()
    assert devices_of(other) == 2 and devices_of(admin_user) >= 1
    assert any(
        "La double authentification de « awa » est réinitialisée (2 appareils supprimés)" in message
        for message in messages_of(response)
    )
    entry = LogEntry.objects.get(object_id=str(agent.pk))
    assert entry.user == admin_user
    assert entry.get_change_message() == "Double authentification réinitialisée (2 appareils supprimés)."


def test_the_agent_enrols_a_new_phone_at_the_next_login(client, agent):
    from staff.accounts import user_two_factor_reset
    from tests.staff.helpers import assert_sent_to_the_setup, post_password

    agent.set_password("Mot-de-passe-solide-2026")
    agent.save()
    user_two_factor_reset(user=agent, actor=agent)
    response = post_password(client, "awa")
    assert_sent_to_the_setup(client, response)


def test_reset_of_an_account_without_device_says_there_was_nothing(admin_client):
    user = StaffUserFactory()
    response = admin_client.post(reset_url(user), follow=True)
    assert any("n’avait aucun appareil" in message for message in messages_of(response))


def test_reset_needs_a_post_with_its_csrf_token(admin_user, agent):
    client = Client(enforce_csrf_checks=True)
    verified_login(client, admin_user)
    assert client.post(reset_url(agent)).status_code == 403
    assert devices_of(agent) == 2


def test_anonymous_visitor_is_sent_to_the_login_page(client, agent):
    response = client.post(reset_url(agent))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert devices_of(agent) == 2


@pytest.fixture
def account_manager():
    """A staff member who manages accounts (sees and changes them) but has no reset permission."""
    user = StaffUserFactory(username="gestion")
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="auth", codename__in=["view_user", "change_user"])
    )
    return user


def test_staff_without_the_permission_is_refused(client, account_manager, agent):
    verified_login(client, account_manager)
    assert client.get(change_url(agent)).status_code == 200
    assert reset_url(agent) not in client.get(change_url(agent)).text
    assert client.get(reset_url(agent)).status_code == 403
    assert client.post(reset_url(agent)).status_code == 403
    assert devices_of(agent) == 2
    assert not LogEntry.objects.filter(object_id=str(agent.pk)).exists()


def test_a_mutuelle_agent_cannot_reset_anyone(client, agent):
    colleague = with_devices(StaffUserFactory())
    verified_login(client, agent)
    assert client.post(reset_url(colleague)).status_code == 403
    assert devices_of(colleague) == 2


def test_the_dedicated_permission_resets_agents_but_not_superusers(client, account_manager, agent, admin_user):
    app_label, codename = RESET_TWO_FACTOR_PERMISSION.split(".")
    account_manager.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    with_devices(admin_user, backup=False)
    assert Permission.objects.get(codename=codename).name == "Peut réinitialiser la double authentification d’un compte"
    verified_login(client, account_manager)
    assert reset_url(agent) in client.get(change_url(agent)).text
    response = client.post(reset_url(agent), follow=True)
    assert response.status_code == 200
    assert devices_of(agent) == 0
    assert LogEntry.objects.get(object_id=str(agent.pk)).user == account_manager
    # A superuser's devices: only by another superuser.
    assert reset_url(admin_user) not in client.get(change_url(admin_user)).text
    assert client.post(reset_url(admin_user)).status_code == 403
    assert devices_of(admin_user) >= 1


def test_reset_of_an_unknown_account_is_no_error(admin_client):
    response = admin_client.get(reverse("admin:auth_user_reset_two_factor", args=[987654]), follow=True)
    assert response.status_code == 200
