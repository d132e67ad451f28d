"""The interest form's journey (issue 11, §4): a mistake never locks a person out, the error
summary follows the page, a form sent again is « déjà envoyée », and the orientation hands the
household size over."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from mutuelle.models import InterestRequest
from mutuelle.views import SESSION_ALREADY_SENT, SESSION_REFERENCE
from tests.mutuelle.factories import interest_form_data, reset_rate_limits

pytestmark = pytest.mark.django_db

FORM_URL = reverse("mutuelle:request")
DONE_URL = reverse("mutuelle:request_done")


def squash(html):
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    reset_rate_limits()
    yield
    reset_rate_limits()


def test_five_forms_with_a_mistake_then_a_correct_one_is_accepted(client, settings):
    settings.MUTUELLE_FORM_RATE = "5/h"  # the production default
    mistakes = [
        {"postal_code": "75001"},
        {"phone": "", "email": ""},
        {"first_name": ""},
        {"consent": None},
        {"birth_date": "31/02/1980"},
    ]
    for mistake in mistakes:
        response = client.post(FORM_URL, interest_form_data(**mistake))
        assert response.status_code == 200
        assert "réponse à vérifier" in squash(response.content.decode())

    response = client.post(FORM_URL, interest_form_data())

    assert response.status_code == 302 and response["Location"] == DONE_URL
    assert InterestRequest.objects.count() == 1
    assert "Votre demande est envoyée" in client.get(DONE_URL).content.decode()


def test_the_error_summary_lists_the_mistakes_in_the_order_of_the_page(client):
    data = interest_form_data(
        first_name="",
        postal_code="75001",
        birth_date="demain",
        phone="12",
        contact_time=None,
        household_size="40",
        consent=None,
    )
    body = client.post(FORM_URL, data).content.decode()

    summary = re.search(r'id="erreurs"[^>]*>(.*?)</div>', body, re.S).group(1)
    links = re.findall(r'href="#([a-z_0-9]+)"', summary)
    assert links == [
        "id_first_name",
        "id_birth_date",
        "id_postal_code",
        "id_phone",
        "id_contact_time_0",
        "id_household_size",
        "id_consent",
    ]
    # The same order as the fields in the page.
    form = body[body.index('id="formulaire-demande"') :]
    positions = [form.index(f'id="{link}"') for link in links]
    assert positions == sorted(positions)
    # The summary takes the focus (first-party script), and is not also an alert read twice.
    assert re.search(r'id="erreurs"\s+tabindex="-1"\s+data-error-summary', body)
    assert 'role="alert" id="erreurs"' not in body
    assert '<script src="/static/js/error-summary.js" defer></script>' in body


def test_going_back_after_sending_and_sending_again_is_already_sent(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(FORM_URL, interest_form_data()).status_code == 302
    reference = client.session[SESSION_REFERENCE]
    first = squash(client.get(DONE_URL).content.decode())
    assert "Votre demande est envoyée" in first and "déjà" not in first

    # Back to the form: the browser fetched it again (a new token) and kept what was typed.
    fresh_token = re.search(r'name="submission_token" value="([^"]+)"', client.get(FORM_URL).content.decode())
    response = client.post(FORM_URL, interest_form_data(submission_token=fresh_token.group(1), first_name="FATOUMATA"))

    assert response.status_code == 302 and response["Location"] == DONE_URL
    assert InterestRequest.objects.count() == 1
    assert client.session[SESSION_REFERENCE] == reference
    done = client.get(DONE_URL).content.decode()
    text = squash(done)
    assert "<h1>Votre demande est déjà envoyée</h1>" in done
    assert "elle n’est pas enregistrée une deuxième fois" in text
    assert reference in text


def test_the_same_form_sent_again_is_already_sent(client):
    data = interest_form_data()
    client.post(FORM_URL, data)
    client.post(FORM_URL, data)

    assert InterestRequest.objects.count() == 1
    assert "Votre demande est déjà envoyée" in client.get(DONE_URL).content.decode()


def test_another_person_from_the_same_browser_is_a_new_request(client):
    client.post(FORM_URL, interest_form_data())
    assert client.session.get(SESSION_ALREADY_SENT) is None
    client.post(FORM_URL, interest_form_data())  # sent again: « déjà envoyée »
    assert client.session[SESSION_ALREADY_SENT] is True

    client.post(FORM_URL, interest_form_data(first_name="Awa", phone="06 98 76 54 32", email="awa@example.org"))

    assert InterestRequest.objects.count() == 2
    assert SESSION_ALREADY_SENT not in client.session
    assert "Votre demande est envoyée" in client.get(DONE_URL).content.decode()
    assert client.session[SESSION_REFERENCE] == InterestRequest.objects.get(first_name="Awa").reference


def test_the_same_details_from_another_browser_are_another_request():
    Client().post(FORM_URL, interest_form_data())
    Client().post(FORM_URL, interest_form_data())
    assert InterestRequest.objects.count() == 2


def test_the_orientation_brings_the_household_size(client):
    body = client.get(FORM_URL, {"foyer": "3"}).content.decode()
    tag = re.search(r'<input [^>]*name="household_size"[^>]*>', body).group(0)
    assert 'value="3"' in tag
    assert "Erreur" not in body.split("</title>")[0]


@pytest.mark.parametrize("junk", ["0", "21", "-2", "deux", "٣", "3" * 500, "1.5", ""])
def test_a_household_size_that_is_not_one_is_ignored(client, junk):
    response = client.get(FORM_URL, {"foyer": junk})
    tag = re.search(r'<input [^>]*name="household_size"[^>]*>', response.content.decode()).group(0)
    assert response.status_code == 200
    assert "value=" not in tag
