"""Mutuelle communale views: the offer, the CSS orientation, the interest form and its confirmation."""

import logging

from django.db import connection
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from core.cache import public_page

from . import throttle
from .eligibility import ScaleUnusable, ceilings_table, estimate, scale_status
from .eligibility_forms import OLD_GET_NAMES, EligibilityForm
from .enums import RequestSource
from .forms import HONEYPOT_FIELD, MESSAGE_MAX_LENGTH, PREFILL_HOUSEHOLD, SUBMISSION_TOKEN, InterestRequestForm
from .models import CssScale, Formula, FormulaPrice, InterestRequest, Offer, age_band_label
from .services import appointments as appointment_services
from .services import requests as request_services

logger = logging.getLogger(__name__)


@public_page(shows=("mutuelle", "partners", "events", "actions", "glossary"))
def home(request):
    """The mutuelle communale: for whom, with whom, formulas and prices, permanences, FAQ, contact.

    Seven queries: the offer and its insurer, the formulas, their prices in force today (those
    prepared for a later date wait for their day), the permanences and their appointment slots
    (two), and the CSS scale in force (the page says when its yearly update is missing).
    """
    today = timezone.localdate()
    prices_in_force = FormulaPrice.objects.in_force(today).order_by("age_min")
    offer = (
        Offer.objects.published()
        .select_related("insurer")
        .prefetch_related(
            Prefetch(
                "formulas", queryset=Formula.objects.prefetch_related(Prefetch("prices", queryset=prices_in_force))
            )
        )
        .first()
    )
    formulas = list(offer.formulas.all()) if offer else []
    # One row per age band found in any formula, one cell per formula (None where it has no price).
    prices = {(formula.pk, p.age_min, p.age_max): p.monthly_price for formula in formulas for p in formula.prices.all()}
    bands = sorted({(age_min, age_max) for _, age_min, age_max in prices}, key=lambda b: (b[0], b[1] is None, b[1]))
    price_rows = [
        (age_band_label(age_min, age_max), [prices.get((formula.pk, age_min, age_max)) for formula in formulas])
        for age_min, age_max in bands
    ]
    # The permanences are the events of the mutuelle's action (loaded by load_cls_content), each
    # with its appointment slots left (two more queries, whatever their number).
    permanences = list(appointment_services.upcoming_permanences()[:6])
    slots_left = appointment_services.availabilities(permanences)
    return render(
        request,
        "mutuelle/home.html",
        {
            "offer": offer,
            "formulas": formulas,
            "price_rows": price_rows,
            "permanences": [(event, slots_left[event.pk]) for event in permanences],
            "scale_status": CssScale.objects.current_status(today),
            "breadcrumbs": [("Mutuelle communale", None)],
        },
    )


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters()
@never_cache
def eligibility(request):
    """CSS or mutuelle communale? A POST form against the scale in force; nothing is stored.

    Income and ages are sent by POST, so they never go into the address (the browser's history,
    the server's logs); the answer is ``Cache-Control: no-store`` (never_cache), not a public
    page (never in the page cache), and nothing here logs or saves anything. No CSRF token: the
    view changes and stores nothing that a forged request could alter, and without the token
    the page sets no cookie. The old addresses with the answers in their query string show the
    empty form with a note. Three queries for the scale, two more for the prices of the
    mutuelle's formulas when the household is above the ceilings.
    """
    status = scale_status()
    scale = status.scale
    form = EligibilityForm(request.POST if request.method == "POST" else None)
    old_address = request.method != "POST" and any(name in request.GET for name in (*OLD_GET_NAMES, *form.fields))
    result, scale_unusable = None, False
    if scale and form.is_bound and form.is_valid():
        try:
            result = estimate(scale=scale, **form.estimate_arguments())
        except ScaleUnusable:
            scale_unusable = True
    return render(
        request,
        "mutuelle/eligibility.html",
        {
            "form": form,
            "scale": scale,
            "scale_status": status,
            "old_address": old_address,
            "result": result,
            "scale_unusable": scale_unusable,
            "today": timezone.localdate(),
            "request_url": (
                f"{reverse('mutuelle:request')}?{urlencode({PREFILL_HOUSEHOLD: result.household_size})}"
                if result
                else reverse("mutuelle:request")
            ),
            "ceilings": ceilings_table(scale) if scale else [],
            "contributions": list(scale.contributions.all()) if scale else [],
            "breadcrumbs": [("Mutuelle communale", reverse("mutuelle:home")), ("CSS ou mutuelle ?", None)],
        },
    )


# ---------------------------------------------------------------------------------------------
# The interest form (/mutuelle/demande/) and its confirmation page.
# ---------------------------------------------------------------------------------------------

# What the confirmation page needs, kept in the session: the reference and whether a mail went.
# Never a name, a phone number or an address.
SESSION_REFERENCE = "mutuelle_reference"
SESSION_MAIL = "mutuelle_confirmation_mail"
# Set when the page is shown for a request sent again (« déjà envoyée »), removed by a new one.
SESSION_ALREADY_SENT = "mutuelle_already_sent"


def _request_form_page(request, form, *, status=200, limited=False):
    return render(
        request,
        "mutuelle/request_form.html",
        {
            "form": form,
            "rate_limited": limited,
            "breadcrumbs": [("Mutuelle communale", reverse("mutuelle:home")), ("Être rappelé(e)", None)],
        },
        status=status,
    )


def _show_confirmation(request, interest_request, *, already_sent=False):
    """Post/Redirect/Get: the reference goes to the confirmation page through the session.

    ``interest_request`` was just read, or just created and its mails sent (``request_create``
    puts their dates on it): whether the confirmation went is read from it.
    """
    if not interest_request.email:
        mail = "none"
    elif interest_request.confirmation_sent_at:
        mail = "sent"
    else:
        mail = "pending"
    request.session[SESSION_REFERENCE] = interest_request.reference
    request.session[SESSION_MAIL] = mail
    if already_sent:
        request.session[SESSION_ALREADY_SENT] = True
    else:
        request.session.pop(SESSION_ALREADY_SENT, None)
    return redirect("mutuelle:request_done")


def _request_for_token(token):
    """The request already sent with this form (a double click, a reload), if any."""
    if not isinstance(token, str) or not SUBMISSION_TOKEN.fullmatch(token):
        return None
    return InterestRequest.objects.filter(submission_token=token).first()


def _request_sent_from_this_browser(request):
    """The request this browser's session sent last (its reference is all the session keeps), if any."""
    reference = request.session.get(SESSION_REFERENCE)
    if not reference or not isinstance(reference, str):
        return None
    return InterestRequest.objects.filter(reference=reference).first()


@sensitive_post_parameters()
@never_cache
def request_form(request):
    """The interest form: CSRF, a honeypot, limits per client address (throttle.py), one request per form."""
    if request.method != "POST":
        # No form that cannot be saved: while the database is unreachable this raises, and the
        # outage page (503) shows at once rather than after the person has typed everything.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        household_size = InterestRequestForm.household_size_from(request.GET)
        initial = {"household_size": household_size} if household_size else {}
        return _request_form_page(request, InterestRequestForm(initial=initial))
    if throttle.post_is_flooding(request):
        return rate_limited(request)
    existing = _request_for_token(request.POST.get("submission_token"))
    if existing is not None:
        # The same form sent again (a double click, a reload, or a robot replaying it): its
        # confirmation, even past the limit, and nothing saved twice.
        throttle.count_submission(request)
        return _show_confirmation(request, existing, already_sent=True)
    if throttle.submissions_exhausted(request):
        return rate_limited(request)
    form = InterestRequestForm(request.POST)
    if form.honeypot_filled:
        # A robot: it is told that all went well, and nothing is stored. No personal data logged.
        throttle.count_submission(request)
        logger.info("Formulaire mutuelle : champ piège rempli, envoi ignoré.")
        request.session[SESSION_REFERENCE] = ""
        request.session[SESSION_MAIL] = "none"
        return redirect("mutuelle:request_done")
    if not form.is_valid():
        # A mistake to correct is not counted: nobody is locked out for typing errors.
        return _request_form_page(request, form)
    data = form.request_data()
    previous = _request_sent_from_this_browser(request)
    if previous is not None and request_services.request_is_the_same(interest_request=previous, data=data):
        # Back to the form after sending it, and sent again: the browser may have shown the form
        # afresh (with a new token) and kept what was typed. The same person, the same request:
        # its confirmation again, nothing saved, nothing counted.
        return _show_confirmation(request, previous, already_sent=True)
    interest_request = request_services.request_create(data=data, source=RequestSource.WEBSITE)
    throttle.count_submission(request)
    return _show_confirmation(request, interest_request)


@never_cache
def request_done(request):
    """The confirmation: the reference, what happens next and when. No personal data."""
    reference = request.session.get(SESSION_REFERENCE)
    if reference is None:
        return redirect("mutuelle:request")
    return render(
        request,
        "mutuelle/request_done.html",
        {
            "reference": reference,
            "mail": request.session.get(SESSION_MAIL, "none"),
            "already_sent": bool(reference) and request.session.get(SESSION_ALREADY_SENT, False),
            "breadcrumbs": [("Mutuelle communale", reverse("mutuelle:home")), ("Demande envoyée", None)],
        },
    )


@sensitive_post_parameters()
def rate_limited(request):
    """Too many requests from one address: 429, with everything typed kept."""
    initial = {}
    if request.method == "POST":
        for name, field in InterestRequestForm.base_fields.items():
            if name == HONEYPOT_FIELD or name not in request.POST:
                continue
            limit = getattr(field, "max_length", None) or MESSAGE_MAX_LENGTH
            initial[name] = request.POST.get(name, "")[:limit].replace("\x00", "")
    return _request_form_page(request, InterestRequestForm(initial=initial), status=429, limited=True)
