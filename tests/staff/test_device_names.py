"""Two-factor authentication does not depend on what a phone is called (issue 9, finding 1).

django-two-factor-auth only knows a device named « default ». An administrator who renames an
agent's phone in the OTP admin, or adds one under another name (docs/comptes.md), must not turn
the agent's password alone into a way in: every confirmed device of the account counts, for the
login wizard asking a code, for the admin's own check, and for refusing the setup wizard to a
session that gave no code. Each case with the « Mutuelle » role and with a superuser.
"""

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.admin_site import has_device, must_verify, primary_device
from tests.mutuelle.factories import AgentFactory
from tests.staff.helpers import PASSWORD, assert_sent_to_the_setup, login_url, post_password, post_token, token_for

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = reverse("admin:login")
REQUESTS = reverse("admin:mutuelle_interestrequest_changelist")
SETUP = reverse("two_factor:setup")


@pytest.fixture(params=["agent", "superuser"])
def account(request, django_user_model):
    if request.param == "superuser":
        return django_user_model.objects.create_superuser(username="chef", email="chef@example.org", password=PASSWORD)
    user = AgentFactory()
    user.set_password(PASSWORD)
    user.save()
    return user


def renamed_phone(user, name="Téléphone de Mme Martin"):
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    device.name = name  # what a superuser does in « Appareils TOTP »
    device.save()
    return device


def backup_codes(user, *tokens):
    device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    for token in tokens:
        device.token_set.create(token=token)
    return device


def refused(response):
    return response.status_code == 302 and response["Location"].startswith(ADMIN_LOGIN)


def assert_password_alone_is_not_enough(client, user):
    """A session opened by the password alone reaches neither the admin nor the setup wizard."""
    client.force_login(user)  # what the wizard's first step would give without a code step
    assert refused(client.get(REQUESTS))
    # The admin's login sends to the login wizard (password, then code), never to the setup.
    login = client.get(ADMIN_LOGIN + "?next=/admin/")
    assert login.status_code == 302
    assert login["Location"].startswith(reverse("two_factor:login"))
    # The setup wizard refuses to enrol a phone of the caller's own.
    for response in (client.get(SETUP), client.post(SETUP, {"setup_view-current_step": "welcome"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor:login"))
    client.logout()


def test_a_renamed_phone_is_still_asked_for_its_code(client, account):
    device = renamed_phone(account)
    assert has_device(account)
    assert must_verify(account)
    assert_password_alone_is_not_enough(client, account)

    first = post_password(client, account.username)
    assert first.status_code == 200
    assert "token-otp_token" in first.text
    assert "_auth_user_id" not in client.session

    done = post_token(client, token_for(device))
    assert done.status_code == 302
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(REQUESTS).status_code == 200
    # The profile page says the app is set up, and the setup wizard does not offer another one.
    assert "La double authentification est activée" in client.get(reverse("two_factor:profile")).text
    assert client.get(SETUP)["Location"] == reverse("two_factor:setup_complete")
    assert TOTPDevice.objects.filter(user=account).count() == 1


def test_a_wrong_code_for_a_renamed_phone_does_not_log_in(client, account):
    device = renamed_phone(account)
    post_password(client, account.username)
    wrong = "000000" if token_for(device) != "000000" else "111111"
    response = post_token(client, wrong)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert refused(client.get(REQUESTS))


def test_a_second_phone_under_another_name_counts_once_the_first_is_gone(client, account):
    first_phone = TOTPDevice.objects.create(user=account, name="default", confirmed=True)
    second_phone = TOTPDevice.objects.create(user=account, name="Téléphone du service", confirmed=True)
    # With both, the wizard asks the « default » one, as the package does.
    assert primary_device(account) == first_phone
    first_phone.delete()
    assert primary_device(account) == second_phone
    assert_password_alone_is_not_enough(client, account)

    post_password(client, account.username)
    done = post_token(client, token_for(second_phone))
    assert done.status_code == 302
    assert client.get(REQUESTS).status_code == 200


def test_a_phone_left_unconfirmed_does_not_count(client, account):
    # An enrolment stopped before its code: nothing to ask a code of, so the setup goes on.
    TOTPDevice.objects.create(user=account, name="Téléphone", confirmed=False)
    assert not has_device(account)

    assert_sent_to_the_setup(client, post_password(client, account.username))


def test_an_unconfirmed_phone_beside_a_renamed_one_changes_nothing(client, account):
    device = renamed_phone(account)
    TOTPDevice.objects.create(user=account, name="default", confirmed=False)
    assert primary_device(account) == device
    assert_password_alone_is_not_enough(client, account)
    post_password(client, account.username)
    assert post_token(client, token_for(device)).status_code == 302
    assert client.get(REQUESTS).status_code == 200


def test_backup_codes_alone_ask_for_a_backup_code_then_let_a_phone_be_enrolled(client, account):
    # The lost phone was removed by a superuser; the backup codes were left behind.
    backup = backup_codes(account, "abcd1234", "efgh5678")
    assert has_device(account)
    assert primary_device(account) is None
    assert_password_alone_is_not_enough(client, account)

    first = post_password(client, account.username)
    assert first.status_code == 200
    assert "backup-otp_token" in first.text
    assert "Code de secours" in first.text
    assert "_auth_user_id" not in client.session

    done = client.post(login_url(), {"login_view-current_step": "backup", "backup-otp_token": "abcd1234"})
    # Verified by the code, with no phone: straight to the setup wizard, which now enrols the new one.
    assert done.status_code == 302
    assert done["Location"] == SETUP
    assert backup.token_set.count() == 1
    assert client.get(SETUP).status_code == 200
    assert client.post(SETUP, {"setup_view-current_step": "welcome"}).status_code == 200


def test_the_last_backup_code_opens_the_session(client, account):
    backup = backup_codes(account, "abcd1234")
    post_password(client, account.username)
    done = client.post(login_url(), {"login_view-current_step": "backup", "backup-otp_token": "abcd1234"})
    assert done["Location"] == SETUP  # the last code: the phone is enrolled now, not at a password-only login
    assert not backup.token_set.exists()
    assert client.get(SETUP).status_code == 200


def test_a_wrong_backup_code_does_not_log_in(client, account):
    backup_codes(account, "abcd1234")
    post_password(client, account.username)
    wrong = client.post(login_url(), {"login_view-current_step": "backup", "backup-otp_token": "zzzz9999"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    assert refused(client.get(REQUESTS))


def test_used_up_backup_codes_leave_the_setup_to_the_password(client, account):
    # No phone and no code left: nothing can give a code, so the agent enrols a phone (as on a
    # first login) instead of being sent round between the login and the admin.
    backup_codes(account)
    assert not has_device(account)
    assert_sent_to_the_setup(client, post_password(client, account.username))


def test_an_editor_with_a_renamed_phone_must_use_it(client, django_user_model):
    from django.contrib.auth.models import Group

    editor = django_user_model.objects.create_user(username="redaction3", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Rédaction"))
    renamed_phone(editor)
    client.force_login(editor)
    assert refused(client.get(reverse("admin:index")))
