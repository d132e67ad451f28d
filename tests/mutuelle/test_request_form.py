"""The interest form /mutuelle/demande/ and its confirmation page (issue 4, item 3), and the privacy notice."""

import datetime
import logging
import re

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mutuelle.forms import (
    CONTACT_REQUIRED,
    POSTAL_CODE_INVALID,
    POSTAL_CODE_OUTSIDE,
    InterestRequestForm,
)
from mutuelle.models import InterestRequest
from mutuelle.views import SESSION_MAIL, SESSION_REFERENCE
from tests.mutuelle.factories import interest_form_data, reset_rate_limits

REFERENCE = re.compile(r"^MC-[A-Z2-9]{4}-[A-Z2-9]{4}$")
FORM_URL = "/mutuelle/demande/"
DONE_URL = "/mutuelle/demande/merci/"
TOKEN = "jeton-de-test-0123456789abcdefghijklmnop"

# The model's check constraints, validated with the form, are evaluated by the database.
pytestmark = pytest.mark.django_db


def squash(html):
    """The text of an HTML page with tags removed and whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def valid_data(**overrides):
    return interest_form_data(**{"submission_token": TOKEN, **overrides})


def form_errors(**overrides):
    form = InterestRequestForm(data=valid_data(**overrides))
    form.is_valid()
    return form.errors


@pytest.fixture(autouse=True)
def empty_cache():
    """The form's limits count per address: every test starts from zero."""
    reset_rate_limits()
    yield
    reset_rate_limits()


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def test_form_page_has_the_fieldsets_csrf_token_and_no_inline_script(client):
    response = client.get(FORM_URL)

    assert response.status_code == 200
    body = response.content.decode()
    for legend in ("Vous", "Vous joindre", "Votre situation", "Votre accord"):
        assert f"<legend>{legend}</legend>" in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'method="post"' in body
    assert re.search(r'<input type="hidden" name="submission_token" value="[A-Za-z0-9_-]{43}"', body)
    assert 'type="date" name="birth_date"' in body
    # Only first-party script files (the error summary's focus), never inline code.
    assert re.findall(r"<script[^>]*>", body) == ['<script src="/static/js/error-summary.js" defer>']
    assert "</script>" in body and not re.search(r"<script[^>]*>[^<]", body)
    assert "style=" not in body
    assert response["Cache-Control"].startswith("max-age=0")


def test_each_get_gives_a_new_submission_token(client):
    tokens = {
        re.search(r'name="submission_token" value="([^"]+)"', client.get(FORM_URL).content.decode()).group(1)
        for _ in range(2)
    }

    assert len(tokens) == 2


def test_every_text_field_has_a_maxlength_and_dates_and_numbers_have_bounds(client):
    body = client.get(FORM_URL).content.decode()

    for name, limit in [
        ("first_name", 100),
        ("last_name", 100),
        ("phone", 30),
        ("email", 254),
        ("postal_code", 10),
        ("site_internet", 200),
    ]:
        tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', body).group(0)
        assert f'maxlength="{limit}"' in tag
    assert re.search(r'<textarea name="message"[^>]*maxlength="2000"', body)
    date_tag = re.search(r'<input [^>]*name="birth_date"[^>]*>', body).group(0)
    today = timezone.localdate()
    assert f'max="{today.isoformat()}"' in date_tag and f'min="{today.year - 120}-' in date_tag
    number_tag = re.search(r'<input [^>]*name="household_size"[^>]*>', body).group(0)
    assert 'min="1"' in number_tag and 'max="20"' in number_tag


def test_the_form_asks_for_nothing_more_than_the_issue_lists():
    assert set(InterestRequestForm.base_fields) == {
        "first_name",
        "last_name",
        "phone",
        "email",
        "postal_code",
        "birth_date",
        "household_size",
        "current_cover",
        "situation",
        "contact_method",
        "contact_time",
        "message",
        "consent",
        "submission_token",
        "site_internet",
    }


def test_consent_label_links_to_the_notice_and_the_short_notice_is_beside_the_form(client):
    body = client.get(FORM_URL).content.decode()

    label = re.search(r'<label for="id_consent"[^>]*>(.*?)</label>', body, re.S).group(1)
    assert '<a href="/donnees-personnelles/#mutuelle">' in label
    text = squash(body)
    assert "Vos données" in text and "CCAS" in text and "Tout savoir sur vos données et vos droits" in text
    assert "Pour vous rappeler et vous renseigner sur la mutuelle communale" in text


def test_honeypot_is_hidden_from_people_out_of_the_tab_order_and_labelled(client):
    body = client.get(FORM_URL).content.decode()

    wrapper = re.search(r'<div\s+class="visually-hidden"\s*>(.*?)</div>\s*</div>', body, re.S).group(1)
    tag = re.search(r'<input [^>]*name="site_internet"[^>]*>', wrapper).group(0)
    assert 'tabindex="-1"' in tag and 'autocomplete="off"' in tag
    assert "Ne remplissez pas ce champ" in wrapper


# ---------------------------------------------------------------------------------------------
# Each field
# ---------------------------------------------------------------------------------------------


def test_valid_data_is_valid():
    form = InterestRequestForm(data=valid_data())

    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("0612345678", "06 12 34 56 78"),
        ("06 12 34 56 78", "06 12 34 56 78"),
        ("06.12.34.56.78", "06 12 34 56 78"),
        ("06-12-34-56-78", "06 12 34 56 78"),
        ("+33 6 12 34 56 78", "06 12 34 56 78"),
        ("+33612345678", "06 12 34 56 78"),
        ("+33 (0)1 49 80 88 68", "01 49 80 88 68"),
        ("0033 1 49 80 88 68", "01 49 80 88 68"),
        (" 01 49 80 88 68 ", "01 49 80 88 68"),
        # Mistakes and keyboards that phonenumbers reads for the person: the trunk 0 after +33,
        # and the Arabic-Indic digits of an Arabic keyboard.
        ("+33 0612345678", "06 12 34 56 78"),
        ("٠٦١٢٣٤٥٦٧٨", "06 12 34 56 78"),
        # A number of an overseas department, written as it is dialled from France.
        ("0692 12 34 56", "0692 12 34 56"),
    ],
)
def test_french_phone_numbers_are_read_however_written(typed, shown):
    form = InterestRequestForm(data=valid_data(phone=typed))

    assert form.is_valid(), form.errors
    assert str(form.cleaned_data["phone"]) == shown


def test_a_phone_number_is_stored_in_e164_and_shown_in_the_national_form(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM_URL, valid_data(phone="06.12.34.56.78"))

    assert response.status_code == 302
    stored = InterestRequest.objects.values("phone").get()["phone"]
    assert stored.as_e164 == "+33612345678"
    assert InterestRequest.objects.filter(phone="+33612345678").exists()
    assert str(InterestRequest.objects.get().phone) == "06 12 34 56 78"


def test_a_refused_phone_number_is_shown_again_as_typed(client):
    response = client.post(FORM_URL, valid_data(phone="06 12 34 56 7a"))

    assert response.status_code == 200
    assert 'value="06 12 34 56 7a"' in response.content.decode()
    assert "Ce numéro de téléphone ne semble pas valide" in response.content.decode()


@pytest.mark.parametrize(
    "typed",
    [
        "12",
        "061234567",
        "06123456789",
        "0012345678",
        "+44 20 7946 0958",
        "06 12 34 56 7a",
        "+33 6 12 34 56 78 9",
        "0 800 23 13 13 13 13 13 13 13 13",
    ],
)
def test_other_phone_numbers_are_refused_in_french(typed):
    errors = form_errors(phone=typed)

    assert errors["phone"] == [
        "Ce numéro de téléphone ne semble pas valide : écrivez les 10 chiffres d’un numéro français, "
        "par exemple 06 12 34 56 78 ou +33 6 12 34 56 78."
    ]


def test_phone_or_email_at_least_one():
    assert form_errors(phone="", email="")["phone"] == [CONTACT_REQUIRED]
    assert CONTACT_REQUIRED == (
        "Indiquez un téléphone ou une adresse électronique pour que nous puissions vous rappeler."
    )
    assert not form_errors(phone="", contact_method="courriel")
    assert not form_errors(email="")


def test_preferred_contact_method_needs_its_contact():
    assert form_errors(email="", contact_method="courriel")["email"] == [
        "Vous préférez un courriel : indiquez votre adresse électronique, ou choisissez le téléphone."
    ]
    assert form_errors(phone="", contact_method="telephone")["phone"] == [
        "Vous préférez un appel : indiquez votre numéro de téléphone, ou choisissez le courriel."
    ]


@pytest.mark.parametrize("typed", ["fatoumata", "nom@", "@example.org", "a b@example.org", "x" * 250 + "@example.org"])
def test_invalid_email_is_refused_in_french(typed):
    errors = form_errors(email=typed)["email"]

    assert errors[0] in {
        "Cette adresse électronique ne semble pas valide : elle s’écrit comme nom@exemple.fr.",
        "Ce texte est trop long : 254 caractères au plus.",
    }


@pytest.mark.parametrize("typed", ["94000", " 94000 ", "94 000"])
def test_creteil_postal_code_is_accepted(typed):
    form = InterestRequestForm(data=valid_data(postal_code=typed))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["postal_code"] == "94000"


@pytest.mark.parametrize("typed", ["75001", "94010", "94100"])
def test_other_towns_get_a_kind_message_pointing_to_their_town_hall(typed):
    assert form_errors(postal_code=typed)["postal_code"] == [POSTAL_CODE_OUTSIDE]
    assert "mairie" in POSTAL_CODE_OUTSIDE and "CCAS" in POSTAL_CODE_OUTSIDE


@pytest.mark.parametrize("typed", ["9400", "940000", "abcde", "９４０００", "94-000"])
def test_malformed_postal_code_is_refused(typed):
    assert form_errors(postal_code=typed)["postal_code"] == [POSTAL_CODE_INVALID]


def test_postal_code_is_required():
    assert form_errors(postal_code="")["postal_code"] == ["Indiquez le code postal de votre domicile."]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1971-05-14", datetime.date(1971, 5, 14)),
        ("14/05/1971", datetime.date(1971, 5, 14)),
        ("14-05-1971", datetime.date(1971, 5, 14)),
        ("", None),
    ],
)
def test_birth_date_accepts_the_date_picker_and_french_writing(typed, expected):
    form = InterestRequestForm(data=valid_data(birth_date=typed))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["birth_date"] == expected


def test_birth_date_in_the_future_or_too_old_is_refused():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    assert form_errors(birth_date=tomorrow.isoformat())["birth_date"] == [
        "La date de naissance ne peut pas être dans le futur."
    ]
    assert form_errors(birth_date="01/01/1890")["birth_date"] == [
        "Vérifiez l’année de naissance : elle donne un âge de plus de 120 ans."
    ]


@pytest.mark.parametrize("typed", ["31/02/1980", "hier", "1980", "14/05/71x", "1" * 5000])
def test_unreadable_birth_date_is_refused(typed):
    assert form_errors(birth_date=typed)["birth_date"] == [
        "Écrivez votre date de naissance sous la forme jj/mm/aaaa, par exemple 12/03/1980."
    ]


@pytest.mark.parametrize(("typed", "expected"), [("1", 1), ("20", 20), ("", None)])
def test_household_size_within_1_and_20(typed, expected):
    form = InterestRequestForm(data=valid_data(household_size=typed))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["household_size"] == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Le foyer compte au moins une personne : vous."),
        ("21", "Indiquez un nombre entre 1 et 20. Au-delà, appelez le CCAS."),
        ("deux", "Écrivez un nombre entier, par exemple 1, 2 ou 3."),
        ("３", "Écrivez un nombre entier, par exemple 1, 2 ou 3."),
        ("9" * 5000, "Écrivez un nombre entier, par exemple 1, 2 ou 3."),
    ],
)
def test_household_size_out_of_range_is_refused(typed, message):
    assert form_errors(household_size=typed)["household_size"] == [message]


@pytest.mark.parametrize("field", ["current_cover", "situation", "contact_method", "contact_time"])
def test_choices_outside_the_list_are_refused(field):
    assert form_errors(**{field: "mutuelle-du-voisin"})[field]


@pytest.mark.parametrize(
    ("field", "message"), [("first_name", "Indiquez votre prénom."), ("last_name", "Indiquez votre nom.")]
)
def test_names_are_required(field, message):
    assert form_errors(**{field: ""})[field] == [message]


@pytest.mark.parametrize(
    "typed", ["Jean-Pierre", "N’Diaye", "O'Brien", "Zoë", "محمد", "Nguyễn Thị", "张伟", "St. John"]
)
def test_names_in_any_alphabet_are_accepted(typed):
    form = InterestRequestForm(data=valid_data(first_name=typed))

    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    "typed", ["<script>alert(1)</script>", "Robert'); DROP TABLE mutuelle;--", "😀", "Jean 2", "---", "Ali\u202eeilA"]
)
def test_names_with_other_characters_are_refused(typed):
    assert form_errors(first_name=typed)["first_name"]


def test_message_up_to_2000_characters():
    assert not form_errors(message="a" * 2000)
    assert form_errors(message="a" * 2001)["message"] == ["Ce texte est trop long : 2000 caractères au plus."]


def test_message_keeps_lines_and_emoji_but_not_control_characters():
    assert not form_errors(message="Bonjour,\r\nmerci 🙂\tà bientôt")
    assert form_errors(message="Bonjour \u202e ceci")["message"] == [
        "Ce texte contient des caractères invisibles ou de contrôle : retapez-le sans copier-coller."
    ]


def test_consent_is_required():
    assert form_errors(consent=None)["consent"] == [
        "Cochez cette case pour envoyer votre demande : sans votre accord, nous ne pouvons pas vous rappeler."
    ]


@pytest.mark.parametrize("token", ["", "court", "x" * 65, "pas de blancs !", "a\x00" * 20])
def test_a_missing_or_foreign_submission_token_is_replaced_never_an_error(token):
    form = InterestRequestForm(data=valid_data(submission_token=token))

    assert form.is_valid(), form.errors
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", form.cleaned_data["submission_token"])


# ---------------------------------------------------------------------------------------------
# Hostile input through the view: always a page with errors, never a 500, nothing stored
# ---------------------------------------------------------------------------------------------

HOSTILE_VALUES = {
    "huge": "A" * 100_000,
    "nul": "Fatou\x00mata",
    "html": '<script>alert("x")</script><img src=x onerror=alert(1)>',
    "sql": "' OR 1=1; DROP TABLE mutuelle_interestrequest; --",
    "rtl_emoji": "\u202eatamuotaF 😀🏳️‍🌈",
}
HOSTILE_FIELDS = [
    "first_name",
    "last_name",
    "phone",
    "email",
    "postal_code",
    "birth_date",
    "household_size",
    "current_cover",
    "situation",
    "contact_method",
    "contact_time",
]


@pytest.mark.parametrize("field", HOSTILE_FIELDS)
@pytest.mark.parametrize("kind", list(HOSTILE_VALUES))
def test_hostile_input_gives_errors_and_stores_nothing(client, field, kind):
    response = client.post(FORM_URL, valid_data(**{field: HOSTILE_VALUES[kind]}))

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert InterestRequest.objects.count() == 0
    body = response.content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "Votre demande n’est pas encore envoyée" in body


@pytest.mark.parametrize("kind", ["huge", "nul"])
def test_hostile_message_gives_an_error_and_stores_nothing(client, kind):
    response = client.post(FORM_URL, valid_data(message=HOSTILE_VALUES[kind]))

    assert response.status_code == 200
    assert response.context["form"].errors["message"]
    assert InterestRequest.objects.count() == 0


def test_html_in_the_message_is_plain_text_stored_as_typed(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM_URL, valid_data(message=HOSTILE_VALUES["html"] + " " + HOSTILE_VALUES["sql"]))

    assert response.status_code == 302
    assert InterestRequest.objects.get().message == HOSTILE_VALUES["html"] + " " + HOSTILE_VALUES["sql"]


def test_every_field_huge_at_once_is_still_a_page_with_errors(client):
    data = dict.fromkeys(HOSTILE_FIELDS + ["message", "submission_token"], "9" * 100000)
    data["consent"] = "on"

    response = client.post(FORM_URL, data)

    assert response.status_code == 200
    assert set(response.context["form"].errors) >= set(HOSTILE_FIELDS) | {"message"}
    assert InterestRequest.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Errors: shown next to each field, summarised at the top, everything typed kept
# ---------------------------------------------------------------------------------------------


def test_errors_are_tied_to_their_fields_and_summarised_with_links(client):
    response = client.post(FORM_URL, valid_data(phone="12", postal_code="75001", consent=None))

    body = response.content.decode()
    assert "<title>Erreur :" in re.sub(r"\s+", " ", body)
    summary = re.search(r'<div class="alert alert-danger"\s+id="erreurs"[^>]*>(.*?)</div>', body, re.S).group(1)
    for field in ("phone", "postal_code", "consent"):
        assert f'<a href="#id_{field}">' in summary
    phone_tag = re.search(r'<input [^>]*name="phone"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in phone_tag and "id_phone_error" in phone_tag
    assert 'id="id_phone_error"' in body
    assert "3 réponses à vérifier" in squash(summary)


def test_error_summary_links_a_radio_group_to_its_first_button(client):
    body = client.post(FORM_URL, valid_data(contact_method="pigeon", contact_time=None)).content.decode()

    summary = re.search(r'id="erreurs"[^>]*>(.*?)</div>', body, re.S).group(1)
    assert '<a href="#id_contact_method_0">' in summary and '<a href="#id_contact_time_0">' in summary
    assert 'id="id_contact_method_0"' in body
    assert 'href="#"' not in summary


def test_everything_typed_is_kept_on_error(client):
    data = valid_data(
        postal_code="75011",
        birth_date="14/05/1971",
        message="Ligne 1\nLigne 2 & <suite>",
        contact_method="courriel",
        contact_time="apres_midi",
        current_cover="employeur",
        situation="salarie",
    )

    body = client.post(FORM_URL, data).content.decode()

    assert 'value="Fatoumata"' in body
    assert 'value="Diallo-N’Diaye"' in body
    assert 'value="06 12 34 56 78"' in body
    assert 'value="fatoumata@example.org"' in body
    assert 'value="75011"' in body
    assert 'value="1971-05-14"' in body  # typed as 14/05/1971, shown again in the date picker
    assert 'value="2"' in body
    assert "Ligne 1\nLigne 2 &amp; &lt;suite&gt;</textarea>" in body
    assert re.search(r'value="courriel"\s+id="id_contact_method_1"[^>]*checked', body)
    assert re.search(r'value="apres_midi"\s+id="id_contact_time_2"[^>]*checked', body)
    assert '<option value="employeur" selected>' in body
    assert '<option value="salarie" selected>' in body
    assert re.search(r'<input type="checkbox" name="consent"[^>]*checked', body)
    assert f'value="{TOKEN}"' in body


# ---------------------------------------------------------------------------------------------
# Success, confirmation page, double submission
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_success_creates_one_request_and_shows_its_reference(client):
    # A real commit, as in production: the mails go before the redirect, and the page knows it.
    response = client.post(FORM_URL, valid_data())

    assert response.status_code == 302
    assert response["Location"] == DONE_URL
    interest_request = InterestRequest.objects.get()
    assert REFERENCE.match(interest_request.reference)
    assert interest_request.first_name == "Fatoumata"
    assert interest_request.phone == "06 12 34 56 78"
    assert interest_request.birth_date == datetime.date(1971, 5, 14)
    assert interest_request.source == "site"
    assert interest_request.consent_at is not None
    assert interest_request.submission_token == TOKEN
    assert str(interest_request.pk) not in response["Location"]

    done = client.get(DONE_URL)
    assert done.status_code == 200
    body = done.content.decode()
    assert f'id="reference">{interest_request.reference}</p>' in body
    text = squash(body)
    assert "Un conseiller du CCAS vous rappelle sous 5 jours ouvrés" in text
    assert "01 49 80 88 68" in text
    assert "Nous vous avons envoyé un courriel de confirmation" in text
    # No personal data on the page, nor in the session.
    for personal in ("Fatoumata", "Diallo", "06 12 34 56 78", "fatoumata@example.org", "deux personnes"):
        assert personal not in body
    assert dict(client.session.items()) == {SESSION_REFERENCE: interest_request.reference, SESSION_MAIL: "sent"}


def test_without_email_the_page_says_no_mail_was_sent(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(FORM_URL, valid_data(email=""))

    text = squash(client.get(DONE_URL).content.decode())
    assert "Vous n’avez pas donné d’adresse électronique : vous ne recevrez pas de courriel." in text
    assert [message.to for message in mail.outbox] == [[django_settings.MUTUELLE_TEAM_EMAIL]]


def test_double_click_or_reload_makes_one_request(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(FORM_URL, valid_data())
    reference = client.session[SESSION_REFERENCE]
    other_browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        second = other_browser.post(FORM_URL, valid_data())

    assert first.status_code == second.status_code == 302
    assert InterestRequest.objects.count() == 1
    assert other_browser.session[SESSION_REFERENCE] == reference
    assert reference in other_browser.get(DONE_URL).content.decode()
    assert len(mail.outbox) == 2  # one confirmation, one notification: not twice


def test_two_forms_make_two_requests(client, django_capture_on_commit_callbacks):
    # From one browser, for two people (the same person sent again: test_request_journey.py).
    with django_capture_on_commit_callbacks(execute=True):
        client.post(FORM_URL, valid_data())
        client.post(FORM_URL, valid_data(submission_token="un-autre-jeton-0123456789abcdef", first_name="Awa"))

    assert InterestRequest.objects.count() == 2
    assert len(set(InterestRequest.objects.values_list("reference", flat=True))) == 2


def test_done_page_without_a_request_goes_back_to_the_form(client):
    response = client.get(DONE_URL)

    assert response.status_code == 302
    assert response["Location"] == FORM_URL


# ---------------------------------------------------------------------------------------------
# Honeypot, rate limit, CSRF
# ---------------------------------------------------------------------------------------------


def test_honeypot_filled_looks_like_success_and_stores_nothing(client, caplog):
    with caplog.at_level(logging.INFO, logger="mutuelle.views"):
        response = client.post(FORM_URL, valid_data(site_internet="https://spam.example"))

    assert response.status_code == 302
    assert response["Location"] == DONE_URL
    assert InterestRequest.objects.count() == 0
    assert mail.outbox == []
    done = client.get(DONE_URL)
    assert done.status_code == 200
    assert "Votre demande est envoyée" in done.content.decode()
    records = [record for record in caplog.records if record.name == "mutuelle.views"]
    assert [record.levelno for record in records] == [logging.INFO]
    logged = records[0].getMessage()
    assert "piège" in logged
    for personal in ("Fatoumata", "Diallo", "06 12", "example", "spam", "127.0.0.1"):
        assert personal not in logged


@pytest.fixture
def tight_rate(settings):
    # Two submissions per hour: a per-minute window could roll over in the middle of a test.
    settings.MUTUELLE_FORM_RATE = "2/h"


def token(number):
    return f"jeton-{number:02d}-0123456789abcdefghijklmnop"


def send_valid(client, number, **extra):
    return client.post(
        FORM_URL, valid_data(submission_token=token(number), last_name=f"Diallo {'abcdef'[number]}"), **extra
    )


def test_rate_limit_gives_a_french_429_that_keeps_what_was_typed(client, tight_rate):
    for number in range(2):
        assert send_valid(client, number).status_code == 302

    response = client.post(FORM_URL, valid_data(submission_token="jeton-neuf-0123456789abcdefghij"))

    assert response.status_code == 429
    assert InterestRequest.objects.count() == 2
    body = response.content.decode()
    text = squash(body)
    assert "Trop de demandes envoyées depuis votre connexion" in text
    assert "01 49 80 88 68" in text
    assert 'value="Fatoumata"' in body and 'value="06 12 34 56 78"' in body
    assert 'value="fatoumata@example.org"' in body and 'value="1971-05-14"' in body
    assert "Je voudrais connaître les prix pour deux personnes.</textarea>" in body
    assert re.search(r'<input type="checkbox" name="consent"[^>]*checked', body)
    assert 'value="jeton-neuf-0123456789abcdefghij"' in body
    assert not re.search(r"<script[^>]*>[^<]", body)


def test_rate_limit_counts_per_client_address(client, tight_rate):
    answers = [send_valid(client, number, REMOTE_ADDR="192.0.2.1").status_code for number in range(3)]
    assert answers == [302, 302, 429]

    response = send_valid(client, 3, REMOTE_ADDR="192.0.2.2")

    assert response.status_code == 302


def test_rate_limit_does_not_count_page_views(client, tight_rate):
    for _ in range(5):
        assert client.get(FORM_URL).status_code == 200
    assert send_valid(client, 0).status_code == 302


def test_forms_returned_with_mistakes_are_never_counted(client, tight_rate):
    # Six tries with a mistake to correct (a Paris postal code, then no way to call back)...
    for number in range(6):
        mistake = {"postal_code": "75001"} if number % 2 else {"phone": "", "email": ""}
        response = client.post(FORM_URL, valid_data(**mistake))
        assert response.status_code == 200
        assert "is-invalid" in response.content.decode()
    # ...then the right one: accepted, and the limit still has its two submissions.
    assert client.post(FORM_URL, valid_data()).status_code == 302
    assert send_valid(client, 1).status_code == 302
    assert send_valid(client, 2).status_code == 429
    assert InterestRequest.objects.count() == 2


def test_robots_posts_are_counted(client, tight_rate):
    # The honeypot filled twice: told all went well, nothing stored, but the limit is used up.
    for number in range(2):
        response = client.post(
            FORM_URL, valid_data(submission_token=token(number), site_internet="https://spam.example")
        )
        assert response.status_code == 302
    assert send_valid(client, 2).status_code == 429
    assert InterestRequest.objects.count() == 0


def test_a_form_sent_again_is_counted_but_saved_once(client, settings):
    settings.MUTUELLE_FORM_RATE = "3/h"
    for _ in range(3):
        assert client.post(FORM_URL, valid_data()).status_code == 302  # the same token: one request
    assert InterestRequest.objects.count() == 1
    assert send_valid(client, 1).status_code == 429


def test_a_flood_of_posts_stops_at_its_own_ceiling(client, settings):
    settings.MUTUELLE_FORM_FLOOD_RATE = "4/h"
    for _ in range(4):
        assert client.post(FORM_URL, valid_data(postal_code="75001")).status_code == 200

    response = client.post(FORM_URL, valid_data())

    assert response.status_code == 429
    assert 'value="Fatoumata"' in response.content.decode()  # what was typed is kept
    assert InterestRequest.objects.count() == 0


def test_a_second_click_past_the_limit_still_shows_the_confirmation(
    client, tight_rate, django_capture_on_commit_callbacks
):
    send_valid(client, 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(FORM_URL, valid_data()).status_code == 302

    response = client.post(FORM_URL, valid_data())

    assert response.status_code == 302
    assert response["Location"] == DONE_URL
    assert InterestRequest.objects.count() == 2


def test_post_without_csrf_token_gets_the_french_403_page():
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(FORM_URL, valid_data())

    assert response.status_code == 403
    text = squash(response.content.decode())
    assert "Le formulaire n’a pas pu être envoyé" in text
    assert "01 49 80 88 68" in text
    assert "CSRF verification failed" not in text
    assert InterestRequest.objects.count() == 0


def test_post_with_the_csrf_token_of_the_page_goes_through(django_capture_on_commit_callbacks):
    browser = Client(enforce_csrf_checks=True)
    body = browser.get(FORM_URL).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(FORM_URL, valid_data(csrfmiddlewaretoken=csrf))

    assert response.status_code == 302
    assert InterestRequest.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# The information notice (GDPR article 13)
# ---------------------------------------------------------------------------------------------


def in_words(days):
    """365 → « 1 an », 1095 → « 3 ans »: the way the notice writes the retention periods."""
    assert days % 365 == 0, "the notice writes whole years: update it with the new period"
    years = days // 365
    return f"{years} an" if years == 1 else f"{years} ans"


def test_privacy_notice_durations_match_the_settings(client):
    notice = squash(client.get(reverse("privacy")).content.decode().split('id="mutuelle"', 1)[1])
    short = squash(client.get(FORM_URL).content.decode())

    closed = in_words(django_settings.MUTUELLE_RETENTION_CLOSED_DAYS)
    untouched = in_words(django_settings.MUTUELLE_RETENTION_UNTOUCHED_DAYS)
    assert f"{closed} après le dernier contact" in notice
    assert f"{untouched} pour une demande restée sans suite" in notice
    assert f"{closed} après notre dernier contact" in short
    assert f"{untouched} si votre demande est restée sans suite" in short


def test_privacy_notice_has_the_elements_of_article_13(client):
    body = client.get(reverse("privacy")).content.decode()
    section = body.split('<section aria-labelledby="titre-mutuelle" class="mb-5" id="mutuelle">', 1)[1]
    section = section.split("</section>", 1)[0]
    text = squash(section)

    # Controller and DPO
    assert "Le centre communal d’action sociale (CCAS) de Créteil, responsable du traitement" in text
    assert (
        "le délégué à la protection des données de la Ville de Créteil, joignable par l’intermédiaire du CCAS" in text
    )
    # Purpose and legal basis
    assert "vous rappeler" in text and "mutuelle communale" in text
    assert "mission d’intérêt public (article 6, paragraphe 1, point e du RGPD)" in text
    # Required fields and what happens without them
    assert "Obligatoires :" in text and "Facultatives :" in text
    assert "le formulaire ne peut pas être envoyé" in text
    # Recipients: the agents; the insurer only if the person joins, with their agreement
    assert "Les agents du service Prévention-Santé du CCAS chargés de la mutuelle communale" in text
    assert "Les autres personnes qui mettent le site à jour n’y ont pas accès" in text
    assert "Just, ne reçoit rien de cette demande" in text
    assert "que si vous décidez d’adhérer, et avec votre accord" in text
    # Rights and how to exercise them
    for right in ("droit d’accès", "rectification", "effacement", "limitation", "opposition"):
        assert right in text
    assert "en indiquant la référence de votre demande" in text and "01 49 80 88 68" in text
    # Complaint, transfers, automated decisions
    assert "CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07" in text
    assert "www.cnil.fr" in text
    assert "ne sont pas transférées hors de l’Union européenne" in text
    assert "Aucune décision n’est prise automatiquement" in text
    # The address of the DPO is still to be found: the template says so to its editors only.
    assert "À compléter" not in body


def test_privacy_page_says_the_session_cookie_now_reaches_applicants(client):
    text = squash(client.get(reverse("privacy")).content.decode())

    assert "Les visiteurs ne le reçoivent que s’ils envoient une demande sur la mutuelle communale" in text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_submission_reads_its_request_once(client, django_assert_max_num_queries):
    # Real commits, as in production. The token looked up once (by the view, not again by the
    # service), the row and its version, then each mail's date and its version: nothing read back.
    # The rest is the session and the rate limits' table (tests have no Redis).
    with django_assert_max_num_queries(40) as captured:
        response = client.post(FORM_URL, valid_data())

    assert response.status_code == 302
    statements = [query["sql"] for query in captured.captured_queries]

    def on(table):
        return [sql.split()[0] for sql in statements if f'"{table}"' in sql.split("WHERE")[0]]

    assert on("mutuelle_interestrequest") == ["SELECT", "INSERT", "UPDATE", "UPDATE"]
    assert on("mutuelle_historicalinterestrequest") == ["INSERT", "INSERT", "INSERT"]
    # Each mail's date and its version are committed together.
    update = next(i for i, sql in enumerate(statements) if sql.startswith('UPDATE "mutuelle_interestrequest"'))
    assert statements[update - 1] == "BEGIN"
    assert statements[update + 1].startswith('INSERT INTO "mutuelle_historicalinterestrequest"')
    assert statements[update + 2] == "COMMIT"
    assert client.session[SESSION_MAIL] == "sent"
