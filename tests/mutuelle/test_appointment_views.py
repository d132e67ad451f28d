"""The appointment pages (issue 15 §3): the list, the permanence's and the mutuelle's pages, the form,
its errors, the confirmation with the papers, the cancel link; query budgets and bad input."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mutuelle.enums import AppointmentStatus
from mutuelle.models import Appointment, Permanence
from mutuelle.services.appointments import cancel_url
from tests.events.factories import EventFactory
from tests.mutuelle.factories import (
    AppointmentFactory,
    InterestRequestFactory,
    PermanenceEventFactory,
    reset_rate_limits,
)
from tests.mutuelle.test_public_pages import make_offer

pytestmark = pytest.mark.django_db
TOKEN = "jeton-de-test-0123456789abcdefghijklmnop"
LIST = "/mutuelle/rendez-vous/"


@pytest.fixture(autouse=True)
def empty_cache():
    reset_rate_limits()
    yield
    reset_rate_limits()


def squash(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def permanence():
    return PermanenceEventFactory(slug="permanence-decembre")


def slot_value(event, minutes=0):
    return timezone.localtime(event.start + datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def form_data(event, minutes=0, **values):
    return {
        "slot": slot_value(event, minutes),
        "first_name": "Awa",
        "last_name": "Diallo",
        "phone": "06 12 34 56 78",
        "email": "awa@example.org",
        "consent": "on",
        "submission_token": TOKEN,
        **values,
    }


def book_url(event):
    return reverse("mutuelle:appointment_book", kwargs={"slug": event.slug})


# The list and the pages that link to it ------------------------------------------------------------------


def test_the_urls_are_the_public_contract(permanence):
    assert reverse("mutuelle:appointments") == LIST
    assert book_url(permanence) == "/mutuelle/rendez-vous/permanence-decembre/"
    assert reverse("mutuelle:appointment_done", kwargs={"slug": permanence.slug}) == (
        "/mutuelle/rendez-vous/permanence-decembre/merci/"
    )
    assert reverse("mutuelle:appointment_cancel", kwargs={"token": "abc"}) == "/mutuelle/rendez-vous/annuler/abc/"


def test_the_list_says_the_slots_left_and_that_walk_ins_stay_possible(client, permanence):
    AppointmentFactory(event=permanence)
    full = PermanenceEventFactory(start=permanence.start + datetime.timedelta(days=28))
    Permanence.objects.create(event=full, slot_minutes=60)
    for hour in range(3):
        AppointmentFactory(event=full, slot_start=full.start + datetime.timedelta(hours=hour))
    page = squash(client.get(LIST).content.decode())
    assert "8 rendez-vous libres de 20 minutes" in page
    assert "Plus de rendez-vous libre à cette permanence" in page
    assert "venir sans rendez-vous" in page
    assert f'href="{book_url(permanence)}"' in client.get(LIST).content.decode()


@pytest.mark.parametrize("many", [False, True])
def test_the_list_query_budget_is_constant(client, django_assert_max_num_queries, many):
    for days in range(1, 12 if many else 2):
        event = PermanenceEventFactory(start=timezone.now() + datetime.timedelta(days=days))
        AppointmentFactory(event=event)
    # The permanences, their settings, their appointments counted by slot.
    with django_assert_max_num_queries(3):
        response = client.get(LIST)
    assert response.status_code == 200


def test_the_mutuelle_page_links_to_the_appointments(client, permanence):
    make_offer()
    page = client.get("/mutuelle/").content.decode()
    assert f'href="{LIST}"' in page and f'href="{book_url(permanence)}"' in page
    assert "9 rendez-vous libres" in squash(page)


def test_the_permanence_page_in_the_agenda_says_the_slots_left(client, permanence):
    AppointmentFactory(event=permanence)
    page = client.get(permanence.get_absolute_url()).content.decode()
    assert "8 rendez-vous libres" in squash(page) and f'href="{book_url(permanence)}"' in page
    assert "sans rendez-vous" in squash(page)
    other = client.get(EventFactory().get_absolute_url()).content.decode()
    assert "rendez-vous libre" not in other


def test_the_interest_form_confirmation_links_to_the_appointments(client):
    session = client.session
    session["mutuelle_reference"] = "MC-AAAA-BBBB"
    session["mutuelle_confirmation_mail"] = "none"
    session.save()
    page = client.get("/mutuelle/demande/merci/").content.decode()
    assert f'href="{LIST}"' in page


def test_the_sitemap_and_the_site_plan_list_the_appointments(client):
    assert f"{LIST}</loc>" in client.get("/sitemap-mutuelle.xml").content.decode()
    assert f'href="{LIST}"' in client.get("/plan-du-site/").content.decode()


def test_the_privacy_page_explains_the_appointments(client):
    page = client.get("/donnees-personnelles/").content.decode()
    assert 'id="rendez-vous"' in page and "Trois mois après la permanence" in page


# The form ---------------------------------------------------------------------------------------------


def test_book_a_slot_and_know_what_to_bring(client, permanence, django_assert_max_num_queries):
    make_offer()
    with django_assert_max_num_queries(8):
        form = client.get(book_url(permanence))
    body = form.content.decode()
    assert form.status_code == 200
    assert body.count('type="radio"') == 9 and 'name="submission_token"' in body and 'name="site_internet"' in body
    assert "style=" not in body and not re.search(r"<script[^>]*>[^<]", body)
    assert 'name="places"' not in body and 'name="needs_fauteuil"' not in body

    response = client.post(book_url(permanence), form_data(permanence, minutes=20))
    assert response.status_code == 302 and response["Location"] == f"{book_url(permanence)}merci/"
    appointment = Appointment.objects.get()
    assert appointment.slot_start == permanence.start + datetime.timedelta(minutes=20)
    with django_assert_max_num_queries(8):
        done = client.get(response["Location"]).content.decode()
    assert appointment.reference in done and cancel_url(appointment) in done
    assert "9 h 20" in squash(done) and "Un RIB, pour le prélèvement de la cotisation" in done
    # The slot taken is no longer offered.
    assert client.get(book_url(permanence)).content.decode().count('type="radio"') == 8


def test_a_form_with_mistakes_keeps_what_was_typed(client, permanence):
    response = client.post(book_url(permanence), form_data(permanence, phone="", email="", consent=""))
    body = response.content.decode()
    assert 'id="id_slot_0"' in body  # the summary's links lead to their fields
    assert response.status_code == 200 and not Appointment.objects.exists()
    assert 'value="Awa"' in body and 'value="Diallo"' in body
    assert "Indiquez un téléphone ou une adresse électronique" in body
    assert "Cochez cette case pour prendre rendez-vous" in body
    value = slot_value(permanence)
    assert re.search(rf'value="{value}"[^>]*checked|checked[^>]*value="{value}"', body)


@pytest.mark.parametrize(
    "slot",
    ["", "n’importe quoi", "2026-13-45T99:99", "\x00", "9999-12-31T09:00", "2026-12-08T09:07"],
)
def test_a_bad_slot_is_a_french_error_never_a_500(client, permanence, slot):
    response = client.post(book_url(permanence), form_data(permanence, slot=slot))
    assert response.status_code == 200
    assert 'href="#id_slot_0"' in response.content.decode() and 'id="id_slot_0"' in response.content.decode()
    assert "Choisissez l’heure" in response.content.decode() or "plus libre" in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_slot_taken_meanwhile_asks_for_another_and_keeps_the_rest(client, permanence):
    form = client.get(book_url(permanence))
    assert form.status_code == 200
    AppointmentFactory(event=permanence)  # someone else, between the page and the post
    response = client.post(book_url(permanence), form_data(permanence))
    body = response.content.decode()
    assert response.status_code == 200  # the slot is no longer a choice: the form says so
    assert "plus libre" in body and 'value="Diallo"' in body
    assert Appointment.objects.count() == 1


def test_the_same_form_sent_twice_books_once(client, permanence):
    client.post(book_url(permanence), form_data(permanence))
    again = client.post(book_url(permanence), form_data(permanence, minutes=40))
    assert again.status_code == 302
    assert Appointment.objects.count() == 1
    assert "déjà reçu" in client.get(again["Location"]).content.decode()


def test_the_reference_of_an_interest_request_links_it(client, permanence):
    interest_request = InterestRequestFactory(last_name="Diallo")
    client.post(book_url(permanence), form_data(permanence, request_reference=interest_request.reference))
    assert Appointment.objects.get().interest_request == interest_request


def test_a_robot_filling_the_honeypot_books_nothing(client, permanence):
    response = client.post(book_url(permanence), form_data(permanence, site_internet="http://spam.example"))
    assert response.status_code == 302 and not Appointment.objects.exists()


def test_too_many_bookings_from_one_address_keep_what_was_typed(client, permanence, settings):
    settings.MUTUELLE_APPOINTMENT_RATE = "1/h"
    client.post(book_url(permanence), form_data(permanence))
    response = client.post(book_url(permanence), form_data(permanence, minutes=20, submission_token="b" * 30))
    assert response.status_code == 429
    assert 'value="Diallo"' in response.content.decode()
    assert Appointment.objects.count() == 1


def test_unknown_past_or_other_events_are_404(client, permanence):
    assert client.get("/mutuelle/rendez-vous/nulle-part/").status_code == 404
    assert client.get(book_url(EventFactory())).status_code == 404
    past = PermanenceEventFactory(start=timezone.now() - datetime.timedelta(days=3))
    assert client.get(book_url(past)).status_code == 404


def test_a_full_permanence_says_so_and_offers_the_walk_in(client, permanence):
    Permanence.objects.create(event=permanence, slot_minutes=90)
    for minutes in (0, 90):
        AppointmentFactory(event=permanence, slot_start=permanence.start + datetime.timedelta(minutes=minutes))
    page = client.get(book_url(permanence)).content.decode()
    assert "Plus de rendez-vous libre" in page and 'type="radio"' not in page
    assert client.post(book_url(permanence), form_data(permanence)).status_code == 409


def test_a_permanence_whose_slug_is_annuler_keeps_its_booking_and_its_confirmation(client):
    """« annuler » is also the first part of the cancellation links: the two kinds of address never meet."""
    make_offer()
    permanence = PermanenceEventFactory(slug="annuler")
    assert client.get(book_url(permanence)).status_code == 200

    response = client.post(book_url(permanence), form_data(permanence, minutes=20))
    assert response["Location"] == "/mutuelle/rendez-vous/annuler/merci/"
    done = client.get(response["Location"])
    assert done.status_code == 200 and Appointment.objects.get().reference in done.content.decode()

    appointment = Appointment.objects.get()
    assert client.get(cancel_url(appointment)).status_code == 200  # its cancellation link still works


def test_the_confirmation_page_without_a_booking_goes_back_to_the_form(client, permanence):
    response = client.get(f"{book_url(permanence)}merci/")
    assert response.status_code == 302 and response["Location"] == book_url(permanence)


# The cancel link -----------------------------------------------------------------------------------------


def test_the_cancel_link_asks_then_cancels_and_frees_the_slot(client, permanence):
    appointment = AppointmentFactory(event=permanence)
    url = cancel_url(appointment)
    asked = client.get(url)
    assert asked.status_code == 200 and "Oui, annuler mon rendez-vous" in asked.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED  # a GET cancels nothing
    done = client.post(url)
    assert "C’est fait" in done.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert client.get(book_url(permanence)).content.decode().count('type="radio"') == 9
    assert "était déjà annulé" in client.post(url).content.decode()


def test_a_forged_cancel_link_is_404(client):
    assert client.get("/mutuelle/rendez-vous/annuler/RV-AAAA-BBBB:forged/").status_code == 404


def test_mails_are_sent_after_booking(client, permanence, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(book_url(permanence), form_data(permanence))
    [message] = mail.outbox
    assert message.to == ["awa@example.org"] and "Votre rendez-vous mutuelle" in message.subject


def test_a_booking_renews_the_cached_pages_that_count_the_slots(client, permanence, django_capture_on_commit_callbacks):
    make_offer()
    visitor = client.__class__()
    pages = [LIST, "/mutuelle/", permanence.get_absolute_url()]
    for path in pages:
        assert "9 rendez-vous libres" in squash(visitor.get(path).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(book_url(permanence), form_data(permanence))
    for path in pages:
        assert "8 rendez-vous libres" in squash(visitor.get(path).content.decode()), path
    Permanence.objects.create(event=permanence, slot_minutes=60)  # the team changes the slots
    for path in pages:
        assert "2 rendez-vous libres de 60 minutes" in squash(visitor.get(path).content.decode()), path
