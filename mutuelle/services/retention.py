"""Retention of the applicants' personal data: anonymisation after a period, erasure on request.

A request is never deleted: its personal data is blanked and what the statistics need stays
(reference, status, source, dates, postal code, household size, current cover, situation).
The history tables of django-simple-history hold copies of the same data: their rows are
blanked too. Nothing here logs a name, a phone number or an address.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import dates
from core.personal_data import as_dict

from ..enums import ERASED_STATUS, RequestStatus
from ..models import Appointment, FollowUpNote, InterestRequest
from .appointments import appointments_of_request_anonymise
from .followup import status_apply

ANONYMOUS_NAME = "Anonyme"
ERASED_NOTE = "[note effacée]"

# The personal fields of a request and what they become (the same on its history rows).
BLANKED_REQUEST_FIELDS = {
    "first_name": ANONYMOUS_NAME,
    "last_name": ANONYMOUS_NAME,
    "email": "",
    "phone": "",
    "birth_date": None,
    "message": "",
}
BLANKED_NOTE_FIELDS = {"text": ERASED_NOTE}

# Requests that nobody worked on: closed as « sans suite » when their period runs out.
UNTOUCHED_STATUSES = (RequestStatus.NEW, RequestStatus.TO_CALL_BACK)

PURGE_REASON_CLOSED = "Anonymisée : durée de conservation écoulée"
PURGE_REASON_UNTOUCHED = "Close sans suite et anonymisée : aucune suite dans le délai de conservation"
ERASE_REASON = "Données effacées à la demande de la personne"


@dataclass(frozen=True)
class PurgeResult:
    closed: int
    untouched: int

    @property
    def total(self):
        return self.closed + self.untouched


def closed_requests_due(now=None):
    """Closed requests whose last contact (else closure, else last change) is older than the period."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.MUTUELLE_RETENTION_CLOSED_DAYS)
    return (
        InterestRequest.objects.not_anonymised()
        .closed()
        .alias(retention_start=Coalesce("last_contact_at", "closed_at", "updated_at"))
        .filter(retention_start__lt=limit)
    )


def untouched_requests_due(now=None):
    """Requests still « nouvelle » / « à rappeler », unchanged and without a note for longer than the period."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.MUTUELLE_RETENTION_UNTOUCHED_DAYS)
    recent_note = FollowUpNote.objects.filter(interest_request=OuterRef("pk"), created_at__gte=limit)
    return (
        InterestRequest.objects.not_anonymised()
        .filter(status__in=UNTOUCHED_STATUSES, updated_at__lt=limit)
        .exclude(last_contact_at__gte=limit)
        .exclude(Exists(recent_note))
    )


@transaction.atomic
def request_anonymise(*, interest_request, user=None, reason, close=False, erased=False):
    """Blank the personal data of one request, of its notes and of their history rows.

    ``close`` also closes the request as « sans suite » (a request nobody worked on); ``erased``
    (the person's request) closes it as « anonymisée », whatever its status: it leaves the queue
    and is still counted by ``InterestRequest.objects.status_counts()``. The new history row
    that the save writes carries the blanked values only.
    """
    now = timezone.now()
    for field, value in BLANKED_REQUEST_FIELDS.items():
        setattr(interest_request, field, value)
    if erased:
        status_apply(interest_request, previous=interest_request.status, status=ERASED_STATUS, now=now, erasure=True)
    elif close and not interest_request.is_closed:
        status_apply(interest_request, previous=interest_request.status, status=RequestStatus.DROPPED, now=now)
    interest_request.anonymised_at = now
    interest_request._history_user = user
    interest_request._change_reason = reason
    interest_request.save()
    # Notes: a queryset update (no new history row), then their copies in the history table.
    interest_request.notes.update(**BLANKED_NOTE_FIELDS)
    FollowUpNote.history.model.objects.filter(interest_request_id=interest_request.pk).update(**BLANKED_NOTE_FIELDS)
    InterestRequest.history.model.objects.filter(id=interest_request.pk).update(**BLANKED_REQUEST_FIELDS)
    return interest_request


@transaction.atomic
def request_erase(*, interest_request, user):
    """The erasure of one person's data at their request (GDPR article 17): anonymised, closed as
    « anonymisée »; the appointments linked to the request are anonymised with it."""
    erased = request_anonymise(interest_request=interest_request, user=user, reason=ERASE_REASON, erased=True)
    appointments_of_request_anonymise(interest_request=erased, user=user, reason=ERASE_REASON)
    return erased


def purge_requests(*, now=None, dry_run=False):
    """Anonymise every request past its retention period; returns the counts (nothing changes on a dry run)."""
    now = now or timezone.now()
    closed = closed_requests_due(now)
    untouched = untouched_requests_due(now)
    if dry_run:
        return PurgeResult(closed=closed.count(), untouched=untouched.count())
    closed_count = untouched_count = 0
    # Listed first: each request is then saved in its own transaction.
    for interest_request in list(closed.order_by("pk")):
        request_anonymise(interest_request=interest_request, reason=PURGE_REASON_CLOSED)
        closed_count += 1
    for interest_request in list(untouched.order_by("pk")):
        request_anonymise(interest_request=interest_request, reason=PURGE_REASON_UNTOUCHED, close=True)
        untouched_count += 1
    return PurgeResult(closed=closed_count, untouched=untouched_count)


# The right of access: everything held on the person -----------------------------------------------


def _iso_datetime(value):
    return timezone.localtime(value).isoformat()


def _french_datetime(value):
    return dates.short_datetime(value, separator=" à ")


def request_personal_data(*, interest_request, french_dates=False):
    """What the CCAS holds on the person of one request: the request, its notes, every version of them.

    Keys are the fields' French names, choices are their labels, dates are in Paris time: ISO 8601
    for a file (JSON), or as French readers write them (« 15/01/2026 à 09:30 ») for a page.
    """
    stamp = _french_datetime if french_dates else _iso_datetime
    request_fields = [field for field in InterestRequest._meta.concrete_fields if field.name != "submission_token"]
    history_fields = [field for field in request_fields if field.name != "id"]
    note_fields = [FollowUpNote._meta.get_field(name) for name in ("created_at", "author", "text", "contact_at")]
    appointment_fields = [
        Appointment._meta.get_field(name)
        for name in ("reference", "slot_start", "status", "first_name", "last_name", "phone", "email", "created_at")
    ]
    history_model = InterestRequest.history.model
    versions = history_model.objects.filter(id=interest_request.pk).select_related(
        "history_user", "assigned_to", "created_by"
    )
    return {
        "exporté le": stamp(timezone.now()),
        "responsable du traitement": "Centre communal d’action sociale (CCAS) de Créteil",
        "demande": as_dict(interest_request, request_fields, french=french_dates),
        "notes de suivi": [
            as_dict(note, note_fields, french=french_dates)
            for note in interest_request.notes.select_related("author").order_by("created_at")
        ],
        "rendez-vous": [
            {
                "permanence": appointment.event.title,
                **as_dict(appointment, appointment_fields, french=french_dates),
            }
            for appointment in Appointment.objects.filter(interest_request=interest_request)
            .select_related("event")
            .order_by("slot_start")
        ],
        "historique de la demande": [
            {
                "date": stamp(version.history_date),
                "opération": version.get_history_type_display(),
                "par": (version.history_user.get_full_name() or version.history_user.get_username())
                if version.history_user
                else None,
                "motif": version.history_change_reason or None,
                "valeurs": as_dict(version, history_fields, french=french_dates),
            }
            for version in versions.order_by("history_date", "history_id")
        ],
    }
