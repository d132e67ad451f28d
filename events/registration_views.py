"""Registering for an event on the site: the form, its confirmation, the link to cancel (issue 15).

Never cached (a form with a CSRF token, pages about one person); the event's own page shows the
places left and is emptied from the page cache at every registration (events.registrations).
"""

import logging

from django.db import connection
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from core.forms import is_submission_token
from core.throttle import FormThrottle

from . import registrations as services
from .enums import RegistrationStatus
from .models import Event, Registration
from .registration_forms import RegistrationForm

logger = logging.getLogger(__name__)

throttle = FormThrottle(
    name="events.registration_form",
    rate_setting="EVENTS_REGISTRATION_RATE",
    flood_rate_setting="EVENTS_REGISTRATION_FLOOD_RATE",
)

# What the confirmation page needs, kept in the session: references only, never a name.
SESSION_REFERENCE = "events_registration_reference"
SESSION_ALREADY_SENT = "events_registration_already_sent"
# What makes a form sent again (back, then send) the same registration: the person and how to reach them.
SAME_REGISTRATION_FIELDS = ("first_name", "last_name", "phone", "email")


def _event_or_404(slug):
    event = (
        Event.objects.published()
        .select_related("place", "action")
        .defer("search_text", "search_vector")
        .filter(slug=slug)
        .first()
    )
    if event is None or not event.takes_registrations_on_portal:
        raise Http404("Aucun événement ne prend d’inscription sur le site à cette adresse.")
    return event


def _breadcrumbs(event, last):
    return [("Agenda", reverse("events:list")), (event.title, event.get_absolute_url()), (last, None)]


def _form_page(request, event, form, *, status=200, limited=False, closed=False):
    return render(
        request,
        "events/registration_form.html",
        {
            "event": event,
            "form": form,
            "availability": services.availability(event),
            "rate_limited": limited,
            "closed": closed,
            "breadcrumbs": _breadcrumbs(event, "Inscription"),
        },
        status=status,
    )


def _kept_form(request, event):
    return RegistrationForm(initial=RegistrationForm.kept_values(request.POST), event=event)


def _show_confirmation(request, event, registration, *, already_sent=False):
    """Post/Redirect/Get: the reference goes to the confirmation page through the session."""
    request.session[SESSION_REFERENCE] = registration.reference if registration else ""
    request.session[SESSION_ALREADY_SENT] = already_sent
    return redirect("events:registration_done", slug=event.slug)


def _is_the_same(registration, data):
    if registration is None or registration.anonymised_at is not None:
        return False

    def normalised(value):
        return " ".join(str(value or "").split()).casefold()

    return registration.status != RegistrationStatus.CANCELLED and all(
        normalised(getattr(registration, name)) == normalised(data.get(name)) for name in SAME_REGISTRATION_FIELDS
    )


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def register(request, slug):
    """The form: CSRF, a honeypot, limits per client address (core/throttle.py), one registration per form."""
    event = _event_or_404(slug)
    if request.method != "POST":
        # No form that cannot be saved: while the database is unreachable this raises (503 page).
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        closed = not event.registration_is_open()
        return _form_page(request, event, None if closed else RegistrationForm(event=event), closed=closed)
    if throttle.post_is_flooding(request):
        return _form_page(request, event, _kept_form(request, event), status=429, limited=True)
    token = request.POST.get("submission_token")
    if is_submission_token(token):
        existing = Registration.objects.filter(submission_token=token, event=event).first()
        if existing is not None:
            # The same form sent again (a double click, a reload): its confirmation, nothing saved twice.
            throttle.count_submission(request)
            return _show_confirmation(request, event, existing, already_sent=True)
    if throttle.submissions_exhausted(request):
        return _form_page(request, event, _kept_form(request, event), status=429, limited=True)
    form = RegistrationForm(request.POST, event=event)
    if form.honeypot_filled:
        # A robot: told that all went well, and nothing is stored. No personal data logged.
        throttle.count_submission(request)
        logger.info("Inscription à un événement : champ piège rempli, envoi ignoré.")
        return _show_confirmation(request, event, None)
    if not form.is_valid():
        return _form_page(request, event, form)  # a mistake to correct is not counted
    data = form.registration_data()
    reference = request.session.get(SESSION_REFERENCE)
    previous = (
        Registration.objects.filter(reference=reference, event=event).first()
        if isinstance(reference, str) and reference
        else None
    )
    if _is_the_same(previous, data):
        # Back to the form after registering, and sent again: the same person, the same registration.
        return _show_confirmation(request, event, previous, already_sent=True)
    try:
        registration = services.registration_create(event=event, data=data)
    except services.RegistrationClosed:
        return _form_page(request, event, _kept_form(request, event), status=409, closed=True)
    except services.TooManyPlaces:
        form.add_error("places", f"Choisissez un nombre de 1 à {event.registration_max_places}.")
        return _form_page(request, event, form)
    throttle.count_submission(request)
    return _show_confirmation(request, event, registration)


@never_cache
def registration_done(request, slug):
    """The confirmation: the reference, confirmed or the rank on the waiting list, the link to cancel."""
    event = _event_or_404(slug)
    reference = request.session.get(SESSION_REFERENCE)
    if reference is None:
        return redirect("events:register", slug=slug)
    registration = None
    if reference:
        registration = Registration.objects.filter(reference=reference, event=event).first()
        if registration is None:
            return redirect("events:register", slug=slug)
    return render(
        request,
        "events/registration_done.html",
        {
            "event": event,
            "registration": registration,
            "rank": services.waiting_rank(registration) if registration else None,
            "cancel_url": services.cancel_url(registration) if registration else None,
            "already_sent": bool(registration) and request.session.get(SESSION_ALREADY_SENT, False),
            "breadcrumbs": _breadcrumbs(event, "Inscription enregistrée"),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def registration_cancel(request, slug, token):
    """The link of the mail: GET asks to confirm (a mail scanner following links cancels nothing), POST cancels."""
    registration = services.registration_for_cancel_token(token)
    if registration is None or registration.event.slug != slug:
        return render(
            request,
            "events/registration_cancel.html",
            {"invalid": True, "breadcrumbs": [("Agenda", reverse("events:list")), ("Annuler une inscription", None)]},
            status=404,
        )
    event = registration.event
    cancelled_now = False
    if request.method == "POST" and registration.status != RegistrationStatus.CANCELLED and not event.is_past:
        services.registration_cancel(registration=registration)
        cancelled_now = True
    return render(
        request,
        "events/registration_cancel.html",
        {
            "event": event,
            "registration": registration,
            "cancelled_now": cancelled_now,
            "is_past": event.is_past,
            "rank": services.waiting_rank(registration),
            "breadcrumbs": _breadcrumbs(event, "Annuler mon inscription"),
        },
    )
