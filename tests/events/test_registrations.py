"""The registrations' services (issue 15): places, waiting list and its order, promotion, cancel, resubmission."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from events.enums import EventStatus, RegistrationSource, RegistrationStatus
from events.models import Event, Registration
from events.registrations import (
    RegistrationClosed,
    TooManyPlaces,
    availability,
    cancel_token,
    places_left,
    registration_cancel,
    registration_create,
    registration_for_cancel_token,
    registrations_promote,
    waiting_rank,
)
from tests.events.factories import PortalEventFactory

pytestmark = pytest.mark.django_db


def data(last_name="Martin", **values):
    return {
        "first_name": "Camille",
        "last_name": last_name,
        "phone": "",
        "email": f"{last_name.lower().replace(' ', '')}@example.org",
        "places": 1,
        **values,
    }


@pytest.fixture
def event():
    return PortalEventFactory(registration_capacity=3, registration_max_places=4)


def test_confirmed_while_places_remain_then_waiting_in_order(event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = [registration_create(event=event, data=data(f"Personne {letter}")) for letter in "abcde"]

    assert [r.status for r in made] == [RegistrationStatus.CONFIRMED] * 3 + [RegistrationStatus.WAITING] * 2
    assert [waiting_rank(r) for r in made] == [None, None, None, 1, 2]
    assert places_left(event) == 0
    counts = availability(event)
    assert (counts.left, counts.waiting, counts.is_full, counts.is_open) == (0, 2, True, True)
    # One mail each: the confirmation, or the place on the waiting list.
    assert len(mail.outbox) == 5
    assert "Liste d’attente" in mail.outbox[3].subject and "1re de la liste" in mail.outbox[3].body


def test_a_family_waits_whole_when_its_places_do_not_fit(event):
    registration_create(event=event, data=data("Seule"))
    family = registration_create(event=event, data=data("Famille", places=3))
    assert family.status == RegistrationStatus.WAITING
    assert places_left(event) == 2


def test_more_places_than_the_event_allows_are_refused(event):
    with pytest.raises(TooManyPlaces):
        registration_create(event=event, data=data(places=5))
    assert not Registration.objects.exists()


def test_cancelling_frees_the_place_for_the_first_waiting_and_tells_them(event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, second, third, waiting_1, waiting_2 = (
            registration_create(event=event, data=data(f"Personne {letter}")) for letter in "abcde"
        )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        promoted = registration_cancel(registration=second)

    assert promoted == [waiting_1]
    waiting_1.refresh_from_db()
    second.refresh_from_db()
    assert second.status == RegistrationStatus.CANCELLED and second.cancelled_at is not None
    assert waiting_1.status == RegistrationStatus.CONFIRMED and waiting_1.promoted_at is not None
    assert waiting_rank(Registration.objects.get(pk=waiting_2.pk)) == 1
    assert [message.to for message in mail.outbox] == [[waiting_1.email]]
    assert "Une place s’est libérée" in mail.outbox[0].subject
    assert mail.outbox[0].attachments[0][0].endswith(".ics")
    waiting_1.refresh_from_db()
    assert waiting_1.promotion_sent_at is not None

    # Cancelling again changes nothing and promotes nobody.
    assert registration_cancel(registration=second) == []
    assert Registration.objects.filter(status=RegistrationStatus.CONFIRMED).count() == 3


def test_a_freed_place_goes_to_the_first_who_fits_the_family_keeps_its_rank(event):
    for letter in "abc":
        registration_create(event=event, data=data(f"Personne {letter}"))
    family = registration_create(event=event, data=data("Famille", places=2))
    single = registration_create(event=event, data=data("Seule"))
    registration_cancel(registration=Registration.objects.get(last_name="Personne a"))

    family.refresh_from_db()
    single.refresh_from_db()
    assert family.status == RegistrationStatus.WAITING and waiting_rank(family) == 1
    assert single.status == RegistrationStatus.CONFIRMED


def test_more_places_promote_the_waiting_list(event):
    for letter in "abcde":
        registration_create(event=event, data=data(f"Personne {letter}"))
    event.registration_capacity = 4
    event.save()
    promoted = registrations_promote(event=event)
    assert [r.last_name for r in promoted] == ["Personne d"]


def test_the_same_form_sent_twice_keeps_its_reference(event):
    token = "t" * 40
    first = registration_create(event=event, data=data(submission_token=token))
    again = registration_create(event=event, data=data(submission_token=token))
    assert again.pk == first.pk and again.reference == first.reference
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"registration": "conseillee", "registration_phone": "01 49 80 88 68"},
        {"status": EventStatus.CANCELLED},
        {"registration_opens_at": timezone.now() + datetime.timedelta(days=1)},
        {"registration_closes_at": timezone.now() - datetime.timedelta(minutes=1)},
    ],
)
def test_no_registration_when_the_event_does_not_take_them(event, changes):
    Event.objects.filter(pk=event.pk).update(**changes)
    with pytest.raises(RegistrationClosed):
        registration_create(event=event, data=data())


def test_an_agent_reads_the_notice_before_registering_someone_by_phone(event, admin_user):
    with pytest.raises(ValidationError):
        registration_create(event=event, data=data(), source=RegistrationSource.STAFF, created_by=admin_user)
    registration = registration_create(
        event=event,
        data=data(email="", phone="0612345678"),
        source=RegistrationSource.STAFF,
        created_by=admin_user,
        notice_read=True,
    )
    assert registration.notice_read_at is not None and registration.consent_at is None
    assert registration.created_by == admin_user


def test_cancel_links_are_signed(event):
    registration = registration_create(event=event, data=data())
    token = cancel_token(registration)
    assert registration_for_cancel_token(token) == registration
    assert registration_for_cancel_token(token[:-2] + "xx") is None
    assert registration_for_cancel_token(registration.reference) is None
