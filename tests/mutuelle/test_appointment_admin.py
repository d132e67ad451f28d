"""The appointments in the back-office (issue 15 §3): the day's list with the related request, who came,
an appointment taken by phone, the permanences' settings; only « Mutuelle » and superusers see any of it."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from mutuelle.enums import AppointmentStatus
from mutuelle.models import Appointment, Permanence
from tests.helpers import assert_refused_page
from tests.mutuelle.factories import (
    AgentFactory,
    AppointmentFactory,
    InterestRequestFactory,
    PermanenceEventFactory,
    next_morning,
)
from tests.staff.factories import StaffUserFactory
from tests.staff.helpers import verified_login

pytestmark = pytest.mark.django_db

PREFIXES = ("mutuelle_appointment_", "mutuelle_permanence_")
REFUSED_TO_ALL = {"mutuelle_appointment_delete", "mutuelle_permanence_delete"}


def _walk(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


URL_NAMES = sorted(
    pattern.name for pattern in _walk(admin.site.get_urls()) if pattern.name and pattern.name.startswith(PREFIXES)
)


@pytest.fixture
def appointment():
    event = PermanenceEventFactory()
    Permanence.objects.create(event=event)
    return AppointmentFactory(event=event, last_name="Benali", interest_request=InterestRequestFactory())


def fill(name, appointment):
    if name.endswith(("_changelist", "_add")):
        return reverse(f"admin:{name}")
    obj = appointment if name.startswith("mutuelle_appointment_") else appointment.event.mutuelle_permanence
    if name.endswith("_simple_history"):
        return reverse(f"admin:{name}", args=[obj.pk, obj.history.earliest("history_date").history_id])
    return reverse(f"admin:{name}", args=[obj.pk])


def test_the_matrix_sees_the_pages():
    assert {
        "mutuelle_appointment_changelist",
        "mutuelle_appointment_add",
        "mutuelle_appointment_change",
        "mutuelle_appointment_history",
        "mutuelle_permanence_changelist",
        "mutuelle_permanence_change",
    } <= set(URL_NAMES)


@pytest.mark.parametrize("name", URL_NAMES)
def test_staff_outside_the_mutuelle_group_is_refused_even_with_the_permissions(client, appointment, name):
    """A permission given by mistake opens nothing: the group is checked on top of it (403)."""
    user = StaffUserFactory()
    user.groups.add(Group.objects.get(name="Rédaction"))
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="mutuelle"))
    verified_login(client, user)
    response = client.get(fill(name, appointment))
    assert_refused_page(response)
    assert "Benali" not in response.content.decode()


@pytest.mark.parametrize("name", URL_NAMES)
def test_the_events_team_is_refused(client, appointment, name):
    user = StaffUserFactory()
    user.groups.add(Group.objects.get(name="Inscriptions aux événements"))
    verified_login(client, user)
    assert_refused_page(client.get(fill(name, appointment)))


@pytest.mark.parametrize("name", URL_NAMES)
def test_a_mutuelle_agent_gets_every_page_but_delete(client, appointment, name):
    verified_login(client, AgentFactory())
    response = client.get(fill(name, appointment))
    if name in REFUSED_TO_ALL:
        assert_refused_page(response)
    else:
        assert response.status_code == 200


def test_the_days_list_links_the_request_and_stays_within_its_query_budget(
    client, appointment, django_assert_max_num_queries
):
    today = PermanenceEventFactory(start=next_morning(days=0))
    for minutes in range(0, 180, 20):
        AppointmentFactory(
            event=today,
            slot_start=today.start + datetime.timedelta(minutes=minutes),
            interest_request=InterestRequestFactory(),
        )
    verified_login(client, AgentFactory())
    url = reverse("admin:mutuelle_appointment_changelist") + "?jour=aujourd-hui"
    with django_assert_max_num_queries(20):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('href="/admin/mutuelle/interestrequest/') == 9
    assert "Benali" not in body  # another day


def test_the_agent_marks_who_came(client, appointment):
    verified_login(client, AgentFactory())
    response = client.post(
        reverse("admin:mutuelle_appointment_changelist"),
        {"action": "mark_came", "_selected_action": [appointment.pk]},
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CAME


def test_the_agent_takes_an_appointment_by_phone(client, appointment):
    agent = AgentFactory()
    verified_login(client, agent)
    add = client.get(reverse("admin:mutuelle_appointment_add"))
    assert add.status_code == 200
    second = timezone.localtime(appointment.event.start + datetime.timedelta(minutes=20))
    slot = f"{appointment.event_id}|{second:%Y-%m-%dT%H:%M}"
    assert f'value="{slot}"' in add.content.decode()
    # The slot already taken is not offered.
    taken = f"{appointment.event_id}|{timezone.localtime(appointment.event.start):%Y-%m-%dT%H:%M}"
    assert f'value="{taken}"' not in add.content.decode()
    data = {"slot_choice": slot, "first_name": "Awa", "last_name": "Diallo", "phone": "06 12 34 56 78", "email": ""}
    refused = client.post(reverse("admin:mutuelle_appointment_add"), data)
    assert refused.status_code == 200 and "notice" in refused.content.decode()
    response = client.post(reverse("admin:mutuelle_appointment_add"), {**data, "notice_read": "on"})
    assert response.status_code == 302
    created = Appointment.objects.get(last_name="Diallo")
    assert created.source == "agent" and created.created_by == agent and created.notice_read_at is not None


def test_a_bad_slot_in_the_add_form_is_an_error_not_a_500(client, appointment):
    verified_login(client, AgentFactory())
    for value in ("", "abc", "999|2026-01-01T09:00", f"{appointment.event_id}|nimporte"):
        response = client.post(
            reverse("admin:mutuelle_appointment_add"),
            {
                "slot_choice": value,
                "first_name": "Awa",
                "last_name": "Diallo",
                "phone": "0612345678",
                "notice_read": "on",
            },
        )
        assert response.status_code == 200
    assert Appointment.objects.count() == 1


def test_the_request_page_lists_its_appointments_and_the_access_export_has_them(client, appointment):
    verified_login(client, AgentFactory())
    request_obj = appointment.interest_request
    page = client.get(reverse("admin:mutuelle_interestrequest_change", args=[request_obj.pk])).content.decode()
    assert appointment.reference in page and appointment.get_admin_url() in page
    data = client.get(reverse("admin:mutuelle_interestrequest_personal_data", args=[request_obj.pk])).content.decode()
    assert appointment.reference in data and "Vos rendez-vous aux permanences" in data


def test_the_dashboard_counts_the_days_appointments(client):
    AppointmentFactory(event=PermanenceEventFactory(start=next_morning(days=0)))
    verified_login(client, AgentFactory())
    page = client.get(reverse("admin:index")).content.decode()
    assert "1 rendez-vous aujourd’hui" in page and "?jour=aujourd-hui" in page
