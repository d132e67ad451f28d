"""Previews of unpublished pages: only for those the admin would let in (issue 9 §4).

A session stopped between the password and the two-factor code is logged in and ``is_staff``,
but the admin refuses it (staff/admin_site.py); the previews of unpublished content must
refuse it too, whatever the page: an action, an event, an event of an unpublished action, a
partner, a place.
"""

import pytest
from django.contrib.auth.models import Group

from tests.actions.factories import ActionFactory
from tests.events.factories import EventFactory, PlaceFactory
from tests.helpers import assert_not_found_page
from tests.mutuelle.factories import AgentFactory
from tests.partners.factories import PartnerFactory
from tests.staff.factories import StaffUserFactory
from tests.staff.helpers import add_device, verified_login

pytestmark = pytest.mark.django_db

UNPUBLISHED = {
    "action": lambda: ActionFactory(published=False),
    "event": lambda: EventFactory(published=False),
    "event of an unpublished action": lambda: EventFactory(action=ActionFactory(published=False)),
    "partner": lambda: PartnerFactory(published=False),
    "place": lambda: PlaceFactory(published=False),
}


@pytest.fixture(params=UNPUBLISHED.values(), ids=UNPUBLISHED.keys())
def draft_url(request):
    return request.param().get_absolute_url()


def editor(**fields):
    """An editor of the « Rédaction » group: staff, and no two-factor authentication required."""
    user = StaffUserFactory(**fields)
    user.groups.add(Group.objects.get(name="Rédaction"))
    return user


def superuser():
    return StaffUserFactory(is_superuser=True)


ACCOUNTS_WHO_MUST_GIVE_A_CODE = {
    "superuser": superuser,
    "mutuelle agent": AgentFactory,
    # An editor who enrolled a phone uses it: the admin wants the code from them too.
    "editor with a phone": lambda: add_device(editor()).user,
}


@pytest.mark.parametrize("make_user", ACCOUNTS_WHO_MUST_GIVE_A_CODE.values(), ids=ACCOUNTS_WHO_MUST_GIVE_A_CODE.keys())
def test_a_session_stopped_before_the_two_factor_code_gets_no_preview(client, draft_url, make_user):
    client.force_login(make_user())  # the password given, not the code

    assert_not_found_page(client.get(draft_url))


@pytest.mark.parametrize("make_user", ACCOUNTS_WHO_MUST_GIVE_A_CODE.values(), ids=ACCOUNTS_WHO_MUST_GIVE_A_CODE.keys())
def test_a_session_verified_by_a_code_gets_the_preview(client, draft_url, make_user):
    verified_login(client, make_user())

    response = client.get(draft_url)

    assert response.status_code == 200
    assert "Aperçu" in response.content.decode() or "n’est pas publiée" in response.content.decode()


def test_an_editor_without_a_phone_gets_the_preview(client, draft_url):
    client.force_login(editor())

    response = client.get(draft_url)

    assert response.status_code == 200
    assert "<strong>Aperçu :</strong>" in response.content.decode()


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: editor(is_active=False),
        lambda: StaffUserFactory(is_staff=False),
        lambda: StaffUserFactory(is_staff=False, is_superuser=True),
    ],
    ids=["inactive editor", "not staff", "superuser flag without staff"],
)
def test_an_account_the_admin_refuses_gets_no_preview(client, draft_url, make_user):
    client.force_login(make_user())

    assert_not_found_page(client.get(draft_url))


def test_nobody_logged_in_gets_no_preview(client, draft_url):
    assert_not_found_page(client.get(draft_url))
