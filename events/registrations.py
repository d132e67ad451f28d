"""Registrations to events on the site (issue 15): places, waiting list, cancellation, mails, retention.

The services of ``events.models.Registration``, keyword-only, each in its transaction.

No overbooking, ever. Every change to who holds places (a registration, a cancellation, a
promotion from the waiting list, a new capacity) runs in a transaction that first takes the
event's lock (``_lock_event``): ``SELECT … FOR UPDATE`` of the event's row on PostgreSQL, the
database's write lock on SQLite (a no-op ``UPDATE`` as the transaction's first statement: SQLite
serialises writers, and taking the write lock first avoids the « database is locked » of a
reader that tries to become a writer). The places are counted under that lock, so two
registrations for the last place are served one after the other: one confirmed, one waiting.
The waiting list's order is the primary key's, given under the same lock.

Mails are sent after the commit, each on its own, and dated once gone (core/mail.py): a mail
server down never loses a registration; ``send_event_registration_mails`` sends what is due.
Nothing here logs a name, a phone number or an address: the reference only.
"""

import datetime
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from core import dates
from core.cache import invalidate_pages
from core.mail import mark_sent, render_mail, send_safely
from core.personal_data import as_dict
from core.site_settings import get_site_settings
from staff.journal import export_message

from .enums import REGISTRATION_TRANSITIONS, EventStatus, RegistrationSource, RegistrationStatus
from .formatting import event_when
from .models import CANCELLED_ATTENDANCE, FUTURE_ATTENDANCE, Event, Registration

logger = logging.getLogger(__name__)

REFERENCE_ATTEMPTS = 3
# SQLite: a writer that finds the database locked past its timeout tries again this many times.
LOCKED_ATTEMPTS = 5
CANCEL_SALT = "events.registration.cancel"
# The reminder goes this long before the event; not to someone confirmed less than a day before it.
REMINDER_BEFORE = datetime.timedelta(days=2)
REMINDER_NOT_WITHIN = datetime.timedelta(days=1)
# Registrations are anonymised this long after their event ended.
RETENTION_AFTER_EVENT = relativedelta(months=3)

PURGE_REASON = "Anonymisée : trois mois après l’événement"
NOTICE_NOT_READ = "Lisez à la personne la notice d’information sur ses données, puis cochez la case."
# What a registration's data may hold: the fields a form fills in.
FORM_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "places",
    "needs_fauteuil",
    "needs_lsf",
    "needs_accompagnant",
)


class RegistrationClosed(Exception):
    """The event takes no registration now (not on the site, not open yet, closed, cancelled)."""


class TooManyPlaces(Exception):
    """More places asked for than the event lets one registration hold."""


# The lock --------------------------------------------------------------------------------------


def _lock_event(pk):
    """The event, locked until the end of the transaction (see the module's docstring)."""
    if connection.vendor == "sqlite":
        # SQLite has no row lock: the write lock of the whole database, taken first.
        Event.objects.filter(pk=pk).update(sequence=F("sequence"))
    return Event.objects.select_for_update().get(pk=pk)


def _retrying_when_locked(function):
    """Run ``function()`` (a whole transaction) again when SQLite answers « database is locked »."""
    for attempt in range(1, LOCKED_ATTEMPTS + 1):
        try:
            return function()
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error) or attempt == LOCKED_ATTEMPTS:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


# The same lock for the mutuelle's appointments at the permanences, which are events too
# (mutuelle.services.appointments): one lock per event, whatever is booked in it.
lock_event = _lock_event
retrying_when_locked = _retrying_when_locked


def _after_commit(registrations):
    """After the commit: the public pages show the new count, and the mails due go."""
    pks = [registration.pk for registration in registrations]

    def run():
        invalidate_pages(sections=("events",))  # the places left, on the event's page
        for pk in pks:
            registration_send_mails_by_pk(pk=pk)

    transaction.on_commit(run)


# Counting --------------------------------------------------------------------------------------


def places_left(event):
    """The places still free (never below 0), or None for an event without a capacity."""
    if event.registration_capacity is None:
        return None
    return max(event.registration_capacity - event.registrations.places_taken(), 0)


def waiting_rank(registration):
    """1 for the first on the waiting list…; None if the registration is not waiting."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    return Registration.objects.filter(event_id=registration.event_id).waiting().filter(pk__lte=registration.pk).count()


@dataclass(frozen=True)
class Availability:
    """What the event's page and form say: the places left, whether the form is open, the waiting list."""

    capacity: int
    left: int
    waiting: int
    is_open: bool
    opens_at: datetime.datetime | None = None  # when registrations open, if that is still to come

    @property
    def is_full(self):
        return self.left == 0


def availability(event, now=None):
    """One query: the places taken and the length of the waiting list of ``event``."""
    counts = Registration.objects.filter(event=event).aggregate(
        taken=_sum_places(RegistrationStatus.CONFIRMED),
        waiting=_count(RegistrationStatus.WAITING),
    )
    capacity = event.registration_capacity or 0
    now = now or timezone.now()
    opens_at = event.registration_opens_at
    return Availability(
        opens_at=opens_at if opens_at and opens_at > now and not event.is_cancelled else None,
        capacity=capacity,
        left=max(capacity - (counts["taken"] or 0), 0),
        waiting=counts["waiting"] or 0,
        is_open=event.registration_is_open(now),
    )


def _sum_places(status):
    return Sum("places", filter=Q(status=status))


def _count(status):
    return Count("pk", filter=Q(status=status))


# Registering ----------------------------------------------------------------------------------


@sensitive_variables("data", "values")
def registration_create(*, event, data, source=RegistrationSource.WEBSITE, created_by=None, notice_read=False):
    """Register a person for ``event`` from cleaned ``data``: confirmed if their places are free,
    else on the waiting list. Returns the registration.

    ``data`` holds the fields of ``FORM_FIELDS`` and ``submission_token`` (the form's guard
    against double submission): a second call with the same token returns the registration
    already saved, and sends nothing more. On the site the person agreed to the notice (dated
    now); an agent taking a registration by phone reads the notice to the person
    (``notice_read``, else ValidationError). Raises RegistrationClosed when the event takes no
    registration now, TooManyPlaces past the event's places per registration.
    """
    token = data.get("submission_token") or None
    if token:
        existing = Registration.objects.filter(submission_token=token).first()
        if existing is not None:
            return existing
    if source == RegistrationSource.STAFF and not notice_read:
        raise ValidationError(NOTICE_NOT_READ, code="notice_not_read")
    values = {name: data[name] for name in FORM_FIELDS if data.get(name) is not None}
    values["email"] = values.get("email") or ""
    values["phone"] = values.get("phone") or ""
    values["places"] = values.get("places") or 1
    now = timezone.now()

    def attempt():
        with transaction.atomic():
            locked = _lock_event(event.pk)
            if source == RegistrationSource.WEBSITE and not locked.registration_is_open(now):
                raise RegistrationClosed
            if source == RegistrationSource.STAFF and not locked.takes_registrations_on_portal:
                raise RegistrationClosed
            if values["places"] > locked.registration_max_places:
                raise TooManyPlaces
            left = locked.registration_capacity - locked.registrations.places_taken()
            registration = Registration(
                **values,
                event=locked,
                status=RegistrationStatus.CONFIRMED if values["places"] <= left else RegistrationStatus.WAITING,
                source=source,
                created_by=created_by,
                consent_at=now if source == RegistrationSource.WEBSITE else None,
                notice_read_at=now if source == RegistrationSource.STAFF else None,
                submission_token=token,
            )
            registration._history_user = created_by
            registration.save()
            _after_commit([registration])
            return registration

    for number in range(1, REFERENCE_ATTEMPTS + 1):
        try:
            return _retrying_when_locked(attempt)
        except IntegrityError:
            # The same form sent twice at the same moment (its token is now taken: that
            # registration is the answer), or a reference already in use (try a fresh one).
            if token:
                existing = Registration.objects.filter(submission_token=token).first()
                if existing is not None:
                    return existing
            if number == REFERENCE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _set_status(registration, status, now):
    if status not in REGISTRATION_TRANSITIONS[RegistrationStatus(registration.status)]:
        raise ValidationError(
            f"Une inscription « {registration.get_status_display().lower()} » ne peut pas devenir "
            f"« {RegistrationStatus(status).label.lower()} ».",
            code="invalid_transition",
        )
    registration.status = status
    if status == RegistrationStatus.CANCELLED:
        registration.cancelled_at = now
        registration.places_attended = None  # a cancelled registration is not noted (a constraint)
    elif status == RegistrationStatus.CONFIRMED:
        registration.promoted_at = now


def _promote(event, now):
    """Inside the event's lock: the waiting registrations whose places fit, in the list's order.

    The first on the list gets the place if their places fit; a family asking for more places
    than are free keeps its rank, and the next ones who fit are promoted meanwhile.
    """
    left = event.registration_capacity - event.registrations.places_taken()
    promoted = []
    if left <= 0:
        return promoted
    for registration in event.registrations.waiting().select_for_update():
        if registration.places > left:
            continue
        _set_status(registration, RegistrationStatus.CONFIRMED, now)
        registration._change_reason = "Place libérée : passée de la liste d’attente aux inscrits"
        registration.save()
        promoted.append(registration)
        left -= registration.places
        if left == 0:
            break
    return promoted


def registration_cancel(*, registration, user=None, reason="Annulée par la personne"):
    """Cancel ``registration`` (its places are freed and go to the waiting list at once).

    Returns the registrations promoted from the waiting list. Cancelling twice does nothing more.
    """
    now = timezone.now()

    def attempt():
        with transaction.atomic():
            event = _lock_event(registration.event_id)
            current = Registration.objects.select_for_update().get(pk=registration.pk)
            if current.status == RegistrationStatus.CANCELLED:
                return []
            _set_status(current, RegistrationStatus.CANCELLED, now)
            current._history_user = user
            current._change_reason = reason
            current.save()
            promoted = _promote(event, now) if event.registration_is_open(now) or user else []
            _after_commit(promoted or [current])
            registration.status, registration.cancelled_at = current.status, current.cancelled_at
            return promoted

    return _retrying_when_locked(attempt)


def registrations_promote(*, event):
    """Promote from the waiting list what fits now (after the capacity of ``event`` grew)."""
    now = timezone.now()

    def attempt():
        with transaction.atomic():
            locked = _lock_event(event.pk)
            if not locked.takes_registrations_on_portal or locked.is_cancelled:
                return []
            promoted = _promote(locked, now)
            if promoted:
                _after_commit(promoted)
            return promoted

    return _retrying_when_locked(attempt)


# The cancel link ------------------------------------------------------------------------------


def cancel_token(registration):
    """The signed part of the link to cancel (django.core.signing: nobody can forge one). Always the
    same for a registration: the link of the mail and of the confirmation page are one."""
    return signing.Signer(salt=CANCEL_SALT).sign(registration.reference)


def registration_for_cancel_token(token):
    """The registration a cancel link names, or None for a link altered, forged or of another site."""
    try:
        reference = signing.Signer(salt=CANCEL_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Registration.objects.select_related("event").filter(reference=reference, anonymised_at__isnull=True).first()


def cancel_url(registration):
    return reverse(
        "events:registration_cancel", kwargs={"slug": registration.event.slug, "token": cancel_token(registration)}
    )


# The event changes -----------------------------------------------------------------------------

TOLD_FIELDS = ("start", "end", "status", "place_id")


@contextmanager
def registrants_told_of_changes(event):
    """Around the save of ``event`` (the admin's save path): if it is cancelled, postponed, moved
    to another time or place, everyone registered (or waiting) is told by mail; if its capacity
    grew, the waiting list moves up.
    """
    before = None
    if event.pk:
        before = (
            Event._base_manager.filter(pk=event.pk)
            .values(*TOLD_FIELDS, "registration_capacity", "registration")
            .first()
        )
    yield
    if before is None:
        return
    if any(before[name] != getattr(event, name) for name in TOLD_FIELDS):
        registrations_tell_of_change(event=event)
    if event.takes_registrations_on_portal and (event.registration_capacity or 0) > (
        before["registration_capacity"] or 0
    ):
        registrations_promote(event=event)


def registrations_tell_of_change(*, event):
    """Mark a change notice due for everyone registered or waiting, and send them after the commit."""
    due = Registration.objects.filter(event=event).active().not_anonymised()
    pks = list(due.values_list("pk", flat=True))
    if pks:
        Registration.objects.filter(pk__in=pks).update(change_notice_due_at=timezone.now())

        def run():
            invalidate_pages(sections=("events",))
            for pk in pks:
                registration_send_mails_by_pk(pk=pk)

        transaction.on_commit(run)
    return len(pks)


# Mails -----------------------------------------------------------------------------------------

MAIL_KINDS = {
    "confirmation": "la confirmation d’inscription",
    "promotion": "l’avis de place libérée",
    "reminder": "le rappel",
    "change": "l’avis de changement",
}
RETRY_HINT = "à renvoyer avec send_event_registration_mails"


@dataclass
class MailResult:
    sent: int = 0
    failures: int = 0

    def __iadd__(self, other):
        self.sent += other.sent
        self.failures += other.failures
        return self


def registration_send_mails_by_pk(*, pk):
    registration = Registration.objects.select_related("event__place", "event__action__axis").filter(pk=pk).first()
    if registration is None:  # pragma: no cover - deleted between the commit and the callback
        return MailResult()
    return registration_send_mails(registration=registration)


def registration_send_mails(*, registration):
    """Send the mails of ``registration`` that are due and not gone: the confirmation (or the place
    on the waiting list), the news of a place freed, the notice of a change to the event."""
    result = MailResult()
    if (
        registration.anonymised_at is not None
        or not registration.email
        or registration.status == RegistrationStatus.CANCELLED
    ):
        return result
    due = []
    if registration.confirmation_sent_at is None:
        due.append(("confirmation", "confirmation_sent_at"))
    elif (
        registration.promoted_at is not None
        and registration.promotion_sent_at is None
        and registration.status == RegistrationStatus.CONFIRMED
    ):
        due.append(("promotion", "promotion_sent_at"))
    if registration.change_notice_due_at is not None:
        due.append(("change", "change_notice_due_at"))
    for kind, field in due:
        if _send(registration, kind=kind):
            if field == "change_notice_due_at":
                Registration.objects.filter(pk=registration.pk).update(change_notice_due_at=None)
                registration.change_notice_due_at = None
            else:
                mark_sent(registration, field)
            if kind == "confirmation" and registration.promoted_at is not None:
                # Confirmed before the first mail went: the confirmation says it all.
                mark_sent(registration, "promotion_sent_at")
            result.sent += 1
        else:
            result.failures += 1
    return result


def registrations_with_mails_due():
    return (
        Registration.objects.not_anonymised()
        .active()
        .exclude(email="")
        .filter(
            Q(confirmation_sent_at__isnull=True)
            | Q(change_notice_due_at__isnull=False)
            | Q(status=RegistrationStatus.CONFIRMED, promoted_at__isnull=False, promotion_sent_at__isnull=True)
        )
        .select_related("event__place", "event__action__axis")
        .order_by("pk")
    )


def registrations_resend_mails():
    total = MailResult()
    for registration in registrations_with_mails_due().iterator():
        total += registration_send_mails(registration=registration)
    return total


def reminders_due(now=None):
    """Confirmed registrations, with an address, not reminded yet, for an event on the site that
    starts within two days and is neither cancelled nor postponed; not those confirmed within the
    last day (their confirmation is fresh)."""
    now = now or timezone.now()
    fresh = now - REMINDER_NOT_WITHIN
    return (
        Registration.objects.not_anonymised()
        .confirmed()
        .exclude(email="")
        .filter(
            reminder_sent_at__isnull=True,
            event__start__gt=now,
            event__start__lte=now + REMINDER_BEFORE,
            created_at__lt=fresh,
        )
        .exclude(promoted_at__gte=fresh)
        .exclude(event__status__in=[EventStatus.CANCELLED, EventStatus.POSTPONED])
        .select_related("event__place", "event__action__axis")
        .order_by("pk")
    )


def registrations_send_reminders(*, now=None):
    """Send each reminder due once, never twice: the reminder is claimed (its date set where it was
    empty, one row at a time) before it is sent, and given back if the mail server refuses it."""
    result = MailResult()
    for registration in reminders_due(now):
        claimed_at = timezone.now()
        claimed = Registration.objects.filter(pk=registration.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=claimed_at
        )
        if not claimed:  # another run sent it meanwhile
            continue
        if _send(registration, kind="reminder"):
            registration.reminder_sent_at = claimed_at
            result.sent += 1
        else:
            Registration.objects.filter(pk=registration.pk).update(reminder_sent_at=None)
            result.failures += 1
    return result


def mail_context(registration):
    event = registration.event
    site_settings = get_site_settings()
    return {
        "registration": registration,
        "event": event,
        "when": event_when(event),
        "place": event.place,
        "rank": waiting_rank(registration),
        "event_url": settings.SITE_URL + event.get_absolute_url(),
        "cancel_url": settings.SITE_URL + cancel_url(registration),
        "privacy_url": settings.SITE_URL + reverse("privacy") + "#inscriptions",
        "ccas_phone": site_settings.phone,
        "is_cancelled": event.status == EventStatus.CANCELLED,
        "is_postponed": event.status == EventStatus.POSTPONED,
    }


def _send(registration, *, kind):
    from .calendars import event_ics_bytes  # calendars imports the views' helpers; only for mails

    context = mail_context(registration)
    subject, body = render_mail(f"events/emails/registration_{kind}", context)
    attachments = []
    if registration.status == RegistrationStatus.CONFIRMED or kind == "change":
        attachments.append((f"{registration.event.slug}.ics", event_ics_bytes(registration.event), "text/calendar"))
    return send_safely(
        subject=subject,
        body=body,
        to=[registration.email],
        reference=f"Inscription {registration.reference}",
        what=MAIL_KINDS[kind],
        retry_hint=RETRY_HINT,
        attachments=attachments,
    )


# After the event: who came (the sign-in sheet), then the event's attendance ------------------------

PRESENCE_REASON = "Présence notée d’après la feuille d’émargement"
NO_PRESENCE_NOTED = "Aucune présence n’est notée pour cet événement : notez d’abord qui est venu."
ATTENDANCE_REASON = "Participation reportée de la feuille d’émargement"


class AttendanceAlreadyRecorded(ValidationError):
    """The event already has a number of participants that the presence would change: not replaced
    unless the agent confirms (``replace=True``)."""


def presence_rows(event):
    """The registrations whose presence is noted: confirmed or waiting (someone on the waiting list
    may come and find a place), by name. One query."""
    return list(Registration.objects.filter(event=event).active().order_by("last_name", "first_name", "pk"))


def presence_total(registrations):
    """``{"people": …, "noted": …, "to_note": …}``: the people who came (places attended added up),
    the registrations noted and those not noted yet, among ``registrations`` (in memory)."""
    active = [r for r in registrations if r.status != RegistrationStatus.CANCELLED]
    noted = [r for r in active if r.places_attended is not None]
    return {
        "people": sum(r.places_attended for r in noted),
        "noted": len(noted),
        "to_note": len(active) - len(noted),
    }


def registrations_mark_presence(*, event, marks, user):
    """Note who came to ``event``: ``marks`` maps a registration's pk to its places attended (``None``:
    not noted). Only the registrations of ``event`` whose mark changes are saved, each with a version
    of its history naming ``user``. Returns how many changed.

    All or nothing: ValidationError (in French) before the event starts, for a cancelled
    registration, or for more people than its places.
    """
    now = timezone.now()
    with transaction.atomic():
        registrations = {
            r.pk: r for r in Registration.objects.select_for_update().filter(event=event, pk__in=list(marks))
        }
        changed = []
        errors = []
        for pk, places_attended in marks.items():
            registration = registrations.get(pk)
            if registration is None or registration.places_attended == places_attended:
                continue
            registration.event = event
            if problem := registration.presence_problem(places_attended, now):
                errors.append(ValidationError(f"{registration.reference} : {problem}", code="presence"))
                continue
            registration.places_attended = places_attended
            changed.append(registration)
        if errors:
            raise ValidationError(errors)
        for registration in changed:
            registration._history_user = user
            registration._change_reason = PRESENCE_REASON
            registration.save(update_fields=["places_attended", "updated_at"])
    return len(changed)


def event_attendance_from_presence(*, event, user, walk_ins=0, replace=False):
    """Set the number of participants of ``event`` from its sign-in sheet: the places attended added
    up, plus ``walk_ins`` (people who came without registering, counted by hand). Returns the number.

    A number already typed by hand is never overwritten silently: when it differs, raises
    AttendanceAlreadyRecorded (saying both numbers) unless ``replace``. Refused (ValidationError)
    for an event cancelled or not started, or when no presence is noted. The event's history names
    ``user`` and the reason; the figure stays editable on the event's page afterwards.
    """
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.is_cancelled:
            raise ValidationError(CANCELLED_ATTENDANCE, code="cancelled")
        if locked.start > timezone.now():
            raise ValidationError(FUTURE_ATTENDANCE, code="future")
        totals = presence_total(presence_rows(locked))
        if not totals["noted"]:
            raise ValidationError(NO_PRESENCE_NOTED, code="nothing_noted")
        attendance = totals["people"] + (walk_ins or 0)
        if locked.attendance is not None and locked.attendance != attendance and not replace:
            raise AttendanceAlreadyRecorded(
                f"La participation de l’événement est déjà notée : {locked.attendance} personne(s). "
                f"La feuille d’émargement en compte {attendance}. Rien n’est changé : cochez "
                "« Remplacer le nombre déjà noté » pour le remplacer.",
                code="already_recorded",
            )
        if locked.attendance != attendance:
            locked.attendance = attendance
            locked._history_user = user
            locked._change_reason = f"{ATTENDANCE_REASON} ({totals['people']} inscrit(s) venu(s)" + (
                f", {walk_ins} sans inscription)" if walk_ins else ")"
            )
            locked.save(update_fields=["attendance", "updated_at"])
        event.attendance = attendance
        return attendance


# The right of access: everything held on a person's registrations -----------------------------

CONTROLLER = "Centre communal d’action sociale (CCAS) de Créteil"
# Never shown: the form's guard against double submission, not a fact about the person.
PERSONAL_DATA_EXCLUDED = ("submission_token",)


def registrations_of_person(registration):
    """The registrations of the person of ``registration``, across events, oldest event first: itself,
    and every registration not anonymised with the same first and last names (whatever their capitals)
    and the same e-mail address (whatever its capitals) or the same phone number.

    The names too: a family often shares one phone or one address, and a person's right of access
    must never hand them a relative's registrations. A registration whose name was spelt otherwise is
    not found: the agent opens it and gives it too, after checking.
    """
    same_contact = Q()
    if registration.email:
        same_contact |= Q(email__iexact=registration.email)
    if registration.phone:
        same_contact |= Q(phone=registration.phone)
    found = Q(pk=registration.pk)
    if same_contact:
        found |= Q(
            same_contact,
            first_name__iexact=registration.first_name,
            last_name__iexact=registration.last_name,
            anonymised_at__isnull=True,
        )
    return (
        Registration.objects.filter(found)
        .select_related("event", "created_by")
        .order_by("event__start", "event_id", "pk")
    )


def _person_fields(model, exclude=()):
    """The fields shown, the event first (then as declared)."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if field.name not in (*PERSONAL_DATA_EXCLUDED, *exclude) and not field.name.startswith("history_")
    ]
    return sorted(fields, key=lambda field: field.name != "event")


def registration_personal_data(*, registration, registrations=None, french_dates=False):
    """What the CCAS holds on the person of ``registration``: each of their registrations
    (``registrations_of_person``, or ``registrations`` when already read), with every version of its
    history. Two queries.

    Keys are the fields' French names, choices their labels, dates in Paris time: ISO 8601 for a
    file (JSON), or as French readers write them (« 15/01/2026 à 09:30 ») for a page.
    """
    if registrations is None:
        registrations = list(registrations_of_person(registration))
    fields = _person_fields(Registration, exclude=("id",))
    history_model = Registration.history.model
    history_fields = [history_model._meta.get_field(field.name) for field in fields]
    versions = {}
    for version in (
        history_model.objects.filter(id__in=[r.pk for r in registrations])
        .select_related("history_user", "event", "created_by")
        .order_by("history_date", "history_id")
    ):
        versions.setdefault(version.id, []).append(version)
    french = french_dates
    stamp = (
        (lambda value: dates.short_datetime(value, separator=" à "))
        if french
        else (lambda value: timezone.localtime(value).isoformat())
    )
    return {
        "exporté le": stamp(timezone.now()),
        "responsable du traitement": CONTROLLER,
        "inscriptions": [
            {
                "inscription": as_dict(r, fields, french=french),
                "historique": [
                    {
                        "date": stamp(version.history_date),
                        "opération": version.get_history_type_display(),
                        "par": (version.history_user.get_full_name() or version.history_user.get_username())
                        if version.history_user
                        else None,
                        "motif": version.history_change_reason or None,
                        "valeurs": as_dict(version, history_fields, french=french),
                    }
                    for version in versions.get(r.pk, [])
                ],
            }
            for r in registrations
        ],
    }


def registration_access_journal(*, user, registrations, what):
    """Journal a copy of everything held on one person (right of access): one entry in the admin log
    per registration shown, its reference only (``staff.journal``: listed among the exports)."""
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=list(registrations),
        action_flag=CHANGE,
        change_message=export_message(f"droit d’accès aux inscriptions, {what}."),
    )


# Retention -------------------------------------------------------------------------------------


def registrations_past_retention(now=None):
    """Registrations not anonymised yet whose event ended more than three months ago."""
    now = now or timezone.now()
    return Registration.objects.not_anonymised().filter(event__end__lt=now - RETENTION_AFTER_EVENT)


def registration_anonymise(*, registration, reason=PURGE_REASON, user=None):
    """Blank the person's data on the registration and on every version of its history."""
    return registration.anonymise(reason=reason, user=user)


def purge_registrations(*, now=None, dry_run=False):
    """Anonymise every registration past its retention; returns how many (none changed on a dry run)."""
    due = registrations_past_retention(now)
    if dry_run:
        return due.count()
    count = 0
    for registration in list(due.order_by("pk")):
        registration_anonymise(registration=registration)
        count += 1
    return count
