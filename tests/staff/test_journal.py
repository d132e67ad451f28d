"""The administrator's journal (staff/journal.py): who changed what and when, across every model."""

import datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from events.models import Event
from mutuelle.enums import RequestStatus
from mutuelle.models import InterestRequest
from mutuelle.services.journal import request_access_journal, requests_export_journal
from tests.actions.factories import ActionFactory
from tests.events.factories import EventFactory
from tests.helpers import paris_datetime, squash
from tests.mutuelle.factories import AgentFactory, InterestRequestFactory
from tests.staff.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

JOURNAL = reverse("admin:journal")


def change(obj, user, when, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj._history_date = when
    obj.save()


@pytest.fixture
def changes(editor):
    action = ActionFactory(title="Mois sans tabac")
    event = EventFactory(title="Café psycho")
    request = InterestRequestFactory()
    change(action, editor, paris_datetime(2026, 3, 2, 9), title="Mois sans tabac 2026")
    change(event, editor, paris_datetime(2026, 3, 5, 14, 30), title="Café psycho de mars")
    change(request, None, paris_datetime(2026, 3, 10, 11), status=RequestStatus.CONTACTED)
    return action, event, request


def exported(when, *, user, requests, file_format="CSV"):
    """An export of the list of ``requests`` journaled as the mutuelle's admin does, dated ``when`` (or now)."""
    requests_export_journal(
        user=user,
        interest_requests=InterestRequest.objects.filter(pk__in=[r.pk for r in requests]),
        file_format=file_format,
    )
    if when is not None:
        entries = LogEntry.objects.filter(object_id__in=[str(r.pk) for r in requests], action_time__gt=when)
        entries.update(action_time=when)


@pytest.fixture
def agent():
    return AgentFactory(username="awa")


@pytest.fixture
def exports(agent):
    """Two exports of personal data and one ordinary admin log entry (not an export)."""
    dupont = InterestRequestFactory(last_name="Dupont", first_name="Élodie")
    request_access_journal(user=agent, interest_request=dupont, what="fichier JSON")
    LogEntry.objects.filter(object_id=str(dupont.pk)).update(action_time=paris_datetime(2026, 3, 12, 10, 15))
    other = InterestRequestFactory(last_name="Martin")
    exported(paris_datetime(2026, 3, 4, 16, 45), user=agent, requests=[other], file_format="XLSX")
    LogEntry.objects.log_actions(
        user_id=agent.pk, queryset=[other], action_flag=CHANGE, change_message="Statut changé.", single_object=True
    )
    return dupont, other


def rows(response):
    assert response.status_code == 200
    return [squash(row) for row in response.text.split("<tbody>")[1].split("</tbody>")[0].split("</tr>")[:-1]]


def test_the_journal_lists_who_changed_what_and_when_newest_first(admin_client, changes, editor):
    response = admin_client.get(JOURNAL, {"until": "2026-03-31"})  # the creations are of today
    listed = rows(response)

    assert listed[0].startswith("10 mars 2026, 11:00")  # Paris time
    assert "Demande d’information mutuelle" in listed[0]
    assert listed[1].startswith("5 mars 2026, 14:30 redaction modification Événement Café psycho de mars")
    assert listed[2].startswith("2 mars 2026, 09:00 redaction modification Action Mois sans tabac 2026")
    assert f'href="{reverse("admin:events_event_history", args=[changes[1].pk])}"' in response.text


def test_the_journal_filters_by_person_kind_and_dates(admin_client, changes, editor):
    by_editor = rows(admin_client.get(JOURNAL, {"person": editor.pk}))
    assert len(by_editor) == 2
    assert all("redaction" in row for row in by_editor)

    events = rows(admin_client.get(JOURNAL, {"kind": ContentType.objects.get_for_model(Event).pk}))
    assert events and all("Événement" in row for row in events)

    march = rows(admin_client.get(JOURNAL, {"since": "2026-03-03", "until": "2026-03-05"}))
    assert len(march) == 1
    assert "Café psycho de mars" in march[0]


@pytest.mark.parametrize(
    "query",
    [{"person": "x"}, {"kind": "999999"}, {"since": "2026-02-30"}, {"page": "-1"}, {"page": "zz"}, {"kind": "\x00"}],
)
def test_bad_filters_never_break_the_journal(admin_client, changes, query):
    response = admin_client.get(JOURNAL, query)
    assert response.status_code in (200, 400)


def test_the_journal_is_for_superusers_and_holders_of_the_log_permission(client, editor_client, changes):
    assert editor_client.get(JOURNAL).status_code == 403
    assert "Journal des modifications" not in editor_client.get(reverse("admin:index")).text

    reader = StaffUserFactory()
    reader.user_permissions.add(Permission.objects.get(codename="view_logentry"))
    client.force_login(reader)
    assert client.get(JOURNAL).status_code == 200
    assert reverse("admin:journal") in client.get(reverse("admin:index")).text


def test_the_admin_index_links_to_the_journal(admin_client):
    assert f'href="{JOURNAL}"' in admin_client.get(reverse("admin:index")).text


@pytest.mark.parametrize("count", [3, 60])
def test_the_journal_runs_a_bounded_number_of_queries(admin_client, editor, count, django_assert_max_num_queries):
    agent = AgentFactory()
    for number in range(count):
        event = EventFactory(start=paris_datetime(2026, 4, 1, 10) + datetime.timedelta(days=number))
        change(event, editor, paris_datetime(2026, 3, 1, 9), title=f"Atelier {number}")
        change(ActionFactory(), editor, paris_datetime(2026, 3, 1, 10), title=f"Action {number}")
        exported(None, user=agent, requests=[InterestRequestFactory()])  # now, among the creations
    with django_assert_max_num_queries(20):
        response = admin_client.get(JOURNAL)
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count > 3 * count
    assert any(entry["kind"] == "Export" for entry in response.context["entries"])


def test_exports_of_personal_data_are_in_the_journal_with_who_when_and_what(admin_client, changes, exports):
    dupont, other = exports
    response = admin_client.get(JOURNAL, {"until": "2026-03-31"})
    listed = rows(response)

    assert len(listed) == 5  # 3 versions, 2 exports; the ordinary log entry is not an export
    assert listed[0] == f"12 mars 2026, 10:15 awa export Export {dupont.reference} droit d’accès, fichier JSON."
    assert listed[1].startswith("10 mars 2026, 11:00")
    assert (
        listed[3] == f"4 mars 2026, 16:45 awa export Export {other.reference} liste des demandes (XLSX, 1 demande(s))."
    )
    assert f'href="{reverse("admin:mutuelle_interestrequest_change", args=[dupont.pk])}"' in response.text
    assert "Statut changé" not in response.text
    for name in ("Dupont", "Élodie", "Martin"):  # a reference, never a person's name
        assert name not in " ".join(listed)


def test_the_journal_filters_exports_like_the_other_kinds(admin_client, changes, exports, agent, editor):
    form = admin_client.get(JOURNAL).context["form"]
    assert ("exports", "Exports de données personnelles") in form.fields["kind"].choices

    only_exports = rows(admin_client.get(JOURNAL, {"kind": "exports"}))
    assert len(only_exports) == 2
    assert all(" awa export Export " in row for row in only_exports)

    events = rows(admin_client.get(JOURNAL, {"kind": ContentType.objects.get_for_model(Event).pk}))
    assert events and not any("export" in row for row in events)

    assert len(rows(admin_client.get(JOURNAL, {"person": agent.pk}))) == 2
    assert not any("export" in row for row in rows(admin_client.get(JOURNAL, {"person": editor.pk})))
    march_12 = rows(admin_client.get(JOURNAL, {"kind": "exports", "since": "2026-03-05", "until": "2026-03-12"}))
    assert len(march_12) == 1 and "fichier JSON" in march_12[0]


def test_exports_are_paginated_with_the_versions(admin_client, agent):
    requests = InterestRequestFactory.create_batch(60)  # 60 creations, then an export of 60 requests
    exported(paris_datetime(2026, 3, 1, 9), user=agent, requests=requests)
    first = admin_client.get(JOURNAL, {"kind": "exports"})
    assert first.context["page_obj"].paginator.count == 60
    assert len(rows(first)) == 50
    assert len(rows(admin_client.get(JOURNAL, {"kind": "exports", "page": 2}))) == 10
    assert admin_client.get(JOURNAL).context["page_obj"].paginator.count >= 120  # + the 60 creations


def test_a_reader_without_the_mutuelle_permission_sees_exports_and_requests_without_links(client, changes, exports):
    """The journal's reader who may not open the requests (no « Mutuelle » permission) reads
    who exported what, and the request's versions, without links that would answer 403."""
    dupont, _other = exports
    _action, _event, request = changes
    reader = StaffUserFactory()
    reader.user_permissions.add(Permission.objects.get(codename="view_logentry"))
    client.force_login(reader)
    response = client.get(JOURNAL, {"until": "2026-03-31"})
    listed = rows(response)
    assert listed[0] == f"12 mars 2026, 10:15 awa export Export {dupont.reference} droit d’accès, fichier JSON."
    assert reverse("admin:mutuelle_interestrequest_change", args=[dupont.pk]) not in response.text
    assert reverse("admin:mutuelle_interestrequest_history", args=[request.pk]) not in response.text
    assert client.get(reverse("admin:mutuelle_interestrequest_change", args=[dupont.pk])).status_code == 403
    # The content's history stays linked for who may see it.
    reader.user_permissions.add(Permission.objects.get(codename="view_action"))
    action = changes[0]
    assert reverse("admin:actions_action_history", args=[action.pk]) in client.get(JOURNAL).text
