"""Mutuelle communale views: the offer, the CSS orientation, the interest form and its confirmation."""

import logging

from django.db import connection
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from core.cache import public_page
from events.models import Event

from . import throttle
from .eligibility import ScaleUnusable, ceilings_table, estimate, scale_in_force
from .eligibility_forms import EligibilityForm
from .enums import RequestSource
from .forms import HONEYPOT_FIELD, MESSAGE_MAX_LENGTH, SUBMISSION_TOKEN, InterestRequestForm
from .models import Formula, InterestRequest, Offer, age_band_label
from .services import requests as request_services

logger = logging.getLogger(__name__)


@public_page
def home(request):
    """The mutuelle communale: for whom, with whom, formulas and prices, permanences, FAQ, contact.

    Four queries: the offer and its insurer, the formulas, their prices, the permanences.
    """
    offer = (
        Offer.objects.published()
        .select_related("insurer")
        .prefetch_related(Prefetch("formulas", queryset=Formula.objects.prefetch_related("prices")))
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
    # The permanences are the events of the mutuelle's action (loaded by load_cls_content).
    permanences = (
        Event.objects.published().upcoming().filter(action__slug="mutuelle-communale").select_related("place")[:6]
    )
    return render(
        request,
        "mutuelle/home.html",
        {
            "offer": offer,
            "formulas": formulas,
            "price_rows": price_rows,
            "permanences": permanences,
            "breadcrumbs": [("Mutuelle communale", None)],
        },
    )


def eligibility(request):
    """CSS or mutuelle communale? A GET form against the scale in force; nothing is stored.

    Sent by GET: no CSRF token, no cookie, and the URL of an answer can be shared. Three
    queries (the scale, its ceilings, its contributions) whatever the answer.
    """
    scale = scale_in_force()
    submitted = any(name in request.GET for name in EligibilityForm.base_fields)
    form = EligibilityForm(request.GET if submitted else None)
    result, scale_unusable = None, False
    if scale and submitted and form.is_valid():
        try:
            result = estimate(scale=scale, **form.cleaned_data)
        except ScaleUnusable:
            scale_unusable = True
    return render(
        request,
        "mutuelle/eligibility.html",
        {
            "form": form,
            "scale": scale,
            "result": result,
            "scale_unusable": scale_unusable,
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


def _show_confirmation(request, interest_request):
    """Post/Redirect/Get: the reference goes to the confirmation page through the session."""
    confirmation_sent_at = (
        InterestRequest.objects.filter(pk=interest_request.pk).values_list("confirmation_sent_at", flat=True).first()
    )
    if not interest_request.email:
        mail = "none"
    elif confirmation_sent_at:
        mail = "sent"
    else:
        mail = "pending"
    request.session[SESSION_REFERENCE] = interest_request.reference
    request.session[SESSION_MAIL] = mail
    return redirect("mutuelle:request_done")


def _request_for_token(token):
    """The request already sent with this form (a double click, a reload), if any."""
    if not isinstance(token, str) or not SUBMISSION_TOKEN.fullmatch(token):
        return None
    return InterestRequest.objects.filter(submission_token=token).first()


@sensitive_post_parameters()
@never_cache
def request_form(request):
    """The interest form: CSRF, a honeypot, limits per client address (throttle.py), one request per form."""
    if request.method != "POST":
        # No form that cannot be saved: while the database is unreachable this raises, and the
        # outage page (503) shows at once rather than after the person has typed everything.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return _request_form_page(request, InterestRequestForm())
    if throttle.post_is_flooding(request):
        return rate_limited(request)
    existing = _request_for_token(request.POST.get("submission_token"))
    if existing is not None:
        # The same form sent again (a double click, a reload, or a robot replaying it): its
        # confirmation, even past the limit, and nothing saved twice.
        throttle.count_submission(request)
        return _show_confirmation(request, existing)
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
    interest_request = request_services.request_create(data=form.request_data(), source=RequestSource.WEBSITE)
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
