"""After the event: who came, from the sign-in sheet, into the event's attendance (issue 15 §2);
and a person's right of access to everything held on their registrations."""

import csv
import datetime
import io
import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from events import registrations as services
from events.enums import EventStatus, RegistrationStatus
from events.models import PRESENCE_BEFORE_START, PRESENCE_CANCELLED, Event, Registration
from staff.groups import REGISTRATIONS_GROUP
from staff.journal import EXPORT_MESSAGE_PREFIX
from tests.events.factories import PortalEventFactory, RegistrationFactory
from tests.staff.helpers import verified_login

pytestmark = pytest.mark.django_db


def started_event(**values):
    """An event on the site that started an hour ago (still under way)."""
    start = timezone.now() - datetime.timedelta(hours=1)
    return PortalEventFactory(start=start, end=start + datetime.timedelta(hours=2), **values)


@pytest.fixture
def team_member(django_user_model):
    user = django_user_model.objects.create_user(
        username="animation", password="x", is_staff=True, first_name="Léa", last_name="Bernard"
    )
    user.groups.add(Group.objects.get(name=REGISTRATIONS_GROUP))
    return user


@pytest.fixture
def registrations_client(client, team_member):
    verified_login(client, team_member)
    return client


def presence_url(event):
    return reverse("admin:events_registration_presence", args=[event.pk])


# The data: constraints and model validation ---------------------------------------------------


def test_the_database_refuses_more_people_than_places_and_a_cancelled_registration_noted():
    registration = RegistrationFactory(event=started_event(), places=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.filter(pk=registration.pk).update(places_attended=3)
    Registration.objects.filter(pk=registration.pk).update(places_attended=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.filter(pk=registration.pk).update(status=RegistrationStatus.CANCELLED)


def test_model_validation_in_french_before_the_start_and_on_a_cancelled_registration():
    future = RegistrationFactory()
    future.places_attended = 1
    with pytest.raises(ValidationError) as error:
        future.full_clean()
    assert error.value.message_dict["places_attended"] == [PRESENCE_BEFORE_START]
    cancelled = RegistrationFactory(event=started_event(), status=RegistrationStatus.CANCELLED)
    cancelled.places_attended = 0
    with pytest.raises(ValidationError) as error:
        cancelled.full_clean()
    assert PRESENCE_CANCELLED in error.value.message_dict["places_attended"]


def test_cancelling_a_registration_clears_its_presence():
    registration = RegistrationFactory(event=started_event())
    Registration.objects.filter(pk=registration.pk).update(places_attended=1)
    registration.refresh_from_db()
    services.registration_cancel(registration=registration, reason="test")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED and registration.places_attended is None


# The services --------------------------------------------------------------------------------


def test_marking_presence_saves_what_changed_with_the_agent_in_history(team_member):
    event = started_event()
    alone = RegistrationFactory(event=event)
    family = RegistrationFactory(event=event, places=3)
    absent = RegistrationFactory(event=event)
    changed = services.registrations_mark_presence(
        event=event, marks={alone.pk: 1, family.pk: 2, absent.pk: 0}, user=team_member
    )
    assert changed == 3
    family.refresh_from_db()
    assert family.places_attended == 2 and family.attended is True
    version = family.history.first()
    assert version.history_user == team_member and version.history_change_reason == services.PRESENCE_REASON
    assert Registration.objects.get(pk=absent.pk).attended is False
    # Sent again unchanged: nothing saved, no new version.
    assert services.registrations_mark_presence(event=event, marks={family.pk: 2}, user=team_member) == 0
    assert family.history.count() == 2


def test_marking_is_refused_before_the_start_for_cancelled_and_for_too_many(team_member):
    future = RegistrationFactory()
    with pytest.raises(ValidationError, match="une fois l’événement commencé"):
        services.registrations_mark_presence(event=future.event, marks={future.pk: 1}, user=team_member)
    event = started_event()
    cancelled = RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)
    fine = RegistrationFactory(event=event)
    with pytest.raises(ValidationError, match="annulée"):
        services.registrations_mark_presence(event=event, marks={fine.pk: 1, cancelled.pk: 1}, user=team_member)
    with pytest.raises(ValidationError, match="plus de personnes que de places"):
        services.registrations_mark_presence(event=event, marks={fine.pk: 2}, user=team_member)
    # All or nothing: the good mark sent with a bad one was not saved.
    assert Registration.objects.get(pk=fine.pk).places_attended is None
    # A registration of another event is ignored.
    other = RegistrationFactory(event=started_event())
    assert services.registrations_mark_presence(event=event, marks={other.pk: 1}, user=team_member) == 0


def test_attendance_from_presence_fills_refuses_to_overwrite_unless_asked(team_member):
    event = started_event()
    RegistrationFactory(event=event, places=3, places_attended=2)
    RegistrationFactory(event=event, places_attended=0)
    RegistrationFactory(event=event)  # not noted
    RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)
    assert services.event_attendance_from_presence(event=event, user=team_member, walk_ins=4) == 6
    event.refresh_from_db()
    assert event.attendance == 6
    version = event.history.first()
    assert version.history_user == team_member and "2 inscrit(s) venu(s), 4 sans inscription" in (
        version.history_change_reason
    )
    # A figure typed by hand since: kept, and the agent is told both numbers.
    Event.objects.filter(pk=event.pk).update(attendance=10)
    with pytest.raises(services.AttendanceAlreadyRecorded) as error:
        services.event_attendance_from_presence(event=event, user=team_member)
    assert "10 personne(s)" in error.value.messages[0] and "en compte 2" in error.value.messages[0]
    assert Event.objects.get(pk=event.pk).attendance == 10
    assert services.event_attendance_from_presence(event=event, user=team_member, replace=True) == 2
    assert Event.objects.get(pk=event.pk).attendance == 2


def test_attendance_from_presence_refused_when_nothing_noted_cancelled_or_future(team_member):
    event = started_event()
    RegistrationFactory(event=event)
    with pytest.raises(ValidationError, match="Aucune présence"):
        services.event_attendance_from_presence(event=event, user=team_member)
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)
    with pytest.raises(ValidationError, match="annulé"):
        services.event_attendance_from_presence(event=event, user=team_member)
    future = PortalEventFactory()
    with pytest.raises(ValidationError, match="une fois l’événement commencé"):
        services.event_attendance_from_presence(event=future, user=team_member)
    assert Event.objects.get(pk=event.pk).attendance is None and Event.objects.get(pk=future.pk).attendance is None


# The admin page --------------------------------------------------------------------------------


def test_an_editor_without_the_group_gets_403(editor_client):
    event = started_event()
    registration = RegistrationFactory(event=event)
    assert editor_client.get(presence_url(event)).status_code == 403
    assert editor_client.post(presence_url(event), {"_attendance": "1"}).status_code == 403
    for name in ("personal_data", "personal_data_json"):
        url = reverse(f"admin:events_registration_{name}", args=[registration.pk])
        assert editor_client.get(url).status_code == 403
    assert Event.objects.get(pk=event.pk).attendance is None
    assert not LogEntry.objects.exists()


def test_the_team_notes_who_came_then_reports_it_into_the_attendance(registrations_client, team_member):
    event = started_event()
    diallo = RegistrationFactory(event=event, last_name="Diallo")
    family = RegistrationFactory(event=event, last_name="Nguyen", places=3)
    page = registrations_client.get(presence_url(event))
    html = page.content.decode()
    assert page.status_code == 200 and "Diallo" in html and "2 personnes venues sur 3" in html
    assert f'<label for="id_inscription-{diallo.pk}">' in html
    saved = registrations_client.post(
        presence_url(event), {"_presence": "1", f"inscription-{diallo.pk}": "1", f"inscription-{family.pk}": "2"}
    )
    assert saved.status_code == 302
    assert Registration.objects.get(pk=family.pk).places_attended == 2
    reported = registrations_client.post(presence_url(event), {"_attendance": "1", "walk_ins": "5"}, follow=True)
    assert "La participation de l’événement est de 8 personne(s)" in reported.content.decode()
    assert Event.objects.get(pk=event.pk).attendance == 8
    # Typed by hand since on the event's page: the report refuses and says so; what was typed stays.
    Event.objects.filter(pk=event.pk).update(attendance=12)
    refused = registrations_client.post(presence_url(event), {"_attendance": "1", "walk_ins": "7"})
    html = refused.content.decode()
    assert refused.status_code == 200 and "déjà notée : 12 personne(s)" in html and 'value="7"' in html
    assert Event.objects.get(pk=event.pk).attendance == 12
    # The export says who came.
    export = registrations_client.get(reverse("admin:events_registration_export", args=[event.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    by_name = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_name["Nguyen"]["Personnes venues"] == "2" and by_name["Diallo"]["Personnes venues"] == "1"
    # Bad input never 500s.
    junk = registrations_client.post(presence_url(event), {"_presence": "1", f"inscription-{diallo.pk}": "9"})
    assert junk.status_code == 200 and Registration.objects.get(pk=diallo.pk).places_attended == 1


def test_the_page_is_linked_and_says_when_it_is_too_early(registrations_client):
    event = PortalEventFactory()
    RegistrationFactory(event=event)
    page = registrations_client.get(presence_url(event)).content.decode()
    assert "La présence se note une fois l’événement commencé" in page and "_presence" not in page
    refused = registrations_client.post(presence_url(event), {"_attendance": "1"})
    assert refused.status_code == 200 and Event.objects.get(pk=event.pk).attendance is None
    sheet = registrations_client.get(reverse("admin:events_registration_sheet", args=[event.pk])).content.decode()
    assert presence_url(event) in sheet


def test_the_event_summary_links_to_the_presence_page(admin_client):
    event = started_event()
    page = admin_client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert presence_url(event) in page


@pytest.mark.parametrize("rows", [2, 30])
def test_the_presence_page_query_budget_does_not_grow(registrations_client, django_assert_max_num_queries, rows):
    event = started_event(registration_capacity=40)
    RegistrationFactory.create_batch(rows, event=event, places=2)
    with django_assert_max_num_queries(12):
        assert registrations_client.get(presence_url(event)).status_code == 200


# The right of access -------------------------------------------------------------------------------


def test_the_person_s_data_gathers_their_registrations_by_mail_or_phone_with_history(registrations_client, team_member):
    awa = {"first_name": "Awa", "last_name": "Diallo"}
    mine = RegistrationFactory(email="awa.diallo@example.org", phone="06 11 22 33 44", **awa)
    by_mail = RegistrationFactory(email="Awa.Diallo@Example.org", phone="", first_name="AWA", last_name="diallo")
    by_phone = RegistrationFactory(email="", phone="06 11 22 33 44", **awa)
    RegistrationFactory(email="autre@example.org", phone="07 00 00 00 00", last_name="Autrepersonne")
    # Her brother registered with the family's phone and address: his registration is his, not hers.
    brother = RegistrationFactory(
        email="awa.diallo@example.org", phone="06 11 22 33 44", first_name="Moussa", last_name="Diallo"
    )
    anonymised = RegistrationFactory(email="awa.diallo@example.org", phone="", **awa)
    services.registration_anonymise(registration=anonymised)
    services.registration_cancel(registration=by_mail, user=team_member, reason="Annulée par un agent")
    url = reverse("admin:events_registration_personal_data", args=[mine.pk])
    page = registrations_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    for registration in (mine, by_mail, by_phone):
        assert registration.reference in html
    assert "Autrepersonne" not in html and "autre@example.org" not in html and anonymised.reference not in html
    assert brother.reference not in html and "Moussa" not in html
    assert "Annulée par un agent" in html and "Léa Bernard" in html  # the history, with who
    assert "submission" not in html and "jeton" not in html
    entries = LogEntry.objects.filter(change_message__startswith=EXPORT_MESSAGE_PREFIX)
    assert sorted(int(entry.object_id) for entry in entries) == sorted([mine.pk, by_mail.pk, by_phone.pk])
    assert all(entry.user_id == team_member.pk and "page à imprimer" in entry.change_message for entry in entries)
    assert all("Diallo" not in entry.change_message for entry in entries)

    download = registrations_client.get(reverse("admin:events_registration_personal_data_json", args=[mine.pk]))
    assert download["Content-Disposition"] == f'attachment; filename="donnees-{mine.reference}.json"'
    data = json.loads(download.content)
    references = [entry["inscription"]["référence"] for entry in data["inscriptions"]]
    assert sorted(references) == sorted(r.reference for r in (mine, by_mail, by_phone))
    first = data["inscriptions"][references.index(mine.reference)]
    assert first["inscription"]["nom"] == "Diallo" and first["inscription"]["personnes venues"] is None
    assert first["historique"][0]["opération"] == "Création"
    assert LogEntry.objects.filter(change_message__contains="fichier JSON").count() == 3


def test_the_administrator_s_journal_lists_the_access(admin_client, admin_user):
    registration = RegistrationFactory()
    admin_client.get(reverse("admin:events_registration_personal_data", args=[registration.pk]))
    journal = admin_client.get(reverse("admin:journal"))
    assert journal.status_code == 200 and "droit d’accès aux inscriptions" in journal.content.decode()


def test_the_right_of_access_action_leads_to_the_page_for_one_registration(registrations_client):
    one, two = RegistrationFactory(), RegistrationFactory()
    url = reverse("admin:events_registration_changelist")
    data = {"action": "personal_data_selected", "_selected_action": [one.pk]}
    response = registrations_client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:events_registration_personal_data", args=[one.pk])
    refused = registrations_client.post(url, {**data, "_selected_action": [one.pk, two.pk]}, follow=True)
    assert "Sélectionnez une seule inscription" in refused.content.decode()
    change = registrations_client.get(reverse("admin:events_registration_change", args=[one.pk])).content.decode()
    assert reverse("admin:events_registration_personal_data", args=[one.pk]) in change


def test_the_privacy_page_explains_the_right_of_access_to_registrations(client):
    page = client.get(reverse("privacy")).content.decode()
    assert 'id="inscriptions-acces"' in page and "Consulter vos données (droit d’accès)" in page
    assert "si vous êtes venu" in page
