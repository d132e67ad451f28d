"""Two-factor authentication: required for superusers and « Mutuelle », optional for « Rédaction »,
through the admin's own site so that no admin page can be reached around it."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.helpers import h1s_of
from tests.mutuelle.factories import AgentFactory, InterestRequestFactory
from tests.staff.helpers import (
    PASSWORD,
    add_device,
    assert_sent_to_the_setup,
    login_url,
    post_password,
    post_token,
    token_for,
    verified_login,
)

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = reverse("admin:login")


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="chef", email="chef@example.org", password=PASSWORD)


@pytest.fixture
def agent():
    user = AgentFactory()
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def editor_account(django_user_model):
    user = django_user_model.objects.create_user(username="redaction2", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Rédaction"))
    return user


def refused(response):
    return response.status_code == 302 and response["Location"].startswith(ADMIN_LOGIN)


# Who needs it -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["superuser", "agent"])
def test_password_alone_does_not_open_the_admin_to_who_must_use_it(client, request, who):
    user = request.getfixturevalue(who)
    add_device(user)
    client.force_login(user)  # a session without the OTP key: what a password alone would give
    assert refused(client.get(reverse("admin:index")))
    # The admin's login sends to the wizard, which asks for the password then the code.
    response = client.get(ADMIN_LOGIN + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:login"))


def test_an_editor_needs_no_second_factor(client, editor_account):
    client.force_login(editor_account)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "CLS Créteil — administration" in response.text


def test_an_editor_who_enrolled_a_phone_must_use_it(client, editor_account):
    add_device(editor_account)
    client.force_login(editor_account)
    assert refused(client.get(reverse("admin:index")))


def test_a_verified_agent_and_superuser_get_in(client, agent, superuser):
    verified_login(client, agent)
    requests = client.get(reverse("admin:mutuelle_interestrequest_changelist"))
    assert requests.status_code == 200
    assert h1s_of(requests.text) == ["Choisir une demande d’information mutuelle à modifier"]
    other = Client()
    verified_login(other, superuser)
    index = other.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "CLS Créteil — administration" in index.text


# The login wizard ---------------------------------------------------------------------------------


def test_the_whole_login_with_a_real_totp_code(client, agent):
    device = add_device(agent)
    first = post_password(client, agent.username)
    assert first.status_code == 200
    assert "token-otp_token" in first.text
    assert "Code à 6 chiffres de l’application" in first.text
    assert "_auth_user_id" not in client.session  # not logged in after the password alone
    done = post_token(client, token_for(device))
    assert done.status_code == 302
    assert done["Location"] == "/admin/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(reverse("admin:mutuelle_interestrequest_changelist")).status_code == 200


def test_a_wrong_code_does_not_log_in(client, agent):
    add_device(agent)
    post_password(client, agent.username)
    response = post_token(client, "000000" if token_for(agent.totpdevice_set.get()) != "000000" else "111111")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert refused(client.get(reverse("admin:index")))


def test_a_backup_code_replaces_the_phone_once(client, agent):
    add_device(agent)
    backup = StaticDevice.objects.create(user=agent, name="backup")
    backup.token_set.create(token="abcd1234")
    post_password(client, agent.username)
    client.post(login_url(), {"login_view-current_step": "token", "wizard_goto_step": "backup"})
    response = client.post(login_url(), {"login_view-current_step": "backup", "backup-otp_token": "abcd1234"})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    assert not backup.token_set.exists()


def test_first_login_of_an_agent_without_phone_leads_to_the_setup(client, superuser):
    assert_sent_to_the_setup(client, post_password(client, superuser.username))


# The setup wizard ---------------------------------------------------------------------------------


def test_setup_wizard_qr_code_secret_key_then_backup_codes(client, superuser):
    client.force_login(superuser)
    setup = reverse("two_factor:setup")
    welcome = client.get(setup)
    assert welcome.status_code == 200
    assert "application d’authentification" in welcome.text
    generator = client.post(setup, {"setup_view-current_step": "welcome"})
    assert generator.status_code == 200
    qr_url = reverse("two_factor:qr")
    assert f'src="{qr_url}"' in generator.text
    secret = generator.context["secret_key"]
    assert secret in generator.text
    qr = client.get(qr_url)
    assert qr.status_code == 200
    assert qr["Content-Type"].startswith("image/svg+xml")

    key = client.session["wizard_setup_view"]["extra_data"]["keys"]["generator"]
    device = TOTPDevice(key=key)
    done = client.post(setup, {"setup_view-current_step": "generator", "generator-token": token_for(device)})
    assert done.status_code == 302
    assert done["Location"] == reverse("two_factor:setup_complete")
    assert TOTPDevice.objects.filter(user=superuser, confirmed=True).count() == 1
    # Verified by the setup itself: the admin opens.
    assert client.get(reverse("admin:index")).status_code == 200
    assert "codes de secours" in client.get(done["Location"]).text

    codes = client.post(reverse("two_factor:backup_tokens"))
    assert codes.status_code == 302
    tokens = list(StaticDevice.objects.get(user=superuser).token_set.values_list("token", flat=True))
    assert len(tokens) == 10
    page = client.get(reverse("two_factor:backup_tokens"))
    assert all(token in page.text for token in tokens)


def test_setup_refuses_to_add_a_phone_with_a_password_alone(client, agent):
    add_device(agent)
    client.force_login(agent)
    response = client.post(reverse("two_factor:setup"), {"setup_view-current_step": "welcome"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:login"))
    assert agent.totpdevice_set.count() == 1


def test_who_must_use_it_cannot_disable_it(client, agent):
    verified_login(client, agent)
    assert client.post(reverse("two_factor:disable"), {"understand": "on"}).status_code == 403
    assert agent.totpdevice_set.exists()


def test_an_editor_may_disable_it(client, editor_account):
    verified_login(client, editor_account)
    response = client.post(reverse("two_factor:disable"), {"understand": "on"})
    assert response.status_code == 302
    assert not editor_account.totpdevice_set.exists()


# Bypass attempts ----------------------------------------------------------------------------------


def test_posting_to_a_change_form_without_the_second_factor_changes_nothing(client, agent):
    add_device(agent)
    request_obj = InterestRequestFactory()
    client.force_login(agent)
    url = reverse("admin:mutuelle_interestrequest_change", args=[request_obj.pk])
    response = client.post(url, {"last_name": "Modifié", "status": "contactee"})
    assert refused(response)
    request_obj.refresh_from_db()
    assert request_obj.last_name != "Modifié"


def test_a_forged_device_id_of_someone_else_does_not_verify(client, agent, superuser):
    other_device = add_device(superuser)
    add_device(agent)
    client.force_login(agent)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = other_device.persistent_id
    session.save()
    assert refused(client.get(reverse("admin:mutuelle_interestrequest_changelist")))


@pytest.mark.parametrize(
    "name", ["setup", "qr", "setup_complete", "backup_tokens", "profile", "disable"], ids=lambda n: n
)
def test_the_two_factor_pages_need_a_login(client, name):
    response = client.get(reverse(f"two_factor:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:login")) or response["Location"].startswith("/admin/")
    assert "_auth_user_id" not in client.session


# Every admin URL ----------------------------------------------------------------------------------


def _walk(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern


ADMIN_PATTERNS = {pattern.name: pattern for pattern in _walk(admin.site.get_urls())}
# The login and logout pages are the way in and out, open to all.
NOT_GUARDED = {"login", "logout"}


def admin_url(name):
    """A URL of the admin pattern ``name``, its arguments filled with plausible values."""
    pattern = ADMIN_PATTERNS[name].pattern
    if isinstance(pattern, RoutePattern):
        kwargs = dict.fromkeys(pattern.converters, "1")
        return reverse(f"admin:{name}", kwargs=kwargs)
    assert isinstance(pattern, RegexPattern)
    if pattern.regex.groupindex:
        kwargs = {key: "mutuelle" if key == "app_label" else "1" for key in pattern.regex.groupindex}
        return reverse(f"admin:{name}", kwargs=kwargs)
    return reverse(f"admin:{name}", args=["1"] * pattern.regex.groups)


GUARDED = sorted(set(ADMIN_PATTERNS) - NOT_GUARDED)


def test_the_matrix_sees_the_whole_admin():
    assert {"index", "mutuelle_interestrequest_change", "auth_user_changelist", "axes_accessattempt_changelist"} <= set(
        GUARDED
    )


@pytest.mark.parametrize("name", GUARDED)
def test_every_admin_url_refuses_an_unverified_superuser_and_agent(name, superuser, agent):
    InterestRequestFactory()
    url = admin_url(name)
    for user in (superuser, agent):
        add_device(user)
        client = Client()
        client.force_login(user)
        assert refused(client.get(url)), (user, url)


@pytest.mark.parametrize("name", GUARDED)
def test_every_admin_url_lets_a_verified_superuser_in(admin_client, name):
    InterestRequestFactory()
    response = admin_client.get(admin_url(name))
    assert not refused(response), admin_url(name)


# Lost phone, logging out half-way -----------------------------------------------------------------


def test_an_agent_whose_lost_phone_was_removed_enrols_a_new_one(client, agent):
    # docs/comptes.md: a superuser deletes the lost phone; the backup codes may stay behind. The
    # agent gives one of them (the password alone would let anyone enrol a phone), then enrols.
    add_device(agent)
    StaticDevice.objects.create(user=agent, name="backup").token_set.create(token="abcd1234")
    TOTPDevice.objects.filter(user=agent).delete()

    asked = post_password(client, agent.username)
    assert asked.status_code == 200
    assert "backup-otp_token" in asked.text
    done = client.post(login_url(), {"login_view-current_step": "backup", "backup-otp_token": "abcd1234"})
    assert done.status_code == 302
    assert client.get(reverse("two_factor:setup")).status_code == 200


def test_an_agent_whose_phone_and_codes_were_removed_enrols_after_the_password(client, agent):
    add_device(agent)
    StaticDevice.objects.create(user=agent, name="backup").token_set.create(token="abcd1234")
    TOTPDevice.objects.filter(user=agent).delete()
    StaticDevice.objects.filter(user=agent).delete()

    assert_sent_to_the_setup(client, post_password(client, agent.username))


def test_a_session_stopped_before_the_code_can_log_out(client, superuser):
    client.force_login(superuser)
    setup = client.get(reverse("two_factor:setup"))
    assert 'action="/admin/compte/deconnexion/"' in setup.content.decode()
    # The admin's own logout sends such a session back to the login: it stays open there.
    client.post(reverse("admin:logout"))
    assert "_auth_user_id" in client.session

    response = client.post(reverse("two_factor:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor:login")
    assert "_auth_user_id" not in client.session


def test_the_admin_links_to_the_two_factor_page(admin_client):
    body = admin_client.get(reverse("admin:index")).content.decode()

    assert f'<a href="{reverse("two_factor:profile")}">Double authentification</a>' in body
    assert "CLS Créteil — administration" in body  # Django's base_site, extended, not replaced
