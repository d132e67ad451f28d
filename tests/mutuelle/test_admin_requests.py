"""The mutuelle agents' back-office: queue, search, filters, workflow, notes, entry by phone, export."""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.admin.templatetags.admin_list import result_headers, results
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mutuelle.enums import RequestSource, RequestStatus
from mutuelle.models import FollowUpNote, InterestRequest
from tests.mutuelle.factories import AgentFactory, FollowUpNoteFactory, InterestRequestFactory, backdate
from tests.staff.factories import StaffUserFactory
from tests.staff.helpers import verified_login

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:mutuelle_interestrequest_changelist")
ADD = reverse("admin:mutuelle_interestrequest_add")
EXPORT = reverse("admin:mutuelle_interestrequest_export")
XLSX_FORMAT, CSV_FORMAT = "0", "1"  # the order of InterestRequestAdmin.formats: XLSX first


def change_url(obj):
    return reverse("admin:mutuelle_interestrequest_change", args=[obj.pk])


@pytest.fixture
def agent():
    return AgentFactory(first_name="Awa", last_name="Konaté")


@pytest.fixture
def agent_client(client, agent):
    verified_login(client, agent)
    return client


def references(client, query=None):
    response = client.get(CHANGELIST, query or {})
    assert response.status_code == 200
    return sorted(obj.reference for obj in response.context["cl"].result_list)


def _result_headers(response):
    """The list's column headers, without the selection checkbox's."""
    return [header for header in result_headers(response.context["cl"]) if not str(header["text"]).startswith("<")]


def _result_rows(response):
    """Each row of the list as the HTML of its cells."""
    return ["".join(str(cell) for cell in row) for row in results(response.context["cl"])]


def form_data(response, **overrides):
    """What the browser would post back from a change form page: its values, inlines included."""
    data = {}

    def add(form):
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    data.update(overrides)
    return data


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def run_action(client, action, objs, follow=True):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [obj.pk for obj in objs]},
        follow=follow,
    )


# The queue ------------------------------------------------------------------------------------


def test_changelist_shows_the_queue_in_workflow_order(agent_client, agent):
    newest = InterestRequestFactory()
    oldest = InterestRequestFactory()
    backdate(oldest, created_at=timezone.now() - datetime.timedelta(days=12))
    contacted = InterestRequestFactory(status=RequestStatus.CONTACTED, assigned_to=agent)
    response = agent_client.get(CHANGELIST)
    assert response.status_code == 200
    assert [obj.pk for obj in response.context["cl"].result_list] == [oldest.pk, newest.pk, contacted.pk]
    body = response.text
    assert "À traiter depuis" in body and "12 jours" in body
    assert "Awa Konaté" in body
    headers = [str(header["text"]).lower() for header in _result_headers(response)]
    assert headers == [
        "référence",
        "personne",
        "téléphone",
        "à contacter",
        "statut",
        "à traiter depuis",
        "agent chargé",
    ]
    row = next(row for row in _result_rows(response) if oldest.reference in row)
    assert f"{oldest.last_name} {oldest.first_name}" in row
    assert str(oldest.phone) in row
    assert "Par téléphone" in row and "Peu importe" in row
    assert "Nouvelle" in row


@pytest.mark.parametrize(
    "query",
    [
        "0612345678",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
        "+33612345678",
        "0033 6 12 34 56 78",
        "12345678",
        "06 12 34",
    ],
)
def test_search_by_phone_whatever_the_spacing(agent_client, query):
    wanted = InterestRequestFactory(phone="06 12 34 56 78")
    also = InterestRequestFactory(phone="+33 6 12 34 56 78")
    InterestRequestFactory(phone="07 98 76 54 32")
    assert references(agent_client, {"q": query}) == sorted([wanted.reference, also.reference])


def test_search_by_reference_name_and_email(agent_client):
    wanted = InterestRequestFactory(last_name="Rodrigues", first_name="Inês", email="ines.r@example.org")
    other = InterestRequestFactory(last_name="Nguyen", first_name="Linh")
    compact = wanted.reference.replace("-", "")
    for query in (wanted.reference, wanted.reference.lower(), compact, compact.lower(), wanted.reference[3:]):
        assert references(agent_client, {"q": query}) == [wanted.reference], query
    assert references(agent_client, {"q": "rodrigues"}) == [wanted.reference]
    assert references(agent_client, {"q": "Inês Rodrigues"}) == [wanted.reference]
    assert references(agent_client, {"q": "ines.r@example"}) == [wanted.reference]
    assert references(agent_client, {"q": "Nguyen"}) == [other.reference]
    assert references(agent_client, {"q": "Personne-inconnue"}) == []
    assert agent_client.get(CHANGELIST, {"q": "06\x0012"}).status_code == 200  # PostgreSQL refuses NUL


def test_filters_mine_unassigned_agent_status(agent_client, agent):
    colleague = AgentFactory(first_name="Jean", last_name="Martin")
    mine = InterestRequestFactory(assigned_to=agent)
    theirs = InterestRequestFactory(assigned_to=colleague, status=RequestStatus.TO_CALL_BACK)
    nobodys = InterestRequestFactory()
    assert references(agent_client, {"mes": "oui"}) == [mine.reference]
    assert references(agent_client, {"agent": "aucun"}) == [nobodys.reference]
    assert references(agent_client, {"agent": str(colleague.pk)}) == [theirs.reference]
    assert references(agent_client, {"status__exact": RequestStatus.TO_CALL_BACK}) == [theirs.reference]
    assert references(agent_client, {"source__exact": RequestSource.WEBSITE}) == sorted(
        [mine.reference, theirs.reference, nobodys.reference]
    )
    body = agent_client.get(CHANGELIST).text
    assert "Non assignée" in body and "Jean Martin" in body and "Les demandes qui me sont assignées" in body


def test_mine_filter_depends_on_who_looks(client, agent):
    colleague = AgentFactory()
    mine = InterestRequestFactory(assigned_to=agent)
    theirs = InterestRequestFactory(assigned_to=colleague)
    verified_login(client, colleague)
    assert references(client, {"mes": "oui"}) == [theirs.reference]
    verified_login(client, agent)
    assert references(client, {"mes": "oui"}) == [mine.reference]


@pytest.mark.parametrize("count", [3, 30])
def test_changelist_query_count_does_not_grow(agent_client, count, django_assert_max_num_queries):
    agents = AgentFactory.create_batch(3)
    for index in range(count):
        InterestRequestFactory(assigned_to=agents[index % 3], status=list(RequestStatus)[index % 7])
    with django_assert_max_num_queries(16):
        assert len(agent_client.get(CHANGELIST).context["cl"].result_list) == count


def test_changelist_query_count_is_the_same_with_3_and_30_requests(agent_client):
    agents = AgentFactory.create_batch(3)

    def count_queries():
        agent_client.get(CHANGELIST)  # warm the session and content type caches
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(CHANGELIST).status_code == 200
        return len(queries)

    for index in range(3):
        InterestRequestFactory(assigned_to=agents[index % 3])
    few = count_queries()
    for index in range(27):
        InterestRequestFactory(assigned_to=agents[index % 3], status=list(RequestStatus)[index % 7])
    assert count_queries() == few


# The workflow ----------------------------------------------------------------------------------


def test_change_form_fieldsets_and_read_only_facts_of_a_website_request(agent_client):
    obj = InterestRequestFactory()
    response = agent_client.get(change_url(obj))
    body = response.text
    headings = [
        ">Prochaine étape<",
        'id="notes-heading"',
        ">Personne<",
        ">Contact<",
        ">Situation<",
        ">Dates et suivi technique<",
    ]
    positions = [body.index(heading) for heading in headings]
    assert positions == sorted(positions), "the next step and the notes come first, the technical dates last"
    # The technical dates are folded (a <details> element: no JavaScript needed).
    technical = body[body.index("Dates et suivi technique") - 300 : body.index("Dates et suivi technique")]
    assert "<details" in technical
    form = response.context["adminform"].form
    for read_only in ("reference", "created_at", "consent_at", "source", "closed_at", "last_contact_at"):
        assert read_only not in form.fields
    assert obj.reference in body
    assert "Formulaire du site" in body
    for editable in ("last_name", "phone", "status", "assigned_to"):
        assert editable in form.fields


def test_status_change_in_the_form_dates_contact_and_closure_with_history(agent_client, agent):
    obj = InterestRequestFactory()
    response = agent_client.post(change_url(obj), form_data(agent_client.get(change_url(obj)), status="contactee"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    obj.refresh_from_db()
    assert obj.status == RequestStatus.CONTACTED
    assert obj.last_contact_at is not None and obj.closed_at is None
    latest = obj.history.latest("history_date")
    assert latest.history_user == agent
    assert latest.status == RequestStatus.CONTACTED

    contacted_at = obj.last_contact_at
    response = agent_client.post(change_url(obj), form_data(agent_client.get(change_url(obj)), status="sans_suite"))
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.status == RequestStatus.DROPPED
    assert obj.closed_at is not None
    assert obj.last_contact_at == contacted_at  # closing is not a contact

    # Reopened: no longer closed.
    agent_client.post(change_url(obj), form_data(agent_client.get(change_url(obj)), status="a_rappeler"))
    obj.refresh_from_db()
    assert obj.status == RequestStatus.TO_CALL_BACK and obj.closed_at is None

    history = agent_client.get(reverse("admin:mutuelle_interestrequest_history", args=[obj.pk]))
    assert "Contactée" in history.text and "Sans suite" in history.text
    assert agent.username in history.text


def test_saving_without_status_change_keeps_the_dates(agent_client):
    obj = InterestRequestFactory(status=RequestStatus.CONTACTED)
    obj.last_contact_at = timezone.now() - datetime.timedelta(days=3)
    obj.save()
    before = obj.last_contact_at
    response = agent_client.post(change_url(obj), form_data(agent_client.get(change_url(obj)), phone="01 49 80 00 00"))
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.phone == "01 49 80 00 00" and obj.last_contact_at == before


@pytest.mark.parametrize(
    ("action", "status", "contact", "closed"),
    [
        ("mark_to_call_back", RequestStatus.TO_CALL_BACK, False, False),
        ("mark_contacted", RequestStatus.CONTACTED, True, False),
        ("mark_appointment", RequestStatus.APPOINTMENT, True, False),
        ("mark_membership", RequestStatus.MEMBERSHIP, True, True),
        ("mark_dropped", RequestStatus.DROPPED, False, True),
        ("mark_duplicate", RequestStatus.DUPLICATE, False, True),
    ],
)
def test_bulk_status_actions_save_each_request_with_its_history(agent_client, agent, action, status, contact, closed):
    objs = InterestRequestFactory.create_batch(2)
    response = run_action(agent_client, action, objs)
    assert response.status_code == 200
    assert any("2 demandes" in message for message in messages_of(response))
    for obj in objs:
        obj.refresh_from_db()
        assert obj.status == status
        assert (obj.last_contact_at is not None) is contact
        assert (obj.closed_at is not None) is closed
        latest = obj.history.latest("history_date")
        assert latest.history_user == agent and latest.status == status
        assert "Statut changé depuis la liste" in latest.history_change_reason
    assert LogEntry.objects.filter(user=agent, object_id__in=[str(obj.pk) for obj in objs]).count() == 2
    again = run_action(agent_client, action, objs)
    assert any("Rien n’a changé" in message for message in messages_of(again))


def test_change_form_refuses_a_status_the_workflow_does_not_allow(agent_client):
    obj = InterestRequestFactory(status=RequestStatus.MEMBERSHIP)
    page = agent_client.get(change_url(obj))
    assert "Possibles depuis « Adhésion » : « À rappeler », « Sans suite », « Doublon »." in page.text
    # Only the allowed moves are offered (and the current status, to leave it as it is).
    offered = [value for value, _ in page.context["adminform"].form.fields["status"].choices]
    assert offered == [
        RequestStatus.MEMBERSHIP,
        RequestStatus.TO_CALL_BACK,
        RequestStatus.DROPPED,
        RequestStatus.DUPLICATE,
    ]
    response = agent_client.post(change_url(obj), form_data(page, status="contactee"))
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    obj.refresh_from_db()
    assert obj.status == RequestStatus.MEMBERSHIP and obj.last_contact_at is None


def test_bulk_status_action_skips_the_requests_the_workflow_does_not_allow(agent_client, agent):
    new = InterestRequestFactory()
    closed = InterestRequestFactory(status=RequestStatus.DROPPED, closed_at=timezone.now())
    response = run_action(agent_client, "mark_appointment", [new, closed])
    assert response.status_code == 200
    texts = messages_of(response)
    assert "1 demande : statut « Rendez-vous fixé »." in texts
    assert any(text.startswith("1 demande n’a pas changé : le suivi ne permet pas") for text in texts)
    new.refresh_from_db()
    closed.refresh_from_db()
    assert new.status == RequestStatus.APPOINTMENT
    assert closed.status == RequestStatus.DROPPED and closed.closed_at is not None
    assert LogEntry.objects.filter(user=agent).count() == 1
    # Reopened first (« à rappeler »), it may then get its appointment.
    run_action(agent_client, "mark_to_call_back", [closed])
    response = run_action(agent_client, "mark_appointment", [closed])
    assert "1 demande : statut « Rendez-vous fixé »." in messages_of(response)
    closed.refresh_from_db()
    assert closed.status == RequestStatus.APPOINTMENT and closed.closed_at is None


def test_bulk_status_action_on_closed_requests_only_says_nothing_changed_and_why(agent_client):
    objs = InterestRequestFactory.create_batch(2, status=RequestStatus.MEMBERSHIP)
    texts = messages_of(run_action(agent_client, "mark_contacted", objs))
    assert len(texts) == 1 and texts[0].startswith("2 demandes n’ont pas changé")


def test_assign_to_me_action(agent_client, agent):
    objs = InterestRequestFactory.create_batch(2)
    response = run_action(agent_client, "assign_to_me", objs)
    assert "2 demandes vous sont assignées." in messages_of(response)
    for obj in objs:
        obj.refresh_from_db()
        assert obj.assigned_to == agent
        assert obj.history.latest("history_date").history_user == agent


def test_assignment_is_offered_to_the_team_only(agent_client, agent, editor, admin_user):
    colleague = AgentFactory()
    inactive = AgentFactory(is_active=False)
    obj = InterestRequestFactory()
    choices = agent_client.get(change_url(obj)).context["adminform"].form.fields["assigned_to"].queryset
    assert set(choices) == {agent, colleague}  # a superuser outside « Mutuelle » is not in the team
    assert editor not in choices and inactive not in choices
    response = agent_client.post(change_url(obj), form_data(agent_client.get(change_url(obj)), assigned_to=editor.pk))
    assert response.status_code == 200
    assert "assigned_to" in response.context["adminform"].form.errors
    response = agent_client.post(
        change_url(obj), form_data(agent_client.get(change_url(obj)), assigned_to=colleague.pk)
    )
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.assigned_to == colleague


# Follow-up notes ---------------------------------------------------------------------------------


def test_a_note_gets_its_author_and_date_and_old_notes_stay_as_written(agent_client, agent):
    obj = InterestRequestFactory()
    old = FollowUpNoteFactory(interest_request=obj, text="Premier appel : messagerie.")
    page = agent_client.get(change_url(obj))
    assert "Premier appel : messagerie." in page.text
    data = form_data(page)
    # The existing note is shown, not editable; a forged change to it is ignored.
    assert 'name="notes-0-text"' not in page.text and 'name="notes-1-text"' in page.text
    data["notes-0-text"] = "Texte réécrit"
    data["notes-1-text"] = "Rappelée : rendez-vous le 12 au CCAS."
    response = agent_client.post(change_url(obj), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    old.refresh_from_db()
    assert old.text == "Premier appel : messagerie."
    new = FollowUpNote.objects.get(interest_request=obj, text__startswith="Rappelée")
    assert new.author == agent
    assert abs(new.created_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert new.history.get().history_user == agent
    page = agent_client.get(change_url(obj))
    assert "Rappelée : rendez-vous le 12 au CCAS." in page.text and "Awa Konaté" in page.text
    assert 'name="notes-0-DELETE"' not in page.text


# A request taken by phone or at the counter ---------------------------------------------------------


def test_add_form_for_a_request_taken_by_phone(agent_client):
    page = agent_client.get(ADD)
    form = page.context["adminform"].form
    assert [value for value, _ in form.fields["source"].choices] == [RequestSource.PHONE, RequestSource.COUNTER]
    assert form.initial["source"] == RequestSource.PHONE
    assert "consent_at" not in form.fields and "consent_at" not in page.text
    assert "reference" not in form.fields


def test_agent_enters_a_request_from_the_phone(agent_client, agent):
    data = form_data(
        agent_client.get(ADD),
        last_name="Benali",
        first_name="Karim",
        phone="06 11 22 33 44",
        postal_code="94000",
        household_size="3",
        status="contactee",
        source="telephone",
        notice_read="on",
    )
    data["notes-0-text"] = "Appel à l’accueil téléphonique, préfère être rappelé le matin."
    response = agent_client.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    obj = InterestRequest.objects.get(last_name="Benali")
    assert obj.source == RequestSource.PHONE
    assert obj.created_by == agent
    assert obj.consent_at is None
    assert obj.last_contact_at is not None  # the person is on the line
    assert obj.reference.startswith("MC-")
    assert obj.notes.get().author == agent
    assert obj.history.get().history_user == agent


def test_agent_entered_request_needs_a_way_to_reach_the_person(agent_client):
    data = form_data(agent_client.get(ADD), last_name="Benali", first_name="Karim", postal_code="94000")
    response = agent_client.post(ADD, data)
    assert response.status_code == 200
    assert "Indiquez au moins un moyen de joindre la personne" in response.text
    assert not InterestRequest.objects.exists()


def test_website_is_not_an_origin_an_agent_can_choose(agent_client):
    data = form_data(agent_client.get(ADD), last_name="X", first_name="Y", phone="0600000000", source="site")
    response = agent_client.post(ADD, data)
    assert response.status_code == 200
    assert "source" in response.context["adminform"].form.errors
    assert not InterestRequest.objects.exists()


# Export ------------------------------------------------------------------------------------------

HOSTILE_NAMES = ['=HYPERLINK("http://x")', "+1", "-1", "@x", '==HYPERLINK("http://x")', "\t=1"]


def export(client, file_format, query=""):
    page = client.get(EXPORT + query)
    assert page.status_code == 200
    return client.post(EXPORT + query, {"format": file_format, "resource": "0"})


def csv_rows(response):
    """The rows of an exported CSV file, read as French Excel reads it: UTF-8 with a BOM, « ; » between columns."""
    return csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")


def test_export_csv_in_french_with_labels_and_local_time(agent_client, agent):
    obj = InterestRequestFactory(last_name="Dupont", first_name="Élodie", phone="06 12 34 56 78", assigned_to=agent)
    backdate(obj, created_at=datetime.datetime(2026, 1, 15, 8, 30, tzinfo=datetime.UTC))
    response = export(agent_client, CSV_FORMAT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "demandes-mutuelle-" in response["Content-Disposition"]
    rows = list(csv_rows(response))
    assert len(rows) == 1
    row = rows[0]
    assert row["Référence"] == obj.reference
    assert row["Nom"] == "Dupont" and row["Prénom"] == "Élodie"
    assert row["Téléphone"] == "06 12 34 56 78"
    assert row["Statut"] == "Nouvelle" and row["Origine"] == "Formulaire du site"
    assert row["Situation"] == "Retraité(e)"
    assert row["Reçue le"] == "15/01/2026 09:30"  # Paris time
    assert row["Date de naissance"] == "14/05/1971"
    assert row["Agent chargé"] == "Awa Konaté"
    assert row["Clôturée le"] == ""


def test_export_follows_the_list_filters(agent_client, agent):
    mine = InterestRequestFactory(assigned_to=agent)
    InterestRequestFactory()
    response = export(agent_client, CSV_FORMAT, "?mes=oui")
    rows = list(csv_rows(response))
    assert [row["Référence"] for row in rows] == [mine.reference]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_export_csv_escapes_formulas(agent_client, name):
    InterestRequestFactory(last_name=name, message=name)
    response = export(agent_client, CSV_FORMAT)
    row = next(csv_rows(response))
    for column in ("Nom", "Message"):
        assert row[column] == f"'{name}"
        assert not row[column].startswith(("=", "+", "-", "@", "\t"))


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_export_xlsx_escapes_formulas(agent_client, name):
    InterestRequestFactory(last_name=name)
    response = export(agent_client, XLSX_FORMAT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=headers.index("Nom") + 1)
    assert cell.data_type != "f"
    assert cell.value == f"'{name}"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_export_xlsx_content(agent_client):
    obj = InterestRequestFactory(last_name="Dupont", household_size=4, email="")
    sheet = openpyxl.load_workbook(io.BytesIO(export(agent_client, XLSX_FORMAT).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Référence"] == obj.reference
    assert record["Nom"] == "Dupont"
    assert str(record["Personnes du foyer"]) == "4"
    assert record["Adresse électronique"] in ("", None)
    assert record["Statut"] == "Nouvelle"


def test_export_csv_bytes_open_in_french_excel(agent_client):
    """The raw bytes: a BOM first, « ; » between the columns, French dates, accents in UTF-8."""
    obj = InterestRequestFactory(last_name="Lefèvre", first_name="Élodie", message="Bonjour, merci")
    backdate(obj, created_at=datetime.datetime(2026, 1, 15, 8, 30, tzinfo=datetime.UTC))
    content = export(agent_client, CSV_FORMAT).content
    assert content.startswith(b"\xef\xbb\xbfR\xc3\xa9f\xc3\xa9rence;Re\xc3\xa7ue le;Origine;Statut;")
    header, row = content.decode("utf-8-sig").splitlines()
    assert header.split(";")[:3] == ["Référence", "Reçue le", "Origine"]
    assert row.startswith(f"{obj.reference};15/01/2026 09:30;Formulaire du site;Nouvelle;")
    assert ";Lefèvre;Élodie;" in row
    assert ';"Bonjour, merci";' not in row and ";Bonjour, merci;" in row  # a comma is no separator
    assert "14/05/1971" in row.split(";")


def test_export_offers_xlsx_first(agent_client):
    page = agent_client.get(EXPORT)
    form = page.context["form"]
    assert [value for value, _ in form.fields["format"].choices] == [XLSX_FORMAT, CSV_FORMAT]
    assert form["format"].value() == XLSX_FORMAT  # chosen already
    assert "Excel (.xlsx) — conseillé" in page.text
    assert "CSV pour Excel (.csv, colonnes séparées par « ; »)" in page.text
    assert ">---<" not in page.text


def test_every_export_is_journaled_per_request(agent_client, agent):
    exported = InterestRequestFactory.create_batch(2, assigned_to=agent)
    other = InterestRequestFactory()
    for file_format, title in ((CSV_FORMAT, "CSV"), (XLSX_FORMAT, "XLSX")):
        LogEntry.objects.all().delete()
        before = timezone.now()
        assert export(agent_client, file_format, "?mes=oui").status_code == 200
        entries = LogEntry.objects.all()
        assert sorted(entry.object_id for entry in entries) == sorted(str(obj.pk) for obj in exported)
        for entry in entries:
            assert entry.user == agent and entry.action_time >= before
            message = f"Export de données personnelles : liste des demandes ({title}, 2 demande(s))."
            assert entry.get_change_message() == message
            assert entry.object_repr in {obj.reference for obj in exported}
    assert not LogEntry.objects.filter(object_id=str(other.pk)).exists()
    # The request's change page shows its journal: who exported it, when, in which file.
    page = agent_client.get(change_url(exported[0]))
    journal = page.text.split("Journal : qui a consulté, exporté ou modifié cette demande")[1]
    assert "Export de données personnelles : liste des demandes (XLSX, 2 demande(s))." in journal
    assert "Export de données personnelles : liste des demandes (CSV, 2 demande(s))." not in journal  # deleted above
    assert "Awa Konaté" in journal


def test_export_query_count_does_not_grow_with_the_requests(agent_client, agent):
    InterestRequestFactory.create_batch(2, assigned_to=agent)
    with CaptureQueriesContext(connection) as few:
        export(agent_client, CSV_FORMAT)
    InterestRequestFactory.create_batch(20, assigned_to=agent)
    with CaptureQueriesContext(connection) as many:
        export(agent_client, CSV_FORMAT)
    assert len(many) == len(few)


def test_export_page_offers_csv_and_xlsx_and_no_import(agent_client):
    page = agent_client.get(EXPORT)
    assert "csv" in page.text and "xlsx" in page.text
    changelist = agent_client.get(CHANGELIST)
    assert EXPORT in changelist.text
    assert "import/" not in changelist.text


def test_editor_and_team_less_staff_get_403_on_export(editor_client, client):
    InterestRequestFactory()
    assert editor_client.get(EXPORT).status_code == 403
    assert editor_client.post(EXPORT, {"format": CSV_FORMAT, "resource": "0"}).status_code == 403
    client.force_login(StaffUserFactory())
    assert client.get(EXPORT).status_code == 403


# The person's rights --------------------------------------------------------------------------------


def test_access_export_action_opens_the_page_to_print(agent_client, agent):
    obj = InterestRequestFactory(last_name="Dupont", phone="06 12 34 56 78")
    response = run_action(agent_client, "export_personal_data", [obj], follow=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:mutuelle_interestrequest_personal_data", args=[obj.pk])


def test_access_page_to_print_shows_everything_held_on_the_person(agent_client, agent):
    obj = InterestRequestFactory(last_name="Dupont", first_name="Élodie", phone="06 12 34 56 78")
    backdate(obj, created_at=datetime.datetime(2026, 1, 15, 8, 30, tzinfo=datetime.UTC))
    FollowUpNoteFactory(interest_request=obj, author=agent, text="Rappel prévu mardi.")
    response = agent_client.get(reverse("admin:mutuelle_interestrequest_personal_data", args=[obj.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "no-store" in response["Cache-Control"]
    body = response.text
    assert "<h1" in body and "Vos données personnelles" in body and obj.reference in body
    assert "Dupont" in body and "Élodie" in body and "06 12 34 56 78" in body
    assert "15/01/2026 à 09:30" in body and "14/05/1971" in body  # French dates, Paris time
    assert "Rappel prévu mardi." in body and "Awa Konaté" in body
    assert "Formulaire du site" in body and "Retraité(e)" in body
    assert reverse("admin:mutuelle_interestrequest_personal_data_json", args=[obj.pk]) in body
    assert 'id="header"' not in body and "nav-sidebar" not in body  # no admin menus on paper
    assert response.context["CCAS_PHONE"] in body  # whom to call, from the site's settings
    [entry] = LogEntry.objects.filter(object_id=str(obj.pk))
    assert entry.user == agent
    assert entry.get_change_message() == "Export de données personnelles : droit d’accès, page à imprimer."
    assert "Dupont" not in entry.object_repr + entry.change_message


def test_access_page_query_count_does_not_grow_with_notes(agent_client, agent):
    obj = InterestRequestFactory()
    url = reverse("admin:mutuelle_interestrequest_personal_data", args=[obj.pk])
    FollowUpNoteFactory(interest_request=obj, author=agent)
    with CaptureQueriesContext(connection) as few:
        agent_client.get(url)
    for _ in range(10):
        FollowUpNoteFactory(interest_request=obj, author=AgentFactory())
    with CaptureQueriesContext(connection) as many:
        agent_client.get(url)
    assert len(many) == len(few)


def test_access_file_downloads_everything_held_on_the_person(agent_client, agent):
    obj = InterestRequestFactory(last_name="Dupont", phone="06 12 34 56 78")
    FollowUpNoteFactory(interest_request=obj, author=agent, text="Rappel prévu mardi.")
    response = agent_client.get(reverse("admin:mutuelle_interestrequest_personal_data_json", args=[obj.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="donnees-{obj.reference}.json"'
    data = json.loads(response.content)
    assert data["demande"]["nom"] == "Dupont" and data["demande"]["téléphone"] == "06 12 34 56 78"
    assert data["demande"]["origine"] == "Formulaire du site"
    assert data["notes de suivi"][0]["note"] == "Rappel prévu mardi."
    assert data["historique de la demande"][0]["valeurs"]["nom"] == "Dupont"
    entry = LogEntry.objects.get(object_id=str(obj.pk))
    assert entry.user == agent
    assert entry.get_change_message() == "Export de données personnelles : droit d’accès, fichier JSON."
    assert "Dupont" not in entry.object_repr + entry.change_message


def test_access_export_of_several_requests_is_refused(agent_client):
    objs = InterestRequestFactory.create_batch(2)
    response = run_action(agent_client, "export_personal_data", objs)
    assert "Sélectionnez une seule demande" in " ".join(messages_of(response))


def test_erase_action_confirms_then_anonymises(agent_client, agent):
    obj = InterestRequestFactory(last_name="Dupont", first_name="Élodie", phone="06 12 34 56 78")
    FollowUpNoteFactory(interest_request=obj, author=agent, text="Madame Dupont rappelle lundi.")
    confirmation = run_action(agent_client, "erase_personal_data", [obj])
    assert confirmation.status_code == 200
    assert "Oui, effacer les données" in confirmation.text and obj.reference in confirmation.text
    assert "Dupont" not in confirmation.text
    obj.refresh_from_db()
    assert obj.anonymised_at is None  # nothing happens before the confirmation

    response = agent_client.post(reverse("admin:mutuelle_interestrequest_erase", args=[obj.pk]), follow=True)
    assert response.status_code == 200
    obj.refresh_from_db()
    assert obj.anonymised_at is not None
    assert obj.last_name == "Anonyme" and obj.phone == "" and obj.email == ""
    assert obj.notes.get().text == "[note effacée]"
    assert not obj.history.filter(last_name="Dupont").exists()
    entries = LogEntry.objects.filter(object_id=str(obj.pk))
    assert any("effacées à la demande de la personne" in entry.get_change_message() for entry in entries)
    for entry in entries:
        assert "Dupont" not in entry.object_repr + entry.change_message
    # Read only from now on, and no second erasure.
    page = agent_client.get(change_url(obj))
    assert "last_name" not in page.context["adminform"].form.fields
    assert "Effacer à la demande de la personne" not in page.text
    again = agent_client.get(reverse("admin:mutuelle_interestrequest_erase", args=[obj.pk]), follow=True)
    assert "déjà anonymisée" in " ".join(messages_of(again))


def test_change_form_links_to_the_rights_pages(agent_client):
    obj = InterestRequestFactory()
    body = agent_client.get(change_url(obj)).text
    assert reverse("admin:mutuelle_interestrequest_personal_data", args=[obj.pk]) in body
    assert reverse("admin:mutuelle_interestrequest_erase", args=[obj.pk]) in body


def test_error_reports_hide_what_was_typed_about_the_person(agent_client):
    """Django's error mails leave out POST values of views marked sensitive: the change form is one."""
    obj = InterestRequestFactory()
    response = agent_client.post(change_url(obj), form_data(agent_client.get(change_url(obj))))
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"
    response = agent_client.post(ADD, {"last_name": "Benali"})
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"
