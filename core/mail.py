"""Mails that must never lose what they are about: sent after the commit, dated once gone, retried.

The pattern, shared by the mutuelle's interest requests and the events' registrations:

- the row (a request, a registration) is saved first; each mail it owes has a « sent at » date
  field, empty while the mail is due;
- ``send_safely`` sends one mail from two templates (subject and body) and answers whether it
  went. A failure of the mail server (SMTPException, OSError, a timeout…) never propagates:
  it is logged with the row's reference and the mail's kind only — neither the traceback nor
  the error's text, since an SMTP error may quote the recipient's address;
- ``mark_sent`` dates the mail with a queryset update and records a version credited to the
  system (``core.history.record_system_change``), so the change never shows as a person's;
- a command of the owning app (``resend_mutuelle_mails``, ``send_event_registration_mails``)
  sends whatever is still due, and can run from a timer.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.history import record_system_change

logger = logging.getLogger(__name__)


def render_mail(template_prefix, context):
    """(subject, body) from ``<prefix>_subject.txt`` (one line) and ``<prefix>_body.txt``."""
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    body = render_to_string(f"{template_prefix}_body.txt", context)
    return subject, body


def send_safely(*, subject, body, to, reference, what, retry_hint, attachments=()):
    """Send one plain-text mail to the addresses ``to``; True if it went, False (logged) if not.

    ``reference`` and ``what`` (« l’accusé de réception ») name the mail in the log, never its
    recipient; ``retry_hint`` tells the reader of the log what sends it again. ``attachments``:
    (filename, content, mimetype) triples.
    """
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, list(to))
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    try:
        message.send()
    except Exception as error:
        logger.warning(
            "%s : échec de l’envoi de %s (%s) ; %s.",
            reference,
            what,
            type(error).__name__,
            retry_hint,
        )
        return False
    return True


def mark_sent(instance, field, *, now=None):
    """Date the mail of ``field`` on ``instance`` (a queryset update) and record the system's version.

    Both in one transaction: the date never stands without its version, and one commit (one
    flush of the database's journal) instead of two.
    """
    now = now or timezone.now()
    with transaction.atomic():
        type(instance)._default_manager.filter(pk=instance.pk).update(**{field: now})
        setattr(instance, field, now)
        record_system_change(instance)
    return now
