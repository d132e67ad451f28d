"""django-axes: a username/address pair is locked after repeated failures, and unlocks by itself."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.mutuelle.factories import AgentFactory
from tests.staff.helpers import PASSWORD, post_password, verified_login

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture
def editor_account(django_user_model):
    user = django_user_model.objects.create_user(username="redaction2", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Rédaction"))
    return user


def fail(client, username, times, **extra):
    return [post_password(client, username, "mauvais-mot-de-passe", **extra) for _ in range(times)]


def test_the_settings_are_the_ones_documented():
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesBackend"
    middleware = settings.MIDDLEWARE
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert middleware.index("django_otp.middleware.OTPMiddleware") == auth + 1
    assert middleware.index("axes.middleware.AxesMiddleware") > auth + 1
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert LIMIT == 5
    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"


def test_failures_below_the_limit_show_the_form_again(client, editor_account):
    responses = fail(client, "redaction2", LIMIT - 1)
    assert all(response.status_code == 200 for response in responses)
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in responses[-1].text


def test_locked_out_after_the_limit_with_the_french_page(client, editor_account):
    responses = fail(client, "redaction2", LIMIT)
    page = responses[-1]
    assert page.status_code == 429
    assert "Trop de tentatives de connexion ont échoué" in page.text
    assert "Vous pourrez réessayer à partir de" in page.text
    assert "01 49 80 88 68" in page.text
    # The right password does not help while locked out.
    locked = post_password(client, "redaction2")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_gives_the_time_it_lifts(client, editor_account):
    fail(client, "redaction2", LIMIT)
    attempt = AccessAttempt.objects.get(username="redaction2")
    retry_at = timezone.localtime(attempt.attempt_time + settings.AXES_COOLOFF_TIME)
    page = post_password(client, "redaction2")
    assert page.status_code == 429
    assert f"<strong>{retry_at:%H:%M}</strong>" in page.text


def test_the_password_typed_is_never_stored(client, editor_account):
    post_password(client, "redaction2", "secret-tape-par-erreur")
    attempt = AccessAttempt.objects.get(username="redaction2")
    assert "secret-tape-par-erreur" not in attempt.post_data
    assert "auth-password" in attempt.post_data


def test_another_user_from_the_same_address_is_not_locked(client, editor_account, django_user_model):
    django_user_model.objects.create_user(username="collegue", password=PASSWORD, is_staff=True)
    fail(client, "redaction2", LIMIT)
    response = post_password(client, "collegue")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(django_user_model.objects.get(username="collegue").pk)


def test_the_same_user_from_another_address_is_not_locked(client, editor_account):
    fail(client, "redaction2", LIMIT, REMOTE_ADDR="203.0.113.7")
    locked = post_password(client, "redaction2", REMOTE_ADDR="203.0.113.7")
    assert locked.status_code == 429
    assert "Trop de tentatives de connexion ont échoué" in locked.text
    elsewhere = post_password(client, "redaction2", REMOTE_ADDR="198.51.100.20")
    assert elsewhere.status_code == 302
    assert elsewhere["Location"] == "/admin/"
    assert "_auth_user_id" in client.session


def test_behind_the_proxy_the_configured_header_is_the_address(client, editor_account, settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    fail(client, "redaction2", LIMIT, HTTP_X_REAL_IP="203.0.113.7")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    # Same proxy (REMOTE_ADDR), another client: not locked.
    assert post_password(client, "redaction2", HTTP_X_REAL_IP="198.51.100.20").status_code == 302


def test_the_lockout_lifts_by_itself_after_the_cool_off(client, editor_account):
    fail(client, "redaction2", LIMIT)
    assert post_password(client, "redaction2").status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME)
    response = post_password(client, "redaction2")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_success_resets_the_count(client, editor_account):
    fail(client, "redaction2", LIMIT - 1)
    assert post_password(client, "redaction2").status_code == 302
    assert not AccessAttempt.objects.filter(username="redaction2").exists()
    client.logout()
    # A full allowance again.
    assert all(r.status_code == 200 for r in fail(client, "redaction2", LIMIT - 1))


def test_axes_reset_lifts_a_lockout(client, editor_account):
    from django.core.management import call_command

    fail(client, "redaction2", LIMIT)
    call_command("axes_reset_username", "redaction2")
    response = post_password(client, "redaction2")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert "_auth_user_id" in client.session


def test_attempts_are_shown_to_superusers_only(admin_client, client, editor_account):
    fail(client, "redaction2", 2)
    response = admin_client.get("/admin/axes/accessattempt/")
    assert response.status_code == 200
    assert "redaction2" in response.text

    agent_client = type(client)()
    verified_login(agent_client, AgentFactory())
    assert agent_client.get("/admin/axes/accessattempt/").status_code == 403
    assert "/admin/axes/" not in agent_client.get("/admin/").text
