"""Creation of interest requests and their mails: after the commit, never lost, resent when they failed."""

import io
import logging
import re
import smtplib

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

import core.mail
from mutuelle.enums import RequestSource
from mutuelle.models import InterestRequest
from mutuelle.services.requests import request_create, request_send_mails, requests_with_mails_due
from tests.mutuelle.factories import AgentFactory, InterestRequestFactory, reset_rate_limits

pytestmark = pytest.mark.django_db

FAILING_BACKEND = "tests.mutuelle.test_services.FailingEmailBackend"
PERSONAL = ("Fatoumata", "Diallo", "06 12 34 56 78", "fatoumata@example.org", "prix pour deux")


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that refuses everything, quoting the recipient as real servers do."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({email_messages[0].to[0]: (550, b"Mailbox unavailable")})


def data(**overrides):
    values = {
        "first_name": "Fatoumata",
        "last_name": "Diallo",
        "phone": "06 12 34 56 78",
        "email": "fatoumata@example.org",
        "postal_code": "94000",
        "birth_date": None,
        "household_size": 2,
        "current_cover": "aucune",
        "situation": "retraite",
        "contact_method": "telephone",
        "contact_time": "matin",
        "message": "Je voudrais connaître les prix pour deux personnes.",
        "consent": True,
        "submission_token": "jeton-de-test-0123456789abcdefghijklmnop",
    }
    values.update(overrides)
    return values


@pytest.fixture(autouse=True)
def empty_cache():
    reset_rate_limits()
    yield
    reset_rate_limits()


def assert_no_personal_data(text):
    for personal in PERSONAL:
        assert personal not in text


# ---------------------------------------------------------------------------------------------
# request_create
# ---------------------------------------------------------------------------------------------


def test_request_create_saves_the_request_with_consent_and_a_reference(django_capture_on_commit_callbacks):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        interest_request = request_create(data=data(), source=RequestSource.WEBSITE)

    interest_request.refresh_from_db()
    assert re.fullmatch(r"MC-[A-Z2-9]{4}-[A-Z2-9]{4}", interest_request.reference)
    assert interest_request.source == RequestSource.WEBSITE
    assert interest_request.consent_at >= before
    assert interest_request.created_by is None
    assert interest_request.submission_token == "jeton-de-test-0123456789abcdefghijklmnop"
    # The request's version, then one per mail sent, credited to the system (no user).
    versions = list(interest_request.history.order_by("history_date", "history_id"))
    assert [(v.history_type, v.history_user, v.history_change_reason) for v in versions] == [
        ("+", None, None),
        ("~", None, "Système"),
        ("~", None, "Système"),
    ]
    assert versions[-1].confirmation_sent_at == interest_request.confirmation_sent_at


def test_request_create_by_an_agent_records_who_and_the_source(django_capture_on_commit_callbacks):
    agent = AgentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        interest_request = request_create(
            data=data(consent=False, submission_token=None, email=""), source=RequestSource.PHONE, created_by=agent
        )

    assert interest_request.created_by == agent
    assert interest_request.source == RequestSource.PHONE
    assert interest_request.consent_at is None
    assert interest_request.submission_token is None
    assert interest_request.history.earliest().history_user == agent  # then the mails: the system's


def test_request_create_twice_with_the_same_token_returns_the_same_request(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = request_create(data=data(), source=RequestSource.WEBSITE)
        second = request_create(data=data(first_name="Autre"), source=RequestSource.WEBSITE)

    assert first.pk == second.pk
    assert InterestRequest.objects.count() == 1
    assert len(callbacks) == 1
    assert len(mail.outbox) == 2


def test_a_reference_already_taken_is_drawn_again(django_capture_on_commit_callbacks, monkeypatch):
    InterestRequestFactory(reference="MC-AAAA-AAAA")
    drawn = iter(["MC-AAAA-AAAA", "MC-BBBB-BBBB"])
    monkeypatch.setattr(InterestRequest._meta.get_field("reference"), "_get_default", lambda: next(drawn))

    with django_capture_on_commit_callbacks(execute=True):
        interest_request = request_create(data=data(), source=RequestSource.WEBSITE)

    assert interest_request.reference == "MC-BBBB-BBBB"
    assert InterestRequest.objects.count() == 2


def test_mails_wait_for_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request_create(data=data(), source=RequestSource.WEBSITE)

    assert mail.outbox == []
    assert len(callbacks) == 1


def test_a_rolled_back_request_sends_no_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        request_create(data=data(), source=RequestSource.WEBSITE)
        raise RuntimeError("rollback")

    assert mail.outbox == []
    assert InterestRequest.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# The two mails
# ---------------------------------------------------------------------------------------------


def test_confirmation_to_the_applicant_and_notification_to_the_team(django_capture_on_commit_callbacks, settings):
    settings.MUTUELLE_TEAM_EMAIL = "equipe-mutuelle@example.org"
    settings.SITE_URL = "https://cls.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        interest_request = request_create(data=data(), source=RequestSource.WEBSITE)

    assert len(mail.outbox) == 2
    confirmation, notification = mail.outbox
    reference = interest_request.reference

    assert confirmation.to == ["fatoumata@example.org"]
    assert confirmation.from_email == django_settings.DEFAULT_FROM_EMAIL
    assert reference in confirmation.subject
    assert f"Votre référence : {reference}" in confirmation.body
    assert "Un conseiller du CCAS vous rappelle sous 5 jours ouvrés" in confirmation.body
    assert "01 49 80 88 68" in confirmation.body
    assert "Vous ne souhaitez plus être rappelé(e) ?" in confirmation.body
    assert "https://cls.example.org/donnees-personnelles/#mutuelle" in confirmation.body
    assert "&" not in confirmation.body  # plain text: nothing HTML-escaped

    assert notification.to == ["equipe-mutuelle@example.org"]
    assert reference in notification.subject and reference in notification.body
    admin_url = f"https://cls.example.org/admin/mutuelle/interestrequest/{interest_request.pk}/change/"
    assert admin_url in notification.body
    assert_no_personal_data(notification.subject + notification.body)

    interest_request.refresh_from_db()
    assert interest_request.confirmation_sent_at is not None
    assert interest_request.notification_sent_at is not None


def test_without_email_only_the_team_is_told(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        interest_request = request_create(data=data(email=""), source=RequestSource.WEBSITE)

    assert [message.to for message in mail.outbox] == [[django_settings.MUTUELLE_TEAM_EMAIL]]
    interest_request.refresh_from_db()
    assert interest_request.confirmation_sent_at is None
    assert interest_request.notification_sent_at is not None
    assert interest_request not in requests_with_mails_due()


def test_confirmation_of_a_name_with_an_apostrophe_is_not_html_escaped(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_create(data=data(last_name="D'Artagnan"), source=RequestSource.WEBSITE)

    for message in mail.outbox:
        assert "&#x27;" not in message.body and "&amp;" not in message.body


# ---------------------------------------------------------------------------------------------
# A failing mail server never loses a request
# ---------------------------------------------------------------------------------------------


def test_mail_failure_keeps_the_request_and_logs_the_reference_only(
    client, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    form = client.get("/mutuelle/demande/").content.decode()
    token = re.search(r'name="submission_token" value="([^"]+)"', form).group(1)
    posted = {
        **{key: value for key, value in data(birth_date="", submission_token=token).items() if key != "consent"},
        "consent": "on",
    }

    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/mutuelle/demande/", posted)

    assert response.status_code == 302
    interest_request = InterestRequest.objects.get()
    assert interest_request.confirmation_sent_at is None
    assert interest_request.notification_sent_at is None
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 2
    for record in warnings:
        message = record.getMessage()
        assert interest_request.reference in message
        assert "resend_mutuelle_mails" in message
        assert record.exc_info is None
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert_no_personal_data(logged)
    assert "550" not in logged

    # The applicant still gets the reference, and is told the mail will follow.
    done = client.get("/mutuelle/demande/merci/").content.decode()
    assert interest_request.reference in done
    assert "n’a pas encore pu partir" in done

    # The mail server is back: the command sends what is missing, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = io.StringIO()
    call_command("resend_mutuelle_mails", stdout=out)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        ["fatoumata@example.org", django_settings.MUTUELLE_TEAM_EMAIL]
    )
    interest_request.refresh_from_db()
    assert interest_request.confirmation_sent_at is not None
    assert interest_request.notification_sent_at is not None
    summary = out.getvalue()
    assert "1 demande avait un courriel en attente" in summary
    assert "1 accusé de réception" in summary and "1 avis à l’équipe" in summary
    assert_no_personal_data(summary)

    again = io.StringIO()
    call_command("resend_mutuelle_mails", stdout=again)

    assert len(mail.outbox) == 2
    assert again.getvalue().strip() == "Aucun courriel en attente : rien à envoyer."


def test_one_mail_failing_does_not_stop_the_other(django_capture_on_commit_callbacks, monkeypatch):
    real_send = core.mail.EmailMessage.send

    def send(message, fail_silently=False):
        if message.to == ["fatoumata@example.org"]:
            raise OSError("connexion refusée")
        return real_send(message, fail_silently)

    monkeypatch.setattr(core.mail.EmailMessage, "send", send)
    with django_capture_on_commit_callbacks(execute=True):
        interest_request = request_create(data=data(), source=RequestSource.WEBSITE)

    interest_request.refresh_from_db()
    assert interest_request.confirmation_sent_at is None
    assert interest_request.notification_sent_at is not None
    assert [message.to for message in mail.outbox] == [[django_settings.MUTUELLE_TEAM_EMAIL]]
    assert list(requests_with_mails_due()) == [interest_request]


def test_resend_command_fails_loudly_while_the_server_still_refuses(settings):
    InterestRequestFactory(confirmation_sent_at=None, notification_sent_at=None)
    settings.EMAIL_BACKEND = FAILING_BACKEND

    with pytest.raises(CommandError, match="2 envois ont encore échoué"):
        call_command("resend_mutuelle_mails", stdout=io.StringIO())

    assert requests_with_mails_due().count() == 1


def test_resend_leaves_sent_and_anonymised_requests_alone():
    now = timezone.now()
    InterestRequestFactory(confirmation_sent_at=now, notification_sent_at=now)
    InterestRequestFactory(email="", confirmation_sent_at=None, notification_sent_at=now)
    anonymised = InterestRequestFactory(confirmation_sent_at=None, notification_sent_at=None, anonymised_at=now)
    due = InterestRequestFactory(confirmation_sent_at=now, notification_sent_at=None)

    assert list(requests_with_mails_due()) == [due]
    out = io.StringIO()
    call_command("resend_mutuelle_mails", stdout=out)

    assert [message.to for message in mail.outbox] == [[django_settings.MUTUELLE_TEAM_EMAIL]]
    assert due.reference in mail.outbox[0].body
    assert request_send_mails(interest_request=anonymised).notifications_sent == 0
    assert "0 accusé de réception, 1 avis à l’équipe" in out.getvalue()
