"""Appointments at the mutuelle's permanences (issue 15 §3): the list, the form, its confirmation, the cancel link.

The list is a public page (cached, emptied at every booking and cancellation); the form and the
pages about one person's appointment are never cached. The rules are in
``mutuelle.services.appointments``; the form is the events' registration form with a slot.
"""

import logging

from django.db import connection
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from core.cache import public_page
from core.forms import is_submission_token
from core.throttle import FormThrottle
from events.formatting import event_when

from .appointment_forms import SLOT_GONE, AppointmentForm
from .enums import AppointmentStatus
from .models import Appointment
from .services import appointments as services

logger = logging.getLogger(__name__)

throttle = FormThrottle(
    name="mutuelle.appointment_form",
    rate_setting="MUTUELLE_APPOINTMENT_RATE",
    flood_rate_setting="MUTUELLE_APPOINTMENT_FLOOD_RATE",
)

# What the confirmation page needs, kept in the session: the reference only, never a name.
SESSION_REFERENCE = "mutuelle_appointment_reference"
SESSION_ALREADY_SENT = "mutuelle_appointment_already_sent"


def _crumbs(*last):
    return [("Mutuelle communale", reverse("mutuelle:home")), *last]


@public_page(shows=("events", "mutuelle"))
def appointments(request):
    """The next permanences, each with its slots left; walk-ins stay possible. Three queries."""
    permanences = list(services.upcoming_permanences()[:12])
    counts = services.availabilities(permanences)
    return render(
        request,
        "mutuelle/appointments.html",
        {
            "permanences": [(event, counts[event.pk]) for event in permanences],
            "breadcrumbs": _crumbs(("Prendre rendez-vous", None)),
        },
    )


def _permanence_or_404(slug):
    event = services.upcoming_permanences().filter(slug=slug).first()
    if event is None:
        # A past permanence, or an event that is not one: the list of those to come is one click away.
        raise Http404("Aucune permanence à venir à cette adresse.")
    return event


def _form_page(request, event, form, slots, *, status=200, limited=False, closed=False):
    return render(
        request,
        "mutuelle/appointment_form.html",
        {
            "event": event,
            "form": form,
            "free_slots": [slot for slot in slots if slot.free],
            "rate_limited": limited,
            "closed": closed,
            "breadcrumbs": _crumbs(
                ("Prendre rendez-vous", reverse("mutuelle:appointments")), (event_when(event), None)
            ),
        },
        status=status,
    )


def _kept_form(request, event, slots):
    return AppointmentForm(initial=AppointmentForm.kept_values(request.POST), event=event, slots=slots)


def _show_confirmation(request, event, appointment, *, already_sent=False):
    """Post/Redirect/Get: the reference goes to the confirmation page through the session."""
    request.session[SESSION_REFERENCE] = appointment.reference if appointment else ""
    request.session[SESSION_ALREADY_SENT] = already_sent
    return redirect("mutuelle:appointment_done", slug=event.slug)


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def book(request, slug):
    """The form: CSRF, a honeypot, limits per client address (core/throttle.py), one appointment per form."""
    event = _permanence_or_404(slug)
    permanence = services.permanence_settings(event)
    slots = services.slots(event, permanence=permanence)
    closed = not services.takes_appointments(event, permanence) or not any(slot.free for slot in slots)
    if request.method != "POST":
        # No form that cannot be saved: while the database is unreachable this raises (503 page).
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return _form_page(request, event, None if closed else AppointmentForm(event=event, slots=slots), slots)
    if throttle.post_is_flooding(request):
        return _form_page(request, event, _kept_form(request, event, slots), slots, status=429, limited=True)
    token = request.POST.get("submission_token")
    if is_submission_token(token):
        existing = Appointment.objects.filter(submission_token=token, event=event).first()
        if existing is not None:
            # The same form sent again (a double click, a reload): its confirmation, nothing booked twice.
            throttle.count_submission(request)
            return _show_confirmation(request, event, existing, already_sent=True)
    if throttle.submissions_exhausted(request):
        return _form_page(request, event, _kept_form(request, event, slots), slots, status=429, limited=True)
    form = AppointmentForm(request.POST, event=event, slots=slots)
    if form.honeypot_filled:
        throttle.count_submission(request)
        logger.info("Rendez-vous mutuelle : champ piège rempli, envoi ignoré.")
        return _show_confirmation(request, event, None)
    if closed:
        return _form_page(request, event, None, slots, status=409)
    if not form.is_valid():
        return _form_page(request, event, form, slots)  # a mistake to correct is not counted
    try:
        appointment = services.appointment_book(
            event=event,
            slot_start=services.slot_from_value(event, form.cleaned_data["slot"]),
            data=form.appointment_data(),
        )
    except services.AppointmentsClosed:
        return _form_page(request, event, None, slots, status=409, closed=True)
    except services.SlotTaken:
        # Taken meanwhile: the form again, with the slots free now and everything else kept.
        slots = services.slots(event, permanence=permanence)
        form = AppointmentForm(request.POST, event=event, slots=slots)
        form.is_valid()
        if "slot" not in form.errors:
            form.add_error("slot", SLOT_GONE)
        return _form_page(request, event, form, slots, status=409)
    throttle.count_submission(request)
    return _show_confirmation(request, event, appointment)


@never_cache
def appointment_done(request, slug):
    """The confirmation: the reference, the day and time, the papers to bring, the link to cancel."""
    event = _permanence_or_404(slug)
    reference = request.session.get(SESSION_REFERENCE)
    if reference is None:
        return redirect("mutuelle:appointment_book", slug=slug)
    appointment = None
    if reference:
        appointment = Appointment.objects.filter(reference=reference, event=event).first()
        if appointment is None:
            return redirect("mutuelle:appointment_book", slug=slug)
    return render(
        request,
        "mutuelle/appointment_done.html",
        {
            "event": event,
            "appointment": appointment,
            "slot": services.appointment_slot(appointment) if appointment else None,
            "papers": services.papers_to_bring(),
            "cancel_url": services.cancel_url(appointment) if appointment else None,
            "already_sent": bool(appointment) and request.session.get(SESSION_ALREADY_SENT, False),
            "breadcrumbs": _crumbs(("Rendez-vous pris", None)),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def appointment_cancel(request, token):
    """The link of the mail: GET asks to confirm (a mail scanner following links cancels nothing), POST cancels."""
    appointment = services.appointment_for_cancel_token(token)
    if appointment is None:
        return render(
            request,
            "mutuelle/appointment_cancel.html",
            {"invalid": True, "breadcrumbs": _crumbs(("Annuler un rendez-vous", None))},
            status=404,
        )
    is_past = appointment.slot_start <= timezone.now()
    cancelled_now = False
    if request.method == "POST" and appointment.status == AppointmentStatus.BOOKED and not is_past:
        services.appointment_cancel(appointment=appointment)
        cancelled_now = True
    return render(
        request,
        "mutuelle/appointment_cancel.html",
        {
            "event": appointment.event,
            "appointment": appointment,
            "slot": services.appointment_slot(appointment),
            "cancelled_now": cancelled_now,
            "is_past": is_past,
            "breadcrumbs": _crumbs(("Annuler mon rendez-vous", None)),
        },
    )
