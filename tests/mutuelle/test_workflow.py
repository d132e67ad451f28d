"""The interest requests' workflow: the transitions table, checked by the service and by clean().

The admin's change form and bulk actions are tested with the rest of the admin
(test_admin_requests.py); the queryset methods the admin calls (search, queue) are tested here.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mutuelle.enums import CLOSED_STATUSES, ERASED_STATUS, STATUS_TRANSITIONS, RequestStatus, check_status_change
from mutuelle.models import InterestRequest
from mutuelle.services.followup import request_set_status
from mutuelle.services.retention import request_anonymise
from tests.mutuelle.factories import AgentFactory, InterestRequestFactory, backdate

OPEN_STATUSES = [status for status in RequestStatus if status not in CLOSED_STATUSES]


# The table ---------------------------------------------------------------------------------------


def test_every_status_has_its_next_statuses_in_the_workflow_order():
    assert set(STATUS_TRANSITIONS) == set(RequestStatus)
    order = list(RequestStatus)
    for status, next_statuses in STATUS_TRANSITIONS.items():
        assert status not in next_statuses
        assert list(next_statuses) == sorted(next_statuses, key=order.index)
        assert status.next_statuses == next_statuses


def test_nothing_goes_back_to_new_and_a_closed_request_reopens_as_to_call_back():
    for status in RequestStatus:
        assert RequestStatus.NEW not in status.next_statuses
        assert ERASED_STATUS not in status.next_statuses  # reached by the erasure only
    for closed in set(CLOSED_STATUSES) - {ERASED_STATUS}:
        reopened = [status for status in closed.next_statuses if status not in CLOSED_STATUSES]
        assert reopened == [RequestStatus.TO_CALL_BACK]
        assert set(closed.next_statuses) == {RequestStatus.TO_CALL_BACK, *CLOSED_STATUSES} - {closed, ERASED_STATUS}
    assert ERASED_STATUS.next_statuses == ()


def test_an_open_request_may_move_to_any_other_status_but_new():
    for status in OPEN_STATUSES:
        assert set(status.next_statuses) == set(RequestStatus) - {status, RequestStatus.NEW, ERASED_STATUS}


@pytest.mark.parametrize("previous", [None, *RequestStatus])
def test_anonymised_is_reached_by_the_erasure_only_and_never_left(previous):
    if previous != ERASED_STATUS:
        with pytest.raises(ValidationError, match="seulement par l’effacement"):
            check_status_change(previous, ERASED_STATUS)
        check_status_change(previous, ERASED_STATUS, erasure=True)
    for status in set(RequestStatus) - {ERASED_STATUS}:
        with pytest.raises(ValidationError, match="ne change plus de statut"):
            check_status_change(ERASED_STATUS, status)


@pytest.mark.parametrize(
    ("previous", "status"),
    [
        (None, RequestStatus.MEMBERSHIP),  # created by an agent in any status
        (RequestStatus.NEW, RequestStatus.NEW),  # no move
        (RequestStatus.NEW, RequestStatus.MEMBERSHIP),
        (RequestStatus.APPOINTMENT, RequestStatus.CONTACTED),
        (RequestStatus.DROPPED, RequestStatus.TO_CALL_BACK),
        (RequestStatus.DROPPED, RequestStatus.DUPLICATE),
        ("sans_suite", "a_rappeler"),  # the stored values, as read from the database
    ],
)
def test_allowed_changes(previous, status):
    check_status_change(previous, status)


@pytest.mark.parametrize(
    ("previous", "status"),
    [
        (RequestStatus.CONTACTED, RequestStatus.NEW),
        (RequestStatus.DROPPED, RequestStatus.NEW),
        (RequestStatus.MEMBERSHIP, RequestStatus.CONTACTED),
        (RequestStatus.DUPLICATE, RequestStatus.APPOINTMENT),
        ("adhesion", "contactee"),
    ],
)
def test_refused_changes_say_why_in_french(previous, status):
    with pytest.raises(ValidationError) as error:
        check_status_change(previous, status)
    (message,) = error.value.messages
    assert message.startswith(
        f"Une demande « {RequestStatus(previous).label} » ne peut pas passer à « {RequestStatus(status).label} »."
    )
    assert "Statuts possibles : « À rappeler »" in message


# The service -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_service_reopens_a_closed_request():
    agent = AgentFactory()
    obj = InterestRequestFactory(status=RequestStatus.DROPPED, closed_at=timezone.now())
    assert request_set_status(interest_request=obj, status=RequestStatus.TO_CALL_BACK, user=agent) is True
    obj.refresh_from_db()
    assert obj.status == RequestStatus.TO_CALL_BACK and obj.closed_at is None
    assert obj.history.latest("history_date").history_user == agent


@pytest.mark.django_db
def test_service_refuses_a_move_the_workflow_does_not_allow_and_saves_nothing():
    agent = AgentFactory()
    closed_at = timezone.now() - datetime.timedelta(days=2)
    obj = InterestRequestFactory(status=RequestStatus.MEMBERSHIP, closed_at=closed_at)
    versions = obj.history.count()
    with pytest.raises(ValidationError, match="ne peut pas passer à « Contactée »"):
        request_set_status(interest_request=obj, status=RequestStatus.CONTACTED, user=agent)
    obj.refresh_from_db()
    assert obj.status == RequestStatus.MEMBERSHIP and obj.closed_at == closed_at and obj.last_contact_at is None
    assert obj.history.count() == versions


@pytest.mark.django_db
def test_service_starts_from_the_status_in_the_database_not_from_the_instance():
    agent = AgentFactory()
    obj = InterestRequestFactory(status=RequestStatus.DUPLICATE, closed_at=timezone.now())
    obj.status = RequestStatus.TO_CALL_BACK  # as a form would have set it: not a reopening
    with pytest.raises(ValidationError):
        request_set_status(interest_request=obj, status=RequestStatus.APPOINTMENT, user=agent)
    assert InterestRequest.objects.get(pk=obj.pk).status == RequestStatus.DUPLICATE


@pytest.mark.django_db
def test_service_on_a_request_not_saved_yet_accepts_any_status():
    agent = AgentFactory()
    obj = InterestRequestFactory.build(status=RequestStatus.NEW)
    assert request_set_status(interest_request=obj, status=RequestStatus.APPOINTMENT, user=agent) is True
    obj.refresh_from_db()
    assert obj.status == RequestStatus.APPOINTMENT and obj.last_contact_at is not None


@pytest.mark.django_db
def test_retention_closes_an_untouched_request_through_the_workflow():
    obj = InterestRequestFactory(status=RequestStatus.TO_CALL_BACK)
    request_anonymise(interest_request=obj, reason="test", close=True)
    obj.refresh_from_db()
    assert obj.status == RequestStatus.DROPPED and obj.closed_at is not None and obj.last_contact_at is None


# The model's clean() -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_clean_refuses_a_status_not_allowed_from_the_saved_one():
    obj = InterestRequestFactory(status=RequestStatus.MEMBERSHIP)
    obj.status = RequestStatus.APPOINTMENT
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    [(field, [message])] = error.value.message_dict.items()
    assert field == "status"
    assert message.startswith("Une demande « Adhésion » ne peut pas passer à « Rendez-vous fixé ».")


@pytest.mark.django_db
def test_clean_accepts_allowed_moves_and_new_requests_in_any_status():
    obj = InterestRequestFactory(status=RequestStatus.MEMBERSHIP)
    obj.status = RequestStatus.TO_CALL_BACK
    obj.full_clean()
    InterestRequestFactory.build(status=RequestStatus.DUPLICATE).full_clean(exclude=["reference"])


# The queryset methods the admin calls ---------------------------------------------------------------


@pytest.mark.django_db
def test_queue_orders_by_workflow_then_oldest_first():
    new = InterestRequestFactory()
    old_new = InterestRequestFactory()
    backdate(old_new, created_at=timezone.now() - datetime.timedelta(days=3))
    dropped = InterestRequestFactory(status=RequestStatus.DROPPED)
    contacted = InterestRequestFactory(status=RequestStatus.CONTACTED)
    assert list(InterestRequest.objects.queue()) == [old_new, new, contacted, dropped]
    assert list(InterestRequest.objects.closed()) == [dropped]


@pytest.mark.django_db
def test_search_by_words_phone_and_reference():
    wanted = InterestRequestFactory(last_name="Le Goff", first_name="Anne", phone="06 12 34 56 78")
    other = InterestRequestFactory(last_name="Goffin", phone="+33 7 98 76 54 32")
    search = InterestRequest.objects.search
    assert list(search("goff anne")) == [wanted]
    assert list(search('"le goff"')) == [wanted]
    assert set(search("goff")) == {wanted, other}
    assert list(search("+33 6 12 34 56 78")) == [wanted]
    assert list(search("07.98.76")) == [other]
    assert list(search(wanted.reference.replace("-", "").lower())) == [wanted]
    assert set(search("")) == {wanted, other}
    assert set(search("\x00")) == {wanted, other}
