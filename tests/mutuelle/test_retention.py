"""Retention of the applicants' data: ``purge_mutuelle_requests`` and the anonymisation it shares with erasure."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from mutuelle.enums import RequestSource, RequestStatus
from mutuelle.models import FollowUpNote, InterestRequest
from mutuelle.services.retention import purge_requests, request_erase, request_personal_data
from tests.mutuelle.factories import AgentFactory, FollowUpNoteFactory, InterestRequestFactory, backdate

pytestmark = pytest.mark.django_db

HistoricalRequest = InterestRequest.history.model
HistoricalNote = FollowUpNote.history.model

PERSON = {
    "first_name": "Élodie",
    "last_name": "Dupont-Aït",
    "email": "elodie.dupont@example.org",
    "phone": "06 12 34 56 78",
    "birth_date": datetime.date(1958, 2, 3),
    "message": "Je vis seule avec ma petite retraite.",
}
STATISTICS = ["reference", "status", "source", "created_at", "postal_code", "household_size", "current_cover"]


@pytest.fixture(autouse=True)
def retention_periods(settings):
    settings.MUTUELLE_RETENTION_CLOSED_DAYS = 3 * 365
    settings.MUTUELLE_RETENTION_UNTOUCHED_DAYS = 365


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def closed_request(days_since_contact, **kwargs):
    """A request moved along by an agent (several history rows), closed, last contacted N days ago."""
    obj = InterestRequestFactory(**{**PERSON, **kwargs})
    obj.status = RequestStatus.CONTACTED
    obj.save()
    FollowUpNoteFactory(interest_request=obj, text="Madame Dupont-Aït préfère le matin, au 06 12 34 56 78.")
    obj.status = RequestStatus.DROPPED
    obj.save()
    return backdate(
        obj,
        last_contact_at=days_ago(days_since_contact),
        closed_at=days_ago(days_since_contact - 1),
        updated_at=days_ago(days_since_contact - 1),
        created_at=days_ago(days_since_contact + 30),
    )


def untouched_request(days, **kwargs):
    obj = InterestRequestFactory(**{**PERSON, **kwargs})
    return backdate(obj, updated_at=days_ago(days), created_at=days_ago(days))


def personal_data_left(obj):
    """Every row, current or historical, that still holds one of the person's details."""
    rows = []
    for model, key in ((InterestRequest, "pk"), (HistoricalRequest, "id")):
        for field in ("first_name", "last_name", "email", "phone", "message"):
            rows += list(model.objects.filter(**{key: obj.pk, field: PERSON[field]}).values_list(field, flat=True))
        rows += list(model.objects.filter(**{key: obj.pk, "birth_date__isnull": False}).values_list("birth_date"))
    for model in (FollowUpNote, HistoricalNote):
        rows += list(
            model.objects.filter(interest_request_id=obj.pk).exclude(text="[note effacée]").values_list("text")
        )
    return rows


def purge(*args):
    out = io.StringIO()
    call_command("purge_mutuelle_requests", *args, stdout=out)
    return out.getvalue()


def test_closed_request_past_the_period_is_anonymised_with_its_history():
    old = closed_request(3 * 365 + 10)
    assert HistoricalRequest.objects.filter(id=old.pk).count() >= 3
    assert personal_data_left(old)
    before = {field: getattr(old, field) for field in STATISTICS}

    output = purge()

    old.refresh_from_db()
    assert old.anonymised_at is not None
    assert old.first_name == "Anonyme" and old.last_name == "Anonyme"
    assert old.email == "" and old.phone == "" and old.birth_date is None and old.message == ""
    assert old.notes.get().text == "[note effacée]"
    assert personal_data_left(old) == []
    assert not HistoricalRequest.objects.filter(last_name__contains="Dupont").exists()
    assert not HistoricalRequest.objects.filter(phone="06 12 34 56 78").exists()
    assert not HistoricalRequest.objects.filter(email__contains="elodie").exists()
    assert not HistoricalNote.objects.filter(text__contains="Dupont").exists()
    # What the statistics need is kept, the closure and contact dates included.
    assert {field: getattr(old, field) for field in STATISTICS} == before
    assert old.situation == "retraite"
    assert old.last_contact_at < days_ago(3 * 365) and old.closed_at is not None
    # The anonymisation is traced, with nothing personal in it.
    latest = old.history.latest("history_date")
    assert latest.history_change_reason == "Anonymisée : durée de conservation écoulée"
    assert latest.last_name == "Anonyme"
    assert "1 demande anonymisée" in output
    assert "Dupont" not in output and "06 12" not in output


def test_a_request_closed_recently_or_contacted_recently_is_kept():
    young = closed_request(3 * 365 - 10)
    # Closed long ago but contacted since: the period runs from the last contact.
    recalled = closed_request(3 * 365 + 10)
    backdate(recalled, last_contact_at=days_ago(30))
    purge()
    for obj in (young, recalled):
        obj.refresh_from_db()
        assert obj.anonymised_at is None and obj.last_name == PERSON["last_name"]
        assert HistoricalRequest.objects.filter(id=obj.pk, last_name=PERSON["last_name"]).exists()


def test_closed_without_contact_counts_from_the_closure_then_the_last_change():
    by_closure = closed_request(3 * 365 + 10)
    backdate(by_closure, last_contact_at=None)
    by_change = closed_request(3 * 365 + 10)
    backdate(by_change, last_contact_at=None, closed_at=None)
    kept = closed_request(3 * 365 + 10)
    backdate(kept, last_contact_at=None, closed_at=days_ago(100))
    assert purge_requests().closed == 2
    for obj, anonymised in ((by_closure, True), (by_change, True), (kept, False)):
        obj.refresh_from_db()
        assert (obj.anonymised_at is not None) is anonymised


def test_open_request_being_worked_is_never_purged():
    obj = InterestRequestFactory(**PERSON, status=RequestStatus.APPOINTMENT)
    backdate(obj, updated_at=days_ago(5 * 365), created_at=days_ago(5 * 365))
    purge()
    obj.refresh_from_db()
    assert obj.anonymised_at is None


@pytest.mark.parametrize("status", [RequestStatus.NEW, RequestStatus.TO_CALL_BACK])
def test_untouched_request_is_closed_as_dropped_and_anonymised(status):
    old = untouched_request(400, status=status)
    young = untouched_request(300, status=status)
    output = purge()
    old.refresh_from_db()
    young.refresh_from_db()
    assert old.status == RequestStatus.DROPPED and old.closed_at is not None
    assert old.anonymised_at is not None and old.last_name == "Anonyme"
    assert personal_data_left(old) == []
    assert old.postal_code == "94000" and old.household_size == 2 and old.current_cover == "aucune"
    assert young.status == status and young.anonymised_at is None and young.last_name == PERSON["last_name"]
    assert "1 demande classée sans suite et anonymisée" in output


def test_untouched_request_with_a_recent_note_is_kept():
    obj = untouched_request(400)
    FollowUpNoteFactory(interest_request=obj, text="Messagerie, je rappelle.")
    assert purge_requests().untouched == 0


def test_dry_run_changes_nothing():
    old = closed_request(3 * 365 + 10)
    untouched = untouched_request(400)
    history_before = list(HistoricalRequest.objects.order_by("history_id").values())
    output = purge("--dry-run")
    assert "Simulation" in output
    assert "1 demande serait anonymisée" in output
    assert "1 demande serait classée sans suite et anonymisée" in output
    for obj in (old, untouched):
        obj.refresh_from_db()
        assert obj.anonymised_at is None and obj.last_name == PERSON["last_name"]
    assert list(HistoricalRequest.objects.order_by("history_id").values()) == history_before


def test_running_twice_changes_nothing_the_second_time():
    closed_request(3 * 365 + 10)
    untouched_request(400)
    assert purge_requests().total == 2
    requests_after = list(InterestRequest.objects.order_by("pk").values())
    history_after = list(HistoricalRequest.objects.order_by("history_id").values())
    output = purge()
    assert "Clôturées depuis plus de 1095 jours après le dernier contact : aucune demande." in output
    assert list(InterestRequest.objects.order_by("pk").values()) == requests_after
    assert list(HistoricalRequest.objects.order_by("history_id").values()) == history_after


def test_a_request_taken_by_phone_without_consent_can_be_anonymised():
    obj = closed_request(3 * 365 + 10, source=RequestSource.PHONE, consent_at=None, email="")
    purge()
    obj.refresh_from_db()
    assert obj.anonymised_at is not None and obj.source == RequestSource.PHONE


def test_erasure_on_request_uses_the_same_anonymisation():
    agent = AgentFactory()
    obj = InterestRequestFactory(**PERSON, status=RequestStatus.CONTACTED)
    FollowUpNoteFactory(interest_request=obj, author=agent, text="Madame Dupont-Aït rappelle.")
    request_erase(interest_request=obj, user=agent)
    obj.refresh_from_db()
    assert personal_data_left(obj) == []
    # Closed as « anonymisée »: out of the queue, still counted.
    assert obj.status == RequestStatus.ANONYMISED and obj.closed_at is not None
    assert obj not in InterestRequest.objects.queue()
    assert InterestRequest.objects.status_counts()[RequestStatus.ANONYMISED] == 1
    latest = obj.history.latest("history_date")
    assert latest.history_user == agent and latest.status == RequestStatus.ANONYMISED
    assert latest.history_change_reason == "Données effacées à la demande de la personne"


def test_access_export_holds_the_request_its_notes_and_its_history():
    obj = closed_request(10)
    data = request_personal_data(interest_request=obj)
    assert data["demande"]["nom"] == PERSON["last_name"]
    assert data["demande"]["adresse électronique"] == PERSON["email"]
    assert data["demande"]["statut"] == "Sans suite"
    assert "jeton d’envoi" not in data["demande"]
    assert "Dupont-Aït préfère le matin" in data["notes de suivi"][0]["note"]
    operations = [version["opération"] for version in data["historique de la demande"]]
    assert len(operations) >= 3
    assert data["historique de la demande"][0]["valeurs"]["téléphone"] == PERSON["phone"]
