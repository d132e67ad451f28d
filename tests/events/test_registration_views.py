"""The registration pages (issue 15 §1): the event's page, the form, its errors, confirmation, cancel link."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events.enums import RegistrationStatus
from events.models import Registration
from events.registrations import cancel_url
from tests.events.factories import EventFactory, PortalEventFactory, RegistrationFactory
from tests.mutuelle.factories import reset_rate_limits

pytestmark = pytest.mark.django_db
TOKEN = "jeton-de-test-0123456789abcdefghijklmnop"


@pytest.fixture(autouse=True)
def empty_cache():
    reset_rate_limits()
    yield
    reset_rate_limits()


def squash(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def form_data(**values):
    return {
        "first_name": "Awa",
        "last_name": "Diallo",
        "phone": "06 12 34 56 78",
        "email": "awa@example.org",
        "consent": "on",
        "submission_token": TOKEN,
        **values,
    }


@pytest.fixture
def event():
    return PortalEventFactory(title="Café psycho", slug="cafe-psycho", registration_capacity=2)


def test_the_event_page_shows_the_places_left_and_the_way_to_register(client, event):
    RegistrationFactory(event=event)
    page = squash(client.get(event.get_absolute_url()).content.decode())
    assert "1 place restante sur 2" in page
    assert "M’inscrire" in page
    assert 'href="/agenda/cafe-psycho/inscription/"' in client.get(event.get_absolute_url()).content.decode()


def test_a_registration_empties_the_cached_event_page(client, event, django_capture_on_commit_callbacks):
    visitor = client.__class__()
    assert "2 places restantes" in squash(visitor.get(event.get_absolute_url()).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(event.get_registration_url(), form_data())
    assert "1 place restante" in squash(visitor.get(event.get_absolute_url()).content.decode())


def test_register_confirmation_page_with_reference_and_cancel_link(client, event, django_capture_on_commit_callbacks):
    form = client.get(event.get_registration_url())
    assert form.status_code == 200
    body = form.content.decode()
    assert 'name="submission_token"' in body and 'name="site_internet"' in body
    assert "style=" not in body and not re.search(r"<script[^>]*>[^<]", body)
    assert 'name="places"' not in body  # one place per registration for this event

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(event.get_registration_url(), form_data())
    assert response.status_code == 302
    assert response["Location"] == "/agenda/cafe-psycho/inscription/merci/"
    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.CONFIRMED and registration.consent_at is not None
    done = client.get(response["Location"]).content.decode()
    assert registration.reference in done
    assert "Votre place est réservée" in squash(done)
    assert cancel_url(registration) in done
    # The mail: the reference, the cancel link, the event's .ics attached.
    (message,) = mail.outbox
    assert message.to == ["awa@example.org"]
    assert registration.reference in message.subject and registration.reference in message.body
    assert cancel_url(registration) in message.body
    (name, content, mimetype) = message.attachments[0]
    assert name == "cafe-psycho.ics" and mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in content and "SUMMARY:Café psycho" in content


def test_a_double_click_or_a_resubmission_keeps_the_same_reference(client, event):
    first = client.post(event.get_registration_url(), form_data())
    again = client.post(event.get_registration_url(), form_data())
    assert first.status_code == again.status_code == 302
    assert Registration.objects.count() == 1
    assert "déjà reçue" in client.get(again["Location"]).content.decode()
    # Back to the form (a new token), the same person sends it again: still the same registration.
    client.post(event.get_registration_url(), form_data(submission_token="autre-jeton-0123456789abcdefghij"))
    assert Registration.objects.count() == 1


def test_full_event_puts_on_the_waiting_list_with_rank(client, event):
    RegistrationFactory.create_batch(2, event=event)
    page = squash(client.get(event.get_absolute_url()).content.decode())
    assert "Complet" in page and "liste d’attente" in page
    response = client.post(event.get_registration_url(), form_data())
    done = squash(client.get(response["Location"]).content.decode())
    assert "Vous êtes sur la liste d’attente" in done and "1 re sur la liste d’attente" in done


def test_errors_are_tied_to_fields_and_keep_what_was_typed(client, event):
    response = client.post(event.get_registration_url(), form_data(phone="", email="", consent=""))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Votre inscription n’est pas encore envoyée : 2 réponses à vérifier" in squash(body)
    assert 'href="#id_phone"' in body and 'href="#id_consent"' in body
    assert 'value="Diallo"' in body and 'value="Awa"' in body
    assert 'aria-describedby="id_phone_error' in body or "id_phone_error" in body
    assert not Registration.objects.exists()


def test_honeypot_looks_like_success_and_stores_nothing(client, event):
    response = client.post(event.get_registration_url(), form_data(site_internet="http://spam.example"))
    assert response.status_code == 302
    assert not Registration.objects.exists()
    assert "nous est parvenue" in client.get(response["Location"]).content.decode()


def test_rate_limit_keeps_what_was_typed(client, event, settings):
    settings.EVENTS_REGISTRATION_RATE = "1/h"
    event.registration_capacity = 10
    event.save()
    client.post(event.get_registration_url(), form_data())
    other = client.__class__()
    response = other.post(event.get_registration_url(), form_data(last_name="Traoré", submission_token="b" * 30))
    assert response.status_code == 429
    assert 'id="trop-de-demandes"' in response.content.decode()
    assert 'value="Traoré"' in response.content.decode()
    assert Registration.objects.count() == 1


def test_events_without_registration_on_the_site_have_no_form(client):
    event = EventFactory(slug="sans-inscription")
    assert client.get("/agenda/sans-inscription/inscription/").status_code == 404
    assert client.get("/agenda/inconnu/inscription/").status_code == 404
    assert event.registration == "aucune"


def test_closed_registrations_show_no_form_and_a_late_post_keeps_the_text(client, event):
    event.status = "annule"
    event.save()
    page = client.get(event.get_registration_url())
    assert page.status_code == 200 and "formulaire-inscription" not in page.content.decode()
    response = client.post(event.get_registration_url(), form_data())
    assert response.status_code == 409
    assert not Registration.objects.exists()


def test_cancel_link_asks_then_cancels_and_promotes(client, event, django_capture_on_commit_callbacks):
    confirmed = RegistrationFactory(event=event)
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(
        event=event, status=RegistrationStatus.WAITING, email="attente@example.org", confirmation_sent_at=timezone.now()
    )
    url = cancel_url(confirmed)

    page = client.get(url)
    assert page.status_code == 200 and "Oui, annuler mon inscription" in page.content.decode()
    confirmed.refresh_from_db()
    assert confirmed.status == RegistrationStatus.CONFIRMED  # a GET (a mail scanner) cancels nothing

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url)
    assert done.status_code == 200 and "est annulée" in squash(done.content.decode())
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert [m.to for m in mail.outbox if "libérée" in m.subject] == [["attente@example.org"]]
    # The link again: already cancelled, nothing more happens.
    assert "était déjà annulée" in squash(client.post(url).content.decode())


@pytest.mark.parametrize("token", ["abc", "IN-AAAA-BBBB", "x" * 500])
def test_a_forged_cancel_link_is_a_404_in_french(client, event, token):
    response = client.get(reverse("events:registration_cancel", kwargs={"slug": event.slug, "token": token}))
    assert response.status_code == 404
    assert "Lien d’annulation non reconnu" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 40])
def test_query_budget(client, event, rows, django_assert_max_num_queries):
    event.registration_capacity = 100
    event.save()
    RegistrationFactory.create_batch(rows, event=event)
    with django_assert_max_num_queries(12):
        assert client.get(event.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(event.get_registration_url()).status_code == 200
    with django_assert_max_num_queries(40):  # half of them the rate limits (a table without Redis)
        response = client.post(event.get_registration_url(), form_data())
        assert response.status_code == 302
    with django_assert_max_num_queries(10):
        assert client.get(response["Location"]).status_code == 200
