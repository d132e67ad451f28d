"""Creation of interest requests and the mails that go with them (issue 4, item 3).

A request is saved first; its two mails (the applicant's confirmation when an address was
given, the team's notification) are sent after the commit, each on its own. A mail that fails
is logged with the request's reference only and stays due: ``resend_mutuelle_mails`` sends
whatever is missing. Nothing here logs a name, a phone number, an address or a message.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from core.mail import mark_sent, render_mail, send_safely
from core.site_settings import get_site_settings

from ..enums import RequestSource
from ..models import CALL_BACK_WORKING_DAYS, PUBLIC_FORM_FIELDS, InterestRequest

# Attempts at a fresh reference when one is already taken (40 random bits: in practice never).
REFERENCE_ATTEMPTS = 3
CALL_BACK_DELAY = f"{CALL_BACK_WORKING_DAYS} jours ouvrés"
MAIL_KINDS = {"confirmation": "l’accusé de réception", "notification": "l’avis à l’équipe"}


@sensitive_variables("data", "values")
def request_create(*, data, source, created_by=None):
    """Save an interest request from cleaned ``data`` and send its mails after the commit.

    ``data`` holds the fields of ``PUBLIC_FORM_FIELDS`` (missing ones take the model's defaults),
    ``submission_token`` (the form's guard against double submission) and ``consent`` (the
    applicant agreed to the information notice: dated now). A second call with the same token
    returns the request already saved and sends nothing more: the token's unique constraint
    refuses the second row, and the request that holds the token is the answer (no lookup
    beforehand: the view has just made it, and a form sent twice is the exception).

    Once the mails have gone (after the commit), their dates are on the returned instance, so that
    the confirmation page need not read them again.
    """
    token = data.get("submission_token") or None
    values = {name: data[name] for name in PUBLIC_FORM_FIELDS if name in data and data[name] is not None}
    values["email"] = values.get("email") or ""
    values["phone"] = values.get("phone") or ""
    # On the website the form cannot be sent without the applicant's agreement to the notice.
    consent_at = timezone.now() if source == RequestSource.WEBSITE or data.get("consent") else None
    for attempt in range(1, REFERENCE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                interest_request = InterestRequest(
                    **values,
                    source=source,
                    created_by=created_by,
                    consent_at=consent_at,
                    submission_token=token,
                )
                if created_by is not None:
                    interest_request._history_user = created_by
                interest_request.save()
                # The row is invisible to anyone else until the commit: nothing can have sent its
                # mails before this callback, which sends them from this instance and dates them on it.
                transaction.on_commit(lambda saved=interest_request: request_send_mails(interest_request=saved))
                return interest_request
        except IntegrityError:
            # Either the same form sent twice (its token is taken: that request is the answer),
            # or a reference already in use (try a fresh one).
            if token:
                existing = InterestRequest.objects.filter(submission_token=token).first()
                if existing is not None:
                    return existing
            if attempt == REFERENCE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


NOTICE_NOT_READ = "Lisez à la personne la notice d’information sur ses données, puis cochez la case."


def request_prepare_agent_entry(*, interest_request, agent, notice_read, now=None):
    """Mark ``interest_request`` (unsaved) as entered by ``agent`` for someone who phoned or came to
    the counter: no consent on a form, but the information notice read to the person, dated.

    Raises a ValidationError if the notice was not read: such a request is not recorded without it.
    """
    if interest_request.source == RequestSource.WEBSITE:
        raise ValidationError("Une demande du site n’est pas saisie par un agent.", code="website_source")
    if not notice_read:
        raise ValidationError(NOTICE_NOT_READ, code="notice_not_read")
    interest_request.created_by = agent
    interest_request.consent_at = None
    interest_request.notice_read_at = now or timezone.now()
    return interest_request


# What makes a request sent again the same one: the person and how to reach them.
SAME_REQUEST_FIELDS = ("first_name", "last_name", "postal_code", "phone", "email")


@sensitive_variables("data")
def request_is_the_same(*, interest_request, data):
    """Whether cleaned form ``data`` is ``interest_request`` sent again by the same person (the same
    name, postal code, phone and address, whatever the case and spacing), not yet anonymised."""
    if interest_request.anonymised_at is not None:
        return False

    def normalised(value):
        return " ".join(str(value or "").split()).casefold()

    return all(
        normalised(getattr(interest_request, name)) == normalised(data.get(name)) for name in SAME_REQUEST_FIELDS
    )


@dataclass
class MailResult:
    confirmations_sent: int = 0
    notifications_sent: int = 0
    failures: int = 0

    def __iadd__(self, other):
        self.confirmations_sent += other.confirmations_sent
        self.notifications_sent += other.notifications_sent
        self.failures += other.failures
        return self


def request_send_mails(*, interest_request):
    """Send the applicant's confirmation and the team's notification if they have not gone yet.

    Each mail is sent on its own; on success its date is set with a queryset update and a version
    of its own credited to the system (``core.history.record_system_change``). A failure of the
    mail server is logged with the reference only, and the mail stays due.
    """
    result = MailResult()
    if interest_request.anonymised_at is not None:
        return result
    if interest_request.email and interest_request.confirmation_sent_at is None:
        if _send(interest_request, kind="confirmation", to=interest_request.email):
            _mark_sent(interest_request, "confirmation_sent_at")
            result.confirmations_sent += 1
        else:
            result.failures += 1
    if interest_request.notification_sent_at is None:
        if _send(interest_request, kind="notification", to=settings.MUTUELLE_TEAM_EMAIL):
            _mark_sent(interest_request, "notification_sent_at")
            result.notifications_sent += 1
        else:
            result.failures += 1
    return result


def requests_with_mails_due():
    """Requests (not anonymised) whose confirmation or notification has not gone yet."""
    return (
        InterestRequest.objects.not_anonymised()
        .filter(Q(notification_sent_at__isnull=True) | (~Q(email="") & Q(confirmation_sent_at__isnull=True)))
        .order_by("created_at", "pk")
    )


def requests_resend_mails():
    """Send every mail still due (the ``resend_mutuelle_mails`` command); returns the totals."""
    total = MailResult()
    for interest_request in requests_with_mails_due().iterator():
        total += request_send_mails(interest_request=interest_request)
    return total


def mail_context(interest_request):
    return {
        "reference": interest_request.reference,
        "created_at": interest_request.created_at,
        "source": interest_request.get_source_display(),
        "admin_url": settings.SITE_URL + interest_request.get_admin_url(),
        "privacy_url": settings.SITE_URL + reverse("privacy") + "#mutuelle",
        "call_back_delay": CALL_BACK_DELAY,
        "ccas_phone": get_site_settings().phone,
    }


def _send(interest_request, *, kind, to):
    subject, body = render_mail(f"mutuelle/emails/{kind}", mail_context(interest_request))
    # A failure of the mail server keeps the request and leaves the mail due (core/mail.py).
    return send_safely(
        subject=subject,
        body=body,
        to=[to],
        reference=f"Demande mutuelle {interest_request.reference}",
        what=MAIL_KINDS[kind],
        retry_hint="à renvoyer avec resend_mutuelle_mails",
    )


def _mark_sent(interest_request, field):
    mark_sent(interest_request, field)  # the system's version, not the next agent's
