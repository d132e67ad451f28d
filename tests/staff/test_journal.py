"""The administrator's journal (staff/journal.py): who changed what and when, across every model."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from events.models import Event
from mutuelle.enums import RequestStatus
from tests.actions.factories import ActionFactory
from tests.events.factories import EventFactory
from tests.helpers import paris_datetime, squash
from tests.mutuelle.factories import InterestRequestFactory
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

    from django.contrib.contenttypes.models import ContentType

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
    for number in range(count):
        event = EventFactory(start=paris_datetime(2026, 4, 1, 10) + datetime.timedelta(days=number))
        change(event, editor, paris_datetime(2026, 3, 1, 9), title=f"Atelier {number}")
        change(ActionFactory(), editor, paris_datetime(2026, 3, 1, 10), title=f"Action {number}")
    with django_assert_max_num_queries(20):
        response = admin_client.get(JOURNAL)
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count > count
