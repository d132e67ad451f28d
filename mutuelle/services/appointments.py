"""Appointments at the mutuelle's permanences (issue 15 §3): slots, booking, cancellation, mails, retention.

A permanence is an event of the mutuelle's action (``PERMANENCE_ACTION_SLUG``); it offers slots of
``Permanence.slot_minutes`` (20 by default) from its start to its end, each held by as many
appointments as advisers are present. Walk-ins stay possible: the slots are a way to avoid the
queue, not the only way in.

The machinery is the registrations' (``events.registrations``): a booking takes the event's lock
(``lock_event``: the event's row on PostgreSQL, SQLite's write lock) and counts the slot's
appointments under it; on top of that, a unique constraint on (event, slot, adviser) for the
appointments not cancelled makes a double booking impossible in the database itself. Mails go
after the commit, each dated once gone (core/mail.py), so a mail server down loses nothing;
``send_mutuelle_appointment_mails`` sends what is due and the reminders two days before.
Nothing here logs a name, a phone number or an address: the reference only.
"""

import copy
import datetime
import logging
import uuid
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from core import dates
from core.cache import invalidate_pages
from core.mail import mark_sent, render_mail, send_safely
from core.page_extras import Extra
from core.site_settings import get_site_settings
from events.enums import EventStatus, RegistrationSource
from events.formatting import event_when
from events.models import Event
from events.registrations import lock_event, retrying_when_locked

from ..enums import APPOINTMENT_TRANSITIONS, AppointmentStatus
from ..models import PERMANENCE_ACTION_SLUG, Appointment, InterestRequest, Offer, Permanence
from .followup import request_appointment_booked

logger = logging.getLogger(__name__)

REFERENCE_ATTEMPTS = 3
CANCEL_SALT = "mutuelle.appointment.cancel"
REMINDER_BEFORE = datetime.timedelta(days=2)
REMINDER_NOT_WITHIN = datetime.timedelta(days=1)
RETENTION_AFTER_PERMANENCE = relativedelta(months=3)
# The value of a slot in the form: its local time, « 2026-12-15T09:20 ».
SLOT_FORMAT = "%Y-%m-%dT%H:%M"

PURGE_REASON = "Anonymisé : trois mois après la permanence"
NOTICE_NOT_READ = "Lisez à la personne la notice d’information sur ses données, puis cochez la case."
FORM_FIELDS = ("first_name", "last_name", "phone", "email")
# The slots left show with the permanence: its page in the agenda, /mutuelle/ and /mutuelle/rendez-vous/
# all show the « events » section of the page cache (core/cache.py), renewed at each booking.
SLOTS_SECTIONS = ("events",)


class AppointmentsClosed(Exception):
    """The permanence takes no appointment now (not a permanence, cancelled, past, set without appointments)."""


class SlotTaken(Exception):
    """The slot asked for is not free (taken meanwhile, past, or not one of the permanence's)."""


# The permanences and their slots ----------------------------------------------------------------


def permanences():
    """The permanences of the agenda: the events of the mutuelle's action."""
    return Event.objects.filter(action__slug=PERMANENCE_ACTION_SLUG)


def upcoming_permanences(now=None):
    """The published permanences still to come, the soonest first, with their place."""
    return (
        permanences()
        .published(now=now)
        .upcoming(now=now)
        .select_related("place")
        .defer("search_text", "search_vector")
        .order_by("start")
    )


def permanence_settings(event, rows=None):
    """The ``Permanence`` row of ``event``, or the default one (20 minutes, one adviser) unsaved.

    ``rows``: {event pk: Permanence} already read (a list of permanences reads them in one query).
    """
    found = rows.get(event.pk) if rows is not None else Permanence.objects.filter(event_id=event.pk).first()
    return found or Permanence(event_id=event.pk)


def takes_appointments(event, permanence):
    """Whether ``event`` offers slots at all (whether any is free is another question)."""
    return (
        permanence.takes_appointments
        and not event.all_day
        and event.status not in (EventStatus.CANCELLED, EventStatus.POSTPONED)
        and event.end > event.start
    )


def slot_starts(event, permanence):
    """The start of every slot of the permanence, from its start to its end (the last one ends by the end)."""
    length = datetime.timedelta(minutes=permanence.slot_minutes)
    starts = []
    start = event.start.replace(second=0, microsecond=0)  # a slot is named by its minute (the form's value)
    while start + length <= event.end:
        starts.append(start)
        start += length
    return starts


@dataclass(frozen=True)
class Slot:
    start: datetime.datetime
    end: datetime.datetime
    free: int  # how many advisers are still free at that time

    @property
    def value(self):
        return dates.local(self.start).strftime(SLOT_FORMAT)

    @property
    def label(self):
        return f"{dates.french_time(self.start)} – {dates.french_time(self.end)}"


def slot_from_value(event, value):
    """The aware datetime a slot's form value names, or None when it is not a valid time."""
    if not isinstance(value, str):
        return None
    try:
        naive = datetime.datetime.strptime(value, SLOT_FORMAT)
    except ValueError:
        return None
    return timezone.make_aware(naive, timezone.get_default_timezone())


@dataclass(frozen=True)
class SlotsAvailability:
    """What a page says of a permanence: whether it takes appointments, how many slots, how many free."""

    takes_appointments: bool
    total: int
    left: int
    slot_minutes: int

    @property
    def is_full(self):
        return self.takes_appointments and self.left == 0


def _taken_counts(event_pks):
    """{(event pk, slot start): appointments holding it} for these events, one query."""
    rows = (
        Appointment.objects.filter(event_id__in=event_pks)
        .holding()
        .order_by()
        .values_list("event_id", "slot_start")
        .annotate(count=Count("pk"))
    )
    return {(event_id, start): count for event_id, start, count in rows}


def _slots(event, permanence, taken, now):
    """The slots still to come of ``event`` with their free advisers (``taken`` from ``_taken_counts``)."""
    length = datetime.timedelta(minutes=permanence.slot_minutes)
    return [
        Slot(start=start, end=start + length, free=max(permanence.advisers - taken.get((event.pk, start), 0), 0))
        for start in slot_starts(event, permanence)
        if start > now
    ]


def slots(event, now=None, permanence=None):
    """The slots still to come of ``event``, free or not (two queries: its settings, its appointments)."""
    now = now or timezone.now()
    permanence = permanence or permanence_settings(event)
    if not takes_appointments(event, permanence):
        return []
    return _slots(event, permanence, _taken_counts([event.pk]), now)


def availabilities(events, now=None):
    """{event pk: SlotsAvailability} for a list of permanences: two queries whatever their number."""
    now = now or timezone.now()
    events = list(events)
    rows = {row.event_id: row for row in Permanence.objects.filter(event_id__in=[event.pk for event in events])}
    taken = _taken_counts([event.pk for event in events])
    result = {}
    for event in events:
        permanence = permanence_settings(event, rows)
        if not takes_appointments(event, permanence):
            result[event.pk] = SlotsAvailability(False, 0, 0, permanence.slot_minutes)
            continue
        event_slots = _slots(event, permanence, taken, now)
        result[event.pk] = SlotsAvailability(
            True,
            total=len(event_slots) * permanence.advisers,
            left=sum(slot.free for slot in event_slots),
            slot_minutes=permanence.slot_minutes,
        )
    return result


def free_slots_by_permanence(events, now=None):
    """[(event, [free Slot…])…] for the permanences that take appointments: the agents' choice of a slot
    for an appointment taken by phone. Two queries whatever the number of permanences."""
    now = now or timezone.now()
    events = list(events)
    rows = {row.event_id: row for row in Permanence.objects.filter(event_id__in=[event.pk for event in events])}
    taken = _taken_counts([event.pk for event in events])
    result = []
    for event in events:
        permanence = permanence_settings(event, rows)
        if takes_appointments(event, permanence):
            free = [slot for slot in _slots(event, permanence, taken, now) if slot.free]
            if free:
                result.append((event, free))
    return result


def availability(event, now=None):
    return availabilities([event], now)[event.pk]


def is_permanence(event):
    return event.action_id is not None and permanences().filter(pk=event.pk).exists()


# The interest request named by the person ---------------------------------------------------------


def _normalised(value):
    return " ".join(str(value or "").split()).casefold()


def matching_request(*, reference, data):
    """The interest request of ``reference`` if it is this person's (same name, phone or address), else None.

    The reference alone is not enough: someone who read another's reference would link their
    appointment to that person's request. Anonymised requests match nothing.
    """
    compact = "".join(str(reference or "").split()).replace("-", "").upper()
    if len(compact) != 10 or not compact.startswith("MC"):
        return None
    reference = f"MC-{compact[2:6]}-{compact[6:]}"
    found = InterestRequest.objects.not_anonymised().filter(reference=reference).first()
    if found is None:
        return None
    same_name = _normalised(found.last_name) == _normalised(data.get("last_name"))
    same_phone = bool(found.phone) and str(found.phone) == str(data.get("phone") or "")
    same_email = bool(found.email) and _normalised(found.email) == _normalised(data.get("email"))
    return found if same_name or same_phone or same_email else None


# Booking -----------------------------------------------------------------------------------------


def _after_commit(appointment_pk):
    def run():
        invalidate_pages(sections=SLOTS_SECTIONS)  # the pages saying how many slots are left
        appointment_send_mails_by_pk(pk=appointment_pk)

    transaction.on_commit(run)


@sensitive_variables("data", "values")
def appointment_book(
    *, event, slot_start, data, source=RegistrationSource.WEBSITE, created_by=None, notice_read=False, request=None
):
    """Book the slot of ``event`` starting at ``slot_start`` for a person (cleaned ``data``).

    ``data``: the fields of ``FORM_FIELDS``, ``request_reference`` (optional) and
    ``submission_token`` (the form's guard against double submission: the same token returns the
    appointment already booked). ``request``: the interest request an agent links by hand (else
    the one whose reference the person typed, if it is theirs). Raises AppointmentsClosed,
    SlotTaken; ValidationError when an agent did not read the notice.
    """
    token = data.get("submission_token") or None
    if token:
        existing = Appointment.objects.filter(submission_token=token).first()
        if existing is not None:
            return existing
    if source == RegistrationSource.STAFF and not notice_read:
        raise ValidationError(NOTICE_NOT_READ, code="notice_not_read")
    values = {name: data.get(name) or "" for name in FORM_FIELDS}
    typed_reference = " ".join(str(data.get("request_reference") or "").split())[:20]
    interest_request = request or matching_request(reference=typed_reference, data=values)
    now = timezone.now()

    def attempt():
        with transaction.atomic():
            locked = lock_event(event.pk)
            if not permanences().filter(pk=locked.pk).exists():
                raise AppointmentsClosed
            permanence = permanence_settings(locked)
            if not takes_appointments(locked, permanence):
                raise AppointmentsClosed
            if slot_start not in slot_starts(locked, permanence):
                raise SlotTaken
            if source == RegistrationSource.WEBSITE and slot_start <= now:
                raise SlotTaken
            seats = set(
                Appointment.objects.filter(event=locked, slot_start=slot_start).holding().values_list("seat", flat=True)
            )
            free = [seat for seat in range(1, permanence.advisers + 1) if seat not in seats]
            if not free:
                raise SlotTaken
            appointment = Appointment(
                **values,
                event=locked,
                slot_start=slot_start,
                seat=free[0],
                request_reference=typed_reference,
                interest_request=interest_request,
                source=source,
                created_by=created_by,
                consent_at=now if source == RegistrationSource.WEBSITE else None,
                notice_read_at=now if source == RegistrationSource.STAFF else None,
                submission_token=token,
            )
            appointment._history_user = created_by
            appointment.save()
            if interest_request is not None:
                request_appointment_booked(
                    interest_request=interest_request,
                    slot_label=dates.french_datetime(slot_start, weekday=True),
                    user=created_by,
                )
            _after_commit(appointment.pk)
            return appointment

    for number in range(1, REFERENCE_ATTEMPTS + 1):
        try:
            return retrying_when_locked(attempt)
        except IntegrityError:
            # The same form sent twice at once (its token is taken: that appointment is the
            # answer), the slot taken by a writer the lock did not see (the constraint), or a
            # reference already in use: try again, under the lock, which tells which.
            if token:
                existing = Appointment.objects.filter(submission_token=token).first()
                if existing is not None:
                    return existing
            if number == REFERENCE_ATTEMPTS:
                raise SlotTaken from None
    raise AssertionError("unreachable")  # pragma: no cover


def _set_status(appointment, status, now):
    if status not in APPOINTMENT_TRANSITIONS[AppointmentStatus(appointment.status)]:
        raise ValidationError(
            f"Un rendez-vous « {appointment.get_status_display().lower()} » ne peut pas devenir "
            f"« {AppointmentStatus(status).label.lower()} ».",
            code="invalid_transition",
        )
    appointment.status = status
    if status == AppointmentStatus.CANCELLED:
        appointment.cancelled_at = now
    else:
        appointment.attendance_marked_at = now


def appointment_cancel(*, appointment, user=None, reason="Annulé par la personne"):
    """Cancel ``appointment``: its slot is free again at once. Returns False if it was already cancelled."""
    now = timezone.now()

    def attempt():
        with transaction.atomic():
            lock_event(appointment.event_id)
            current = Appointment.objects.select_for_update().get(pk=appointment.pk)
            if current.status == AppointmentStatus.CANCELLED:
                return False
            _set_status(current, AppointmentStatus.CANCELLED, now)
            current._history_user = user
            current._change_reason = reason
            current.save()
            transaction.on_commit(lambda: invalidate_pages(sections=SLOTS_SECTIONS))
            appointment.status, appointment.cancelled_at = current.status, current.cancelled_at
            return True

    return retrying_when_locked(attempt)


def appointment_mark_attendance(*, appointment, came, user):
    """The agent notes whether the person came (or corrects that note). Raises ValidationError otherwise."""
    status = AppointmentStatus.CAME if came else AppointmentStatus.NO_SHOW
    if appointment.status == status:
        return appointment
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        _set_status(current, status, timezone.now())
        current._history_user = user
        current._change_reason = "Présence notée"
        current.save()
    appointment.status, appointment.attendance_marked_at = current.status, current.attendance_marked_at
    return appointment


# The cancel link -----------------------------------------------------------------------------------


def cancel_token(appointment):
    return signing.Signer(salt=CANCEL_SALT).sign(appointment.reference)


def appointment_for_cancel_token(token):
    """The appointment a cancel link names, or None for a link altered, forged or of another site."""
    try:
        reference = signing.Signer(salt=CANCEL_SALT).unsign(token)
    except signing.BadSignature:
        return None
    appointments = Appointment.objects.select_related("event__place")
    return appointments.filter(reference=reference, anonymised_at__isnull=True).first()


def cancel_url(appointment):
    return reverse("mutuelle:appointment_cancel", kwargs={"token": cancel_token(appointment)})


# Mails ---------------------------------------------------------------------------------------------

MAIL_KINDS = {
    "confirmation": "la confirmation de rendez-vous",
    "reminder": "le rappel de rendez-vous",
    "change": "l’avis de changement de la permanence",
}
RETRY_HINT = "à renvoyer avec send_mutuelle_appointment_mails"


@dataclass
class MailResult:
    sent: int = 0
    failures: int = 0


def papers_to_bring():
    """The papers to bring, from the published offer (one query); [] without an offer."""
    offer = Offer.objects.published().only("papers_to_bring").first()
    return offer.papers if offer else []


def slot_minutes(appointment):
    permanence = Permanence.objects.filter(event_id=appointment.event_id).only("slot_minutes").first()
    return permanence.slot_minutes if permanence else Permanence._meta.get_field("slot_minutes").default


def appointment_slot(appointment):
    """The slot of ``appointment``, its end from the permanence's slot length (one query)."""
    end = appointment.slot_start + datetime.timedelta(minutes=slot_minutes(appointment))
    return Slot(start=appointment.slot_start, end=end, free=0)


def mail_context(appointment):
    event = appointment.event
    return {
        "appointment": appointment,
        "event": event,
        "place": event.place,
        "day": dates.french_date(appointment.slot_start),
        "slot": appointment_slot(appointment),
        "when": event_when(event),
        "papers": papers_to_bring(),
        "cancel_url": settings.SITE_URL + cancel_url(appointment),
        "mutuelle_url": settings.SITE_URL + reverse("mutuelle:home"),
        "appointments_url": settings.SITE_URL + reverse("mutuelle:appointments"),
        "privacy_url": settings.SITE_URL + reverse("privacy") + "#rendez-vous",
        "ccas_phone": get_site_settings().phone,
        "is_cancelled": event.status == EventStatus.CANCELLED,
        "is_postponed": event.status == EventStatus.POSTPONED,
    }


def appointment_ics_bytes(appointment, end):
    """The appointment's iCalendar file: the permanence's entry, at the slot's time, with its own UID."""
    from events.calendars import event_ics_bytes  # calendars imports the views' helpers; only for mails

    slot = copy.copy(appointment.event)
    slot.start = appointment.slot_start
    slot.end = end
    slot.title = f"Rendez-vous : {appointment.event.title}"
    slot.uid = uuid.uuid5(appointment.event.uid, appointment.reference)
    return event_ics_bytes(slot)


def _send(appointment, *, kind):
    context = mail_context(appointment)
    subject, body = render_mail(f"mutuelle/emails/appointment_{kind}", context)
    attachments = []
    if not (context["is_cancelled"] or context["is_postponed"]):
        ics = appointment_ics_bytes(appointment, context["slot"].end)
        attachments.append((f"rendez-vous-{appointment.reference}.ics", ics, "text/calendar"))
    return send_safely(
        subject=subject,
        body=body,
        to=[appointment.email],
        reference=f"Rendez-vous {appointment.reference}",
        what=MAIL_KINDS[kind],
        retry_hint=RETRY_HINT,
        attachments=attachments,
    )


def appointment_send_mails_by_pk(*, pk):
    appointment = Appointment.objects.select_related("event__place", "event__action__axis").filter(pk=pk).first()
    if appointment is None:  # pragma: no cover - deleted between the commit and the callback
        return MailResult()
    return appointment_send_mails(appointment=appointment)


def appointment_send_mails(*, appointment):
    """The mails of ``appointment`` due and not gone: the confirmation, the notice of a change to the
    permanence (never for a cancelled or anonymised appointment)."""
    result = MailResult()
    if appointment.anonymised_at is not None or not appointment.email or appointment.status != AppointmentStatus.BOOKED:
        return result
    if appointment.confirmation_sent_at is None:
        if _send(appointment, kind="confirmation"):
            mark_sent(appointment, "confirmation_sent_at")
            result.sent += 1
        else:
            result.failures += 1
    if appointment.change_notice_due_at is not None:
        if _send(appointment, kind="change"):
            Appointment.objects.filter(pk=appointment.pk).update(change_notice_due_at=None)
            appointment.change_notice_due_at = None
            result.sent += 1
        else:
            result.failures += 1
    return result


def appointments_resend_mails():
    total = MailResult()
    due = (
        Appointment.objects.not_anonymised()
        .filter(status=AppointmentStatus.BOOKED, slot_start__gt=timezone.now())
        .filter(Q(confirmation_sent_at__isnull=True) | Q(change_notice_due_at__isnull=False))
        .exclude(email="")
        .select_related("event__place", "event__action__axis")
        .order_by("pk")
    )
    for appointment in due.iterator():
        result = appointment_send_mails(appointment=appointment)
        total.sent += result.sent
        total.failures += result.failures
    return total


def reminders_due(now=None):
    """Booked appointments with an address, not reminded yet, within two days, at a permanence neither
    cancelled nor postponed; not those booked within the last day (their confirmation is fresh)."""
    now = now or timezone.now()
    return (
        Appointment.objects.not_anonymised()
        .filter(
            status=AppointmentStatus.BOOKED,
            reminder_sent_at__isnull=True,
            slot_start__gt=now,
            slot_start__lte=now + REMINDER_BEFORE,
            created_at__lt=now - REMINDER_NOT_WITHIN,
        )
        .exclude(email="")
        .exclude(event__status__in=[EventStatus.CANCELLED, EventStatus.POSTPONED])
        .select_related("event__place", "event__action__axis")
        .order_by("pk")
    )


def appointments_send_reminders(*, now=None):
    """Each reminder due once, never twice: claimed (its date set where it was empty) before it is sent,
    given back if the mail server refuses it."""
    result = MailResult()
    for appointment in reminders_due(now):
        claimed_at = timezone.now()
        claimed = Appointment.objects.filter(pk=appointment.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=claimed_at
        )
        if not claimed:
            continue
        if _send(appointment, kind="reminder"):
            result.sent += 1
        else:
            Appointment.objects.filter(pk=appointment.pk).update(reminder_sent_at=None)
            result.failures += 1
    return result


# The permanence changes ---------------------------------------------------------------------------------

# What, changed on a permanence, its appointments are told of (a mutuelle receiver of Event's saves).
TOLD_FIELDS = ("start", "end", "status", "place_id")


def permanence_state(event):
    """What the appointments are told of, as saved now (one query); None for an event not saved yet."""
    if event.pk is None:
        return None
    return Event._base_manager.filter(pk=event.pk).values(*TOLD_FIELDS, "action__slug").first()


def permanence_changed(event, before):
    """After the save of ``event``: if it is a permanence cancelled, postponed, moved to another time
    or place, the people with an appointment to come are told by mail. Returns how many."""
    if before is None or before["action__slug"] != PERMANENCE_ACTION_SLUG:
        return 0
    if all(before[name] == getattr(event, name) for name in TOLD_FIELDS):
        return 0
    due = Appointment.objects.not_anonymised().filter(
        event_id=event.pk, status=AppointmentStatus.BOOKED, slot_start__gt=timezone.now()
    )
    pks = list(due.values_list("pk", flat=True))
    if pks:
        Appointment.objects.filter(pk__in=pks).update(change_notice_due_at=timezone.now())

        def run():
            for pk in pks:
                appointment_send_mails_by_pk(pk=pk)

        transaction.on_commit(run)
    return len(pks)


# Retention -------------------------------------------------------------------------------------------


def appointments_past_retention(now=None):
    """Appointments not anonymised yet whose permanence ended more than three months ago."""
    now = now or timezone.now()
    return Appointment.objects.not_anonymised().filter(event__end__lt=now - RETENTION_AFTER_PERMANENCE)


def appointment_anonymise(*, appointment, reason=PURGE_REASON, user=None):
    """Blank the person's data on the appointment and every version of its history; the permanence,
    the slot, the status and the dates stay for the statistics."""
    return appointment.anonymise(reason=reason, user=user)


def purge_appointments(*, now=None, dry_run=False):
    """Anonymise every appointment past its retention; returns how many (none changed on a dry run)."""
    due = appointments_past_retention(now)
    if dry_run:
        return due.count()
    count = 0
    for appointment in list(due.order_by("pk")):
        appointment_anonymise(appointment=appointment)
        count += 1
    return count


def appointments_of_request_anonymise(*, interest_request, user=None, reason):
    """The appointments linked to a request whose data is erased or anonymised go with it."""
    count = 0
    linked = Q(interest_request=interest_request) | Q(request_reference=interest_request.reference)
    for appointment in Appointment.objects.not_anonymised().filter(linked).order_by("pk"):
        appointment_anonymise(appointment=appointment, user=user, reason=reason)
        count += 1
    return count


# The permanence's page in the agenda -------------------------------------------------------------------


def event_page_extra(event):
    """The slots left, on the page of a permanence (core/page_extras.py); None for another event.

    The page has the event's action already (select_related): two queries, for a permanence only.
    """
    if event.action.slug != PERMANENCE_ACTION_SLUG:
        return None
    return Extra("mutuelle/includes/event_page_slots.html", {"event": event, "slots": availability(event)})
