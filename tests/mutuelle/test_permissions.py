"""Who may open the pages that show interest requests: the permission matrix.

Every admin URL of the requests, their notes and their history is collected from the admin
site's URL patterns, so a URL added later (a new view, a newly registered model) is in the
matrix without anyone writing a line here — or makes the test fail until it says how to fill
the URL's arguments.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import URLPattern, URLResolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from tests.helpers import assert_refused_page, h1s_of
from tests.mutuelle.factories import AgentFactory, FollowUpNoteFactory, InterestRequestFactory
from tests.staff.factories import StaffUserFactory
from tests.staff.helpers import verified_login

pytestmark = pytest.mark.django_db

PREFIXES = ("mutuelle_interestrequest_", "mutuelle_followupnote_", "mutuelle_historical")
# Pages that exist for everyone's admin but are refused to all: requests are never deleted.
REFUSED_TO_ALL = {"mutuelle_interestrequest_delete"}


def _walk(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


def request_url_patterns():
    """{URL name: pattern} of every admin URL about requests, their notes or their history."""
    return {
        pattern.name: pattern
        for pattern in _walk(admin.site.get_urls())
        if pattern.name and pattern.name.startswith(PREFIXES)
    }


URL_PATTERNS = request_url_patterns()


def fill(name, request_obj):
    """The URL of ``name`` for a real request (and its first history row where one is needed)."""
    pattern = URL_PATTERNS[name].pattern
    if isinstance(pattern, RoutePattern):
        converters = set(pattern.converters)
        if not converters:
            return reverse(f"admin:{name}")
        if converters == {"object_id"}:
            return reverse(f"admin:{name}", kwargs={"object_id": request_obj.pk})
    elif isinstance(pattern, RegexPattern) and name.endswith("_simple_history") and pattern.regex.groups == 2:
        version = request_obj.history.earliest("history_date")
        return reverse(f"admin:{name}", args=[request_obj.pk, version.history_id])
    pytest.fail(f"Nouvelle URL {name!r} ({pattern}) : indiquez ici comment remplir ses paramètres.")


@pytest.fixture
def request_obj():
    obj = InterestRequestFactory()
    FollowUpNoteFactory(interest_request=obj)
    return obj


@pytest.fixture
def agent():
    return AgentFactory()


def assert_opens(response, request_obj):
    """A page the account may see: an admin page with its one heading, or the request's data as JSON."""
    assert response.status_code == 200
    if response["Content-Type"].startswith("application/json"):
        assert request_obj.last_name in response.text
    else:
        [heading] = h1s_of(response.text)
        assert heading


def assert_opens_unless_refused_to_all(response, request_obj, name):
    if name in REFUSED_TO_ALL:
        assert_refused_page(response)
    else:
        assert_opens(response, request_obj)


def test_the_matrix_sees_every_page_of_the_requests():
    assert {
        "mutuelle_interestrequest_changelist",
        "mutuelle_interestrequest_add",
        "mutuelle_interestrequest_change",
        "mutuelle_interestrequest_delete",
        "mutuelle_interestrequest_history",
        "mutuelle_interestrequest_simple_history",
        "mutuelle_interestrequest_export",
        "mutuelle_interestrequest_personal_data",
        "mutuelle_interestrequest_erase",
    } <= set(URL_PATTERNS)


@pytest.mark.parametrize("name", sorted(URL_PATTERNS))
def test_anonymous_visitor_is_sent_to_the_login_page(client, request_obj, name):
    url = fill(name, request_obj)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("name", sorted(URL_PATTERNS))
def test_editor_is_refused(editor_client, request_obj, name):
    response = editor_client.get(fill(name, request_obj))
    assert response.status_code == 403
    assert request_obj.last_name not in response.text


@pytest.mark.parametrize("name", sorted(URL_PATTERNS))
def test_staff_without_group_is_refused(client, request_obj, name):
    client.force_login(StaffUserFactory())
    assert_refused_page(client.get(fill(name, request_obj)))


@pytest.mark.parametrize("name", sorted(URL_PATTERNS))
def test_agent_gets_every_page_but_delete(client, agent, request_obj, name):
    verified_login(client, agent)
    response = client.get(fill(name, request_obj))
    assert_opens_unless_refused_to_all(response, request_obj, name)


@pytest.mark.parametrize("name", sorted(URL_PATTERNS))
def test_superuser_gets_every_page_but_delete(admin_client, request_obj, name):
    response = admin_client.get(fill(name, request_obj))
    assert_opens_unless_refused_to_all(response, request_obj, name)


# Beyond GET ----------------------------------------------------------------------------------


def test_editor_cannot_erase_or_change_by_posting(editor_client, request_obj):
    assert editor_client.post(fill("mutuelle_interestrequest_erase", request_obj)).status_code == 403
    assert editor_client.post(fill("mutuelle_interestrequest_delete", request_obj), {"post": "yes"}).status_code == 403
    assert editor_client.post(fill("mutuelle_interestrequest_export", request_obj), {"format": "0"}).status_code == 403
    request_obj.refresh_from_db()
    assert request_obj.anonymised_at is None
    assert request_obj.last_name.startswith("Diallo")


def test_nobody_deletes_a_request(admin_client, request_obj):
    response = admin_client.post(fill("mutuelle_interestrequest_delete", request_obj), {"post": "yes"})
    assert response.status_code == 403
    changelist = admin_client.get(reverse("admin:mutuelle_interestrequest_changelist"))
    assert "delete_selected" not in changelist.text
    assert type(request_obj).objects.filter(pk=request_obj.pk).exists()


def test_history_version_cannot_be_reverted(client, agent, request_obj):
    verified_login(client, agent)
    url = fill("mutuelle_interestrequest_simple_history", request_obj)
    page = client.get(url)
    assert page.status_code == 200
    assert "Rétablir" not in page.text and "Revert" not in page.text
    assert client.post(url, {"last_name": "Autre"}).status_code == 403


def test_a_permission_given_outside_the_group_is_not_enough(client, request_obj):
    """Belt and braces: only members of « Mutuelle » (and superusers) see requests, whatever their rights."""
    user = StaffUserFactory()
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="mutuelle", codename__endswith="interestrequest")
    )
    client.force_login(user)
    assert_refused_page(client.get(reverse("admin:mutuelle_interestrequest_changelist")))
    assert_refused_page(client.get(fill("mutuelle_interestrequest_change", request_obj)))
    assert_refused_page(client.get(reverse("admin:mutuelle_interestrequest_export")))


@pytest.mark.parametrize(
    ("codename", "url_names"),
    [
        ("export_interestrequest", ["mutuelle_interestrequest_export", "mutuelle_interestrequest_personal_data"]),
        ("erase_interestrequest", ["mutuelle_interestrequest_erase"]),
    ],
)
def test_export_and_erasure_need_their_own_permission(client, agent, request_obj, codename, url_names):
    Group.objects.get(name="Mutuelle").permissions.remove(Permission.objects.get(codename=codename))
    verified_login(client, agent)
    for name in url_names:
        assert client.get(fill(name, request_obj)).status_code == 403
        assert client.post(fill(name, request_obj), {"format": "0"}).status_code == 403
    assert client.get(fill("mutuelle_interestrequest_change", request_obj)).status_code == 200
    request_obj.refresh_from_db()
    assert request_obj.anonymised_at is None


def test_editor_does_not_see_requests_in_the_admin_index(editor_client):
    response = editor_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("admin:mutuelle_interestrequest_changelist") not in response.text
