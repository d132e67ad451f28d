"""Issue 12 §3, « a queue an agent can work from »: the rules in the mutuelle app (duplicates,
« Contact noté », erasure out of the queue, assignees, notice read to the person) and how the
admin offers them. The list's fit at 1280 px is checked in tests/browser/test_mutuelle_queue.py."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mutuelle.enums import RequestSource, RequestStatus
from mutuelle.models import FollowUpNote, InterestRequest
from mutuelle.services.followup import check_assignee, note_add, request_assign
from mutuelle.services.requests import request_prepare_agent_entry
from mutuelle.services.retention import request_erase, request_personal_data
from tests.mutuelle.factories import AgentFactory, FollowUpNoteFactory, InterestRequestFactory, backdate
from tests.mutuelle.test_admin_requests import ADD, CHANGELIST, change_url, form_data, messages_of, run_action
from tests.staff.factories import StaffUserFactory
from tests.staff.helpers import verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return AgentFactory(first_name="Awa", last_name="Konaté")


@pytest.fixture
def agent_client(client, agent):
    verified_login(client, agent)
    return client


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def flags():
    """{reference: reference it may duplicate, or None}."""
    return dict(InterestRequest.objects.with_possible_duplicate().values_list("reference", "possible_duplicate_of"))


# Possible duplicates -------------------------------------------------------------------------------


def test_a_request_with_the_phone_of_one_of_the_last_90_days_is_flagged():
    first = backdate(InterestRequestFactory(phone="06 11 22 33 44"), created_at=days_ago(89))
    second = InterestRequestFactory(phone="+33 6 11 22 33 44")
    other = InterestRequestFactory(phone="07 00 00 00 01")
    assert flags() == {first.reference: None, second.reference: first.reference, other.reference: None}


def test_the_same_address_whatever_its_case_is_flagged_too():
    first = backdate(InterestRequestFactory(email="Awa.Diallo@Example.org"), created_at=days_ago(3))
    second = InterestRequestFactory(email="awa.diallo@example.org")
    assert flags()[second.reference] == first.reference


def test_older_than_90_days_empty_contacts_and_anonymised_requests_flag_nothing():
    backdate(InterestRequestFactory(phone="06 11 22 33 44"), created_at=days_ago(91))
    erased = InterestRequestFactory(email="erased@example.org")
    request_erase(interest_request=erased, user=None)
    no_email = InterestRequestFactory(email="", phone="06 99 99 99 01")
    also_no_email = InterestRequestFactory(email="", phone="06 99 99 99 02")
    recent = InterestRequestFactory(phone="06 11 22 33 44", email="erased@example.org")
    result = flags()
    assert result[recent.reference] is None
    assert result[no_email.reference] is None and result[also_no_email.reference] is None


def test_duplicates_are_flagged_in_the_list_and_on_the_page(agent_client):
    first = backdate(InterestRequestFactory(phone="06 11 22 33 44"), created_at=days_ago(10))
    second = InterestRequestFactory(phone="06 11 22 33 44")
    row_html = agent_client.get(CHANGELIST).text
    assert row_html.count("Doublon possible") == 1
    assert f"Doublon possible</strong> ({first.reference})" in row_html
    page = agent_client.get(change_url(second)).text
    assert "même téléphone ou même adresse que la demande" in page and first.reference in page
    assert "<strong>Oui</strong>" in page
    assert "<strong>Oui</strong>" not in agent_client.get(change_url(first)).text


# The list ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["inconnu", "nouvelle'", "\x00"])
def test_an_unknown_status_in_the_address_shows_an_empty_list(agent_client, bad):
    InterestRequestFactory()
    response = agent_client.get(CHANGELIST, {"status__exact": bad})
    assert response.status_code in (200, 400)  # 400: the project's check of admin parameters (NUL)
    if response.status_code == 200:
        assert list(response.context["cl"].result_list) == []


def test_the_list_query_count_is_the_same_with_1_and_30_requests(agent_client):
    agents = AgentFactory.create_batch(3)

    def count_queries():
        agent_client.get(CHANGELIST)  # warm the session and content type caches
        with CaptureQueriesContext(connection) as queries:
            response = agent_client.get(CHANGELIST)
            assert response.status_code == 200
        return len(queries), len(response.context["cl"].result_list)

    InterestRequestFactory(assigned_to=agents[0])
    few, shown = count_queries()
    assert shown == 1
    for index in range(29):
        # Half of them share a phone number with another: the duplicate flag costs no query per row.
        InterestRequestFactory(
            assigned_to=agents[index % 3],
            status=list(RequestStatus)[index % 7],
            phone="06 11 22 33 44" if index % 2 else f"06 55 00 00 {index:02d}",
        )
    many, shown = count_queries()
    assert shown == 30
    assert many == few


def test_an_erased_request_leaves_the_queue_and_is_still_counted(agent_client, agent):
    kept = InterestRequestFactory()
    erased = InterestRequestFactory(last_name="Dupont", status=RequestStatus.APPOINTMENT)
    agent_client.post(reverse("admin:mutuelle_interestrequest_erase", args=[erased.pk]))
    erased.refresh_from_db()
    assert erased.status == RequestStatus.ANONYMISED and erased.closed_at is not None
    queue = agent_client.get(CHANGELIST).context["cl"].result_list
    assert list(queue) == [kept]
    anonymised = agent_client.get(CHANGELIST, {"status__exact": RequestStatus.ANONYMISED}).context["cl"].result_list
    assert list(anonymised) == [erased]
    counts = InterestRequest.objects.status_counts()
    assert counts[RequestStatus.ANONYMISED] == 1 and counts[RequestStatus.NEW] == 1
    assert sum(counts.values()) == 2
    # Its page stays readable, and no status can be chosen any more.
    page = agent_client.get(change_url(erased))
    assert page.status_code == 200 and "status" not in page.context["adminform"].form.fields


def test_anonymised_is_never_offered_to_an_agent(agent_client):
    obj = InterestRequestFactory()
    offered = [
        value for value, _ in agent_client.get(change_url(obj)).context["adminform"].form.fields["status"].choices
    ]
    assert RequestStatus.ANONYMISED not in offered and RequestStatus.NEW in offered
    response = agent_client.post(change_url(obj), form_data(agent_client.get(change_url(obj)), status="anonymisee"))
    assert response.status_code == 200 and "status" in response.context["adminform"].form.errors
    add_offered = [value for value, _ in agent_client.get(ADD).context["adminform"].form.fields["status"].choices]
    assert RequestStatus.ANONYMISED not in add_offered


# « Contact noté » --------------------------------------------------------------------------------


def test_note_add_with_a_contact_dates_it_and_takes_a_new_request_out_of_new(agent):
    obj = InterestRequestFactory()
    contact_at = days_ago(1)
    note = note_add(interest_request=obj, author=agent, text="Eue au téléphone.", contact_at=contact_at)
    obj.refresh_from_db()
    assert note.is_contact and note.contact_at == contact_at and note.author == agent
    assert obj.status == RequestStatus.CONTACTED and obj.last_contact_at == contact_at
    assert obj.history.latest("history_date").history_change_reason == "Contact noté"


def test_an_older_contact_does_not_move_the_last_contact_back_nor_the_status(agent):
    obj = InterestRequestFactory(status=RequestStatus.TO_CALL_BACK, last_contact_at=days_ago(1))
    before = obj.last_contact_at
    note_add(
        interest_request=obj, author=agent, text="Rattrapage d’un appel de la semaine dernière.", contact_at=days_ago(7)
    )
    obj.refresh_from_db()
    assert obj.last_contact_at == before and obj.status == RequestStatus.TO_CALL_BACK


def test_a_plain_note_is_no_contact_and_a_future_contact_is_refused(agent):
    obj = InterestRequestFactory()
    note_add(interest_request=obj, author=agent, text="Messagerie.")
    obj.refresh_from_db()
    assert obj.last_contact_at is None and obj.status == RequestStatus.NEW
    with pytest.raises(ValidationError):
        note_add(
            interest_request=obj, author=agent, text="Demain.", contact_at=timezone.now() + datetime.timedelta(days=1)
        )
    assert obj.notes.count() == 1


def test_contact_noted_in_the_change_form(agent_client, agent):
    obj = InterestRequestFactory()
    FollowUpNoteFactory(interest_request=obj, text="Premier appel : messagerie.")
    data = form_data(agent_client.get(change_url(obj)))
    data["notes-1-text"] = "Eue au téléphone, envoie ses justificatifs."
    data["notes-1-contact_noted"] = "on"
    response = agent_client.post(change_url(obj), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    obj.refresh_from_db()
    note = obj.notes.get(text__startswith="Eue")
    assert note.is_contact and note.author == agent
    assert abs(note.contact_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert obj.last_contact_at == note.contact_at and obj.status == RequestStatus.CONTACTED
    page = agent_client.get(change_url(obj)).text
    assert "Contact noté" in page


def test_contact_noted_with_its_own_date_and_a_date_without_the_box(agent_client):
    obj = InterestRequestFactory()
    data = form_data(agent_client.get(change_url(obj)))
    data["notes-0-text"] = "Passée à l’accueil hier."
    data["notes-0-contact_at"] = "2026-01-15T10:30"
    response = agent_client.post(change_url(obj), data)
    assert response.status_code == 200  # a date without « contact noté » is a mistake: said, nothing lost
    assert "Passée à l’accueil hier." in response.text
    data["notes-0-contact_noted"] = "on"
    response = agent_client.post(change_url(obj), data)
    assert response.status_code == 302
    note = FollowUpNote.objects.get(interest_request=obj)
    assert timezone.localtime(note.contact_at).strftime("%d/%m/%Y %H:%M") == "15/01/2026 10:30"


def test_a_contact_in_the_future_is_refused_in_the_form(agent_client):
    obj = InterestRequestFactory()
    data = form_data(agent_client.get(change_url(obj)))
    data["notes-0-text"] = "Rendez-vous."
    data["notes-0-contact_noted"] = "on"
    data["notes-0-contact_at"] = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = agent_client.post(change_url(obj), data)
    assert response.status_code == 200
    assert "La date du contact ne peut pas être dans le futur." in response.text
    assert not FollowUpNote.objects.exists()


# Assignees: the « Mutuelle » group only ------------------------------------------------------------


def test_only_members_of_the_group_may_be_given_requests(agent, admin_user):
    obj = InterestRequestFactory()
    for outsider in (admin_user, StaffUserFactory()):
        with pytest.raises(ValidationError):
            check_assignee(outsider)
        with pytest.raises(ValidationError):
            request_assign(interest_request=obj, agent=outsider, user=agent)
    assert request_assign(interest_request=obj, agent=agent, user=agent)
    assert request_assign(interest_request=obj, agent=None, user=agent)


def test_a_superuser_outside_the_group_cannot_take_requests(admin_client):
    obj = InterestRequestFactory()
    response = run_action(admin_client, "assign_to_me", [obj])
    assert any("membre de l’équipe Mutuelle" in message for message in messages_of(response))
    obj.refresh_from_db()
    assert obj.assigned_to is None


# A request entered by an agent: the notice read to the person --------------------------------------


def test_the_add_form_requires_the_notice_read_to_the_person(agent_client, agent):
    data = form_data(
        agent_client.get(ADD), last_name="Benali", first_name="Karim", phone="06 11 22 33 44", postal_code="94000"
    )
    response = agent_client.post(ADD, data)
    assert response.status_code == 200
    assert "Lisez à la personne la notice d’information" in response.text
    assert "Benali" in response.text  # nothing typed is lost
    assert not InterestRequest.objects.exists()

    response = agent_client.post(ADD, {**data, "notice_read": "on"})
    assert response.status_code == 302
    obj = InterestRequest.objects.get()
    assert obj.notice_read_at is not None and obj.consent_at is None and obj.created_by == agent
    page = agent_client.get(change_url(obj))
    assert "notice_read" not in page.context["adminform"].form.fields
    assert "notice d’information lue à la personne le" in page.text.lower()


def test_the_service_refuses_an_agent_entry_without_the_notice(agent):
    obj = InterestRequestFactory.build(source=RequestSource.PHONE, consent_at=None)
    with pytest.raises(ValidationError):
        request_prepare_agent_entry(interest_request=obj, agent=agent, notice_read=False)
    with pytest.raises(ValidationError):
        request_prepare_agent_entry(
            interest_request=InterestRequestFactory.build(), agent=agent, notice_read=True
        )  # a website request is not entered by an agent
    request_prepare_agent_entry(interest_request=obj, agent=agent, notice_read=True)
    assert obj.notice_read_at is not None and obj.created_by == agent


def test_the_right_of_access_shows_the_contacts_noted(agent):
    obj = InterestRequestFactory()
    note_add(interest_request=obj, author=agent, text="Eue au téléphone.", contact_at=days_ago(2))
    [note] = request_personal_data(interest_request=obj)["notes de suivi"]
    assert note["note"] == "Eue au téléphone." and note["contact le"] is not None
