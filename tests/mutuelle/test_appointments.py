"""The appointments' services (issue 15 §3): slots, booking, no double booking, cancel, reminders, retention."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from events.enums import EventStatus, RegistrationSource
from mutuelle.enums import AppointmentStatus, RequestStatus
from mutuelle.models import DEFAULT_PAPERS_TO_BRING, Appointment, Permanence
from mutuelle.services import appointments as services
from mutuelle.services.retention import request_erase
from tests.events.factories import EventFactory
from tests.mutuelle.factories import (
    AgentFactory,
    AppointmentFactory,
    InterestRequestFactory,
    PermanenceEventFactory,
    appointment_data,
    backdate,
)
from tests.mutuelle.test_public_pages import make_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def permanence():
    return PermanenceEventFactory()


def book(event, minutes=0, **values):
    return services.appointment_book(
        event=event,
        slot_start=event.start + datetime.timedelta(minutes=minutes),
        data=appointment_data(**values),
    )


def book_by_phone(event, agent, **kwargs):
    """An agent books the first slot for someone on the phone, having read them the notice."""
    return services.appointment_book(
        event=event,
        slot_start=event.start,
        data=appointment_data(),
        source=RegistrationSource.STAFF,
        created_by=agent,
        notice_read=True,
        **kwargs,
    )


# Slots ------------------------------------------------------------------------------------------------


def test_a_three_hour_permanence_has_nine_slots_of_twenty_minutes(permanence):
    slots = services.slots(permanence)
    assert len(slots) == 9
    assert slots[0].start == permanence.start and slots[-1].end == permanence.end
    assert slots[0].label == "9 h – 9 h 20"
    counts = services.availability(permanence)
    assert (counts.takes_appointments, counts.total, counts.left, counts.slot_minutes) == (True, 9, 9, 20)


def test_the_slot_length_and_the_advisers_are_set_per_permanence(permanence):
    Permanence.objects.create(event=permanence, slot_minutes=45, advisers=2)
    slots = services.slots(permanence)
    # 9 h, 9 h 45, 10 h 30, 11 h 15: the last one ends at noon.
    assert [slot.label for slot in slots] == ["9 h – 9 h 45", "9 h 45 – 10 h 30", "10 h 30 – 11 h 15", "11 h 15 – 12 h"]
    assert services.availability(permanence).total == 8


def test_a_permanence_set_without_appointments_or_cancelled_offers_none(permanence):
    Permanence.objects.create(event=permanence, takes_appointments=False)
    assert services.slots(permanence) == []
    assert not services.availability(permanence).takes_appointments
    other = PermanenceEventFactory(status=EventStatus.CANCELLED)
    with pytest.raises(services.AppointmentsClosed):
        book(other)


def test_another_event_takes_no_appointment():
    with pytest.raises(services.AppointmentsClosed):
        book(EventFactory())


def test_the_slot_must_be_one_of_the_permanence_and_still_to_come(permanence):
    with pytest.raises(services.SlotTaken):
        book(permanence, minutes=7)  # not a slot's start
    with pytest.raises(services.SlotTaken):
        book(permanence, minutes=180)  # the permanence's end
    past = PermanenceEventFactory(start=timezone.now() - datetime.timedelta(minutes=30))
    with pytest.raises(services.SlotTaken):
        book(past)  # its first slot has started
    assert not Appointment.objects.exists()


# Booking, no double booking ----------------------------------------------------------------------------


def test_booking_sends_the_confirmation_with_the_papers_and_the_calendar(
    permanence, django_capture_on_commit_callbacks
):
    make_offer()
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(permanence, minutes=20)
    assert appointment.status == AppointmentStatus.BOOKED and appointment.seat == 1
    assert appointment.reference.startswith("RV-") and appointment.consent_at is not None
    [message] = mail.outbox
    assert "9 h 20" in message.subject
    assert "Un RIB, pour le prélèvement de la cotisation" in message.body
    assert services.cancel_url(appointment) in message.body
    [(name, content, kind)] = message.attachments
    assert kind == "text/calendar" and name.endswith(".ics")
    assert "DTSTART;TZID=Europe/Paris" in content and "T092000" in content
    appointment.refresh_from_db()
    assert appointment.confirmation_sent_at is not None
    assert services.availability(permanence).left == 8


def test_a_slot_is_never_booked_twice(permanence):
    book(permanence, last_name="Premier")
    with pytest.raises(services.SlotTaken):
        book(permanence, last_name="Second")
    assert Appointment.objects.count() == 1


def test_two_advisers_take_two_people_at_the_same_time_not_three(permanence):
    Permanence.objects.create(event=permanence, advisers=2)
    assert [book(permanence, last_name=name).seat for name in ("Un", "Deux")] == [1, 2]
    with pytest.raises(services.SlotTaken):
        book(permanence, last_name="Trois")


def test_the_database_refuses_a_second_appointment_in_the_same_slot(permanence):
    AppointmentFactory(event=permanence)
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(event=permanence)
    # A cancelled appointment holds nothing.
    Appointment.objects.update(status=AppointmentStatus.CANCELLED)
    AppointmentFactory(event=permanence)


def test_the_same_form_sent_twice_books_once(permanence):
    first = book(permanence, submission_token="jeton-" + "a" * 30)
    again = book(permanence, minutes=40, submission_token="jeton-" + "a" * 30)
    assert again.pk == first.pk and Appointment.objects.count() == 1


def test_cancelling_frees_the_slot(permanence):
    appointment = book(permanence)
    assert services.appointment_cancel(appointment=appointment) is True
    assert appointment.status == AppointmentStatus.CANCELLED and appointment.cancelled_at
    assert services.appointment_cancel(appointment=appointment) is False  # twice: nothing more
    assert services.availability(permanence).left == 9
    assert book(permanence, last_name="Suivant").status == AppointmentStatus.BOOKED


def test_the_cancel_link_names_its_appointment_and_cannot_be_forged(permanence):
    appointment = book(permanence)
    token = services.cancel_token(appointment)
    assert services.appointment_for_cancel_token(token) == appointment
    assert services.appointment_for_cancel_token(token[:-1] + "x") is None
    assert services.appointment_for_cancel_token(appointment.reference) is None


def test_an_agent_takes_an_appointment_by_phone_after_reading_the_notice(permanence):
    agent = AgentFactory()
    with pytest.raises(ValidationError):
        services.appointment_book(
            event=permanence, slot_start=permanence.start, data=appointment_data(), source=RegistrationSource.STAFF
        )
    appointment = book_by_phone(permanence, agent)
    assert appointment.notice_read_at is not None and appointment.created_by == agent


# The interest request ----------------------------------------------------------------------------------


def test_the_reference_typed_links_the_request_of_the_same_person(permanence):
    interest_request = InterestRequestFactory(last_name="Diallo")
    compact = interest_request.reference.replace("-", "").lower()
    linked = book(permanence, last_name="diallo", request_reference=compact)
    assert linked.interest_request == interest_request
    assert linked.request_reference == compact
    # Someone else's reference links nothing (it is kept for the agent to check).
    stranger = book(permanence, minutes=20, last_name="Autre", request_reference=interest_request.reference)
    assert stranger.interest_request is None and stranger.request_reference == interest_request.reference


def test_booking_moves_a_waiting_request_to_appointment_fixed_and_says_why(permanence):
    interest_request = InterestRequestFactory(last_name="Diallo")
    book(permanence, minutes=20, last_name="Diallo", request_reference=interest_request.reference)

    interest_request.refresh_from_db()
    assert interest_request.status == RequestStatus.APPOINTMENT
    latest = interest_request.history.first()
    assert latest.history_user is None  # the person, on the website
    assert latest.history_change_reason.startswith("Rendez-vous pris à la permanence du ")
    assert "9 h 20" in latest.history_change_reason


@pytest.mark.parametrize(
    "status", [RequestStatus.APPOINTMENT, RequestStatus.MEMBERSHIP, RequestStatus.DROPPED, RequestStatus.DUPLICATE]
)
def test_booking_leaves_a_request_the_agents_have_moved_on(permanence, status):
    interest_request = InterestRequestFactory(last_name="Diallo", status=status)
    versions = interest_request.history.count()
    appointment = book(permanence, last_name="Diallo", request_reference=interest_request.reference)

    interest_request.refresh_from_db()
    assert appointment.interest_request == interest_request
    assert interest_request.status == status and interest_request.history.count() == versions


def test_an_agent_booking_for_a_request_is_named_in_its_history(permanence):
    make_offer()
    agent = AgentFactory()
    interest_request = InterestRequestFactory(status=RequestStatus.TO_CALL_BACK)
    book_by_phone(permanence, agent, request=interest_request)

    interest_request.refresh_from_db()
    assert interest_request.status == RequestStatus.APPOINTMENT
    assert interest_request.last_contact_at is not None
    assert interest_request.history.first().history_user == agent


def test_erasing_a_request_erases_its_appointments(permanence):
    interest_request = InterestRequestFactory(last_name="Diallo")
    appointment = book(permanence, last_name="Diallo", request_reference=interest_request.reference)
    request_erase(interest_request=interest_request, user=AgentFactory())
    appointment.refresh_from_db()
    assert appointment.anonymised_at is not None and appointment.last_name == "Anonyme"
    assert appointment.request_reference == ""


# Who came ---------------------------------------------------------------------------------------------


def test_the_agent_marks_who_came_and_may_correct_it(permanence):
    agent = AgentFactory()
    appointment = book(permanence)
    services.appointment_mark_attendance(appointment=appointment, came=True, user=agent)
    assert appointment.status == AppointmentStatus.CAME and appointment.attendance_marked_at
    services.appointment_mark_attendance(appointment=appointment, came=False, user=agent)
    assert appointment.status == AppointmentStatus.NO_SHOW
    # Marked, the slot stays taken.
    assert services.availability(permanence).left == 8
    cancelled = book(permanence, minutes=20)
    services.appointment_cancel(appointment=cancelled)
    with pytest.raises(ValidationError):
        services.appointment_mark_attendance(appointment=cancelled, came=True, user=agent)


# Reminders --------------------------------------------------------------------------------------------


def test_the_reminder_goes_two_days_before_once_and_never_when_cancelled(django_capture_on_commit_callbacks):
    soon = PermanenceEventFactory(start=timezone.now() + datetime.timedelta(days=1, hours=12))
    later = PermanenceEventFactory()
    due = AppointmentFactory(event=soon, confirmation_sent_at=timezone.now())
    cancelled = AppointmentFactory(
        event=soon, slot_start=soon.start + datetime.timedelta(minutes=20), status=AppointmentStatus.CANCELLED
    )
    fresh = AppointmentFactory(event=soon, slot_start=soon.start + datetime.timedelta(minutes=40))
    AppointmentFactory(event=later)
    for appointment in (due, cancelled):
        backdate(appointment, created_at=timezone.now() - datetime.timedelta(days=3))
    mail.outbox.clear()

    result = services.appointments_send_reminders()
    assert (result.sent, result.failures) == (1, 0)
    [message] = mail.outbox
    assert message.to == [due.email] and message.subject.startswith("Rappel")
    # Run again: nothing more.
    assert services.appointments_send_reminders().sent == 0
    assert len(mail.outbox) == 1
    fresh.refresh_from_db()
    assert fresh.reminder_sent_at is None


def test_a_reminder_refused_by_the_mail_server_is_tried_again(settings, monkeypatch):
    soon = PermanenceEventFactory(start=timezone.now() + datetime.timedelta(days=1))
    appointment = AppointmentFactory(event=soon)
    backdate(appointment, created_at=timezone.now() - datetime.timedelta(days=3))
    monkeypatch.setattr(services, "send_safely", lambda **kwargs: False)
    assert services.appointments_send_reminders().failures == 1
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is None
    monkeypatch.undo()
    assert services.appointments_send_reminders().sent == 1


def test_the_command_sends_the_reminders_and_the_confirmations_due(capsys):
    from django.core.management import call_command

    appointment = AppointmentFactory()
    call_command("send_mutuelle_appointment_mails")
    assert "Confirmations en attente envoyées : 1" in capsys.readouterr().out
    appointment.refresh_from_db()
    assert appointment.confirmation_sent_at is not None
    assert len(mail.outbox) == 1


# Retention --------------------------------------------------------------------------------------------


def test_appointments_are_anonymised_three_months_after_the_permanence_history_included():
    old = PermanenceEventFactory(start=timezone.now() - datetime.timedelta(days=100))
    recent = PermanenceEventFactory(start=timezone.now() - datetime.timedelta(days=30))
    gone = AppointmentFactory(event=old, last_name="Ancien", status=AppointmentStatus.CAME)
    kept = AppointmentFactory(event=recent, last_name="Récent")
    assert services.purge_appointments(dry_run=True) == 1
    assert services.purge_appointments() == 1
    assert services.purge_appointments() == 0  # idempotent
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert (gone.last_name, gone.email, str(gone.phone or ""), gone.status) == ("Anonyme", "", "", "venue")
    assert kept.last_name == "Récent"
    assert not Appointment.history.filter(id=gone.pk, last_name="Ancien").exists()


def test_the_purge_command_counts_the_appointments(capsys):
    from django.core.management import call_command

    AppointmentFactory(event=PermanenceEventFactory(start=timezone.now() - datetime.timedelta(days=100)))
    call_command("purge_mutuelle_requests")
    assert "1 rendez-vous anonymisé" in capsys.readouterr().out


def test_the_default_papers_are_a_list_the_team_can_edit():
    offer = make_offer()
    assert offer.papers_to_bring == DEFAULT_PAPERS_TO_BRING
    assert len(offer.papers) == 6
    offer.papers_to_bring = "Une pièce d’identité\n\n  Un RIB  \n"
    assert offer.papers == ["Une pièce d’identité", "Un RIB"]


# The permanence changes ---------------------------------------------------------------------------------


def test_a_permanence_cancelled_or_moved_tells_the_people_with_an_appointment(
    permanence, django_capture_on_commit_callbacks
):
    booked = AppointmentFactory(event=permanence, confirmation_sent_at=timezone.now())
    AppointmentFactory(
        event=permanence,
        slot_start=permanence.start + datetime.timedelta(minutes=20),
        status=AppointmentStatus.CANCELLED,
        confirmation_sent_at=timezone.now(),
    )
    mail.outbox.clear()
    permanence.title = "Permanence (titre corrigé)"
    with django_capture_on_commit_callbacks(execute=True):
        permanence.save()
    assert mail.outbox == []  # not a change people need to know

    permanence.status = EventStatus.CANCELLED
    with django_capture_on_commit_callbacks(execute=True):
        permanence.save()
    [message] = mail.outbox
    assert message.to == [booked.email] and message.subject.startswith("Annulée")
    assert booked.reference in message.body and not message.attachments
    booked.refresh_from_db()
    assert booked.change_notice_due_at is None

    permanence.status = EventStatus.SCHEDULED
    permanence.start += datetime.timedelta(hours=1)
    permanence.end += datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        permanence.save()
    assert len(mail.outbox) == 2 and mail.outbox[1].subject.startswith("Changement")
    assert "10 h" in mail.outbox[1].body


def test_another_event_changed_tells_no_appointment():
    event = EventFactory()
    event.status = EventStatus.CANCELLED
    event.save()
    assert mail.outbox == []


def test_no_reminder_for_a_permanence_cancelled_or_postponed():
    for status in (EventStatus.CANCELLED, EventStatus.POSTPONED):
        soon = PermanenceEventFactory(start=timezone.now() + datetime.timedelta(days=1), status=status)
        appointment = AppointmentFactory(event=soon)
        backdate(appointment, created_at=timezone.now() - datetime.timedelta(days=3))
    assert services.appointments_send_reminders().sent == 0
    assert mail.outbox == []
