"""The mutuelle's blocks of the admin's first page (staff/dashboard.py).

- the queue, for the agents: new requests, those past the promised call-back time, those whose
  last day is today, those marked « à rappeler » (the rules: ``InterestRequest.objects``);
- the appointments at the permanences, for the agents: today's, and those still to come;
- the reference data, for the agents and the administrator: the CSS scale's yearly update missing
  (``CssScale.objects.current_status``), the prices not checked since it (``Offer.objects.prices_to_check``).

The requests hold no agreed date of call-back (only a preferred time of day): « à rappeler
aujourd’hui » is the requests whose promised time (5 working days) ends today.
"""

from django.urls import reverse
from django.utils import timezone

from core.admin import plural_fr
from core.dates import french_date
from staff.dashboard import ADMINISTRATION, MUTUELLE, Block, Figure, changelist_url, register_dashboard_block

from .enums import AppointmentStatus, RequestStatus
from .models import Appointment, CssScale, InterestRequest, Offer
from .permissions import is_mutuelle_agent
from .services.requests import CALL_BACK_DELAY


def queue_block(request, now):
    user = request.user
    if not (is_mutuelle_agent(user) and user.has_perm("mutuelle.view_interestrequest")):
        return None
    today = timezone.localdate(now)
    requests = InterestRequest.objects.all()
    new = requests.waiting_first_call().count()
    overdue = requests.call_back_overdue(today).count()
    due_today = requests.call_back_due_today(today).count()
    to_call_back = requests.filter(status=RequestStatus.TO_CALL_BACK).count()
    figures = [
        Figure(
            text=plural_fr(new, "{count} nouvelle demande", "{count} nouvelles demandes"),
            count=new,
            url=changelist_url(InterestRequest, status__exact=RequestStatus.NEW),
        ),
        Figure(
            text=plural_fr(
                overdue,
                f"{{count}} nouvelle demande en retard (délai de {CALL_BACK_DELAY} dépassé)",
                f"{{count}} nouvelles demandes en retard (délai de {CALL_BACK_DELAY} dépassé)",
            ),
            count=overdue,
            url=changelist_url(InterestRequest, rappel="en-retard"),
            alert=bool(overdue),
        ),
        Figure(
            text=plural_fr(
                due_today,
                "{count} personne à rappeler aujourd’hui (dernier jour du délai)",
                "{count} personnes à rappeler aujourd’hui (dernier jour du délai)",
            ),
            count=due_today,
            url=changelist_url(InterestRequest, rappel="aujourd-hui"),
            alert=bool(due_today),
        ),
        Figure(
            text=plural_fr(
                to_call_back, "{count} demande au statut « À rappeler »", "{count} demandes au statut « À rappeler »"
            ),
            count=to_call_back,
            url=changelist_url(InterestRequest, status__exact=RequestStatus.TO_CALL_BACK),
        ),
    ]
    return Block(title="File des demandes", figures=figures)


def appointments_block(request, now):
    """The day's appointments at the permanences and those still to come (booked), for the agents."""
    user = request.user
    if not (is_mutuelle_agent(user) and user.has_perm("mutuelle.view_appointment")):
        return None
    booked = Appointment.objects.filter(status=AppointmentStatus.BOOKED)
    today = booked.on_day(timezone.localdate(now)).count()
    upcoming = booked.filter(slot_start__gte=now).count()
    figures = [
        Figure(
            text=plural_fr(today, "{count} rendez-vous aujourd’hui", "{count} rendez-vous aujourd’hui"),
            count=today,
            url=changelist_url(Appointment, jour="aujourd-hui"),
        ),
        Figure(
            text=plural_fr(upcoming, "{count} rendez-vous à venir", "{count} rendez-vous à venir"),
            count=upcoming,
            url=changelist_url(Appointment, jour="a-venir", status__exact=AppointmentStatus.BOOKED),
        ),
    ]
    return Block(title="Rendez-vous aux permanences", figures=figures)


def reference_data_block(request, now):
    user = request.user
    # « Tarifs vérifiés le » is the offer's: shown to those who may open it (Rédaction, superusers).
    sees_prices = user.has_perm("mutuelle.view_offer")
    if not (user.has_perm("mutuelle.view_cssscale") or sees_prices):
        return None
    today = timezone.localdate(now)
    messages = []
    if user.has_perm("mutuelle.view_cssscale"):
        status = CssScale.objects.current_status(today)
        url = changelist_url(CssScale)
        in_force = french_date(status.scale.valid_from, weekday=False) if status.scale else ""
        if status.scale is None:
            messages.append(
                Figure(
                    text="Aucun barème de la CSS n’est saisi : l’orientation ne peut pas répondre.",
                    count=0,
                    url=url,
                    alert=True,
                )
            )
        elif status.is_outdated:
            messages.append(
                Figure(
                    text=f"Barème de la CSS à mettre à jour : celui du {french_date(status.update_due, weekday=False)} "
                    f"n’est pas saisi ; le site utilise encore celui du {in_force}.",
                    count=0,
                    url=url,
                    alert=True,
                )
            )
        else:
            messages.append(
                Figure(
                    text=f"Barème de la CSS à jour (en vigueur depuis le {in_force}).",
                    count=0,
                    url=url,
                )
            )
    if sees_prices:
        offers = list(Offer.objects.published().prices_to_check(today).only("pk", "prices_checked_on"))
        if offers:
            offer = offers[0]
            checked = (
                f"vérifiés pour la dernière fois le {french_date(offer.prices_checked_on, weekday=False)}"
                if offer.prices_checked_on
                else "jamais vérifiés"
            )
            messages.append(
                Figure(
                    text=f"Tarifs de la mutuelle à vérifier auprès de l’assureur : {checked}.",
                    count=0,
                    url=reverse("admin:mutuelle_offer_change", args=[offer.pk]),
                    alert=True,
                )
            )
        else:
            messages.append(Figure(text="Tarifs de la mutuelle vérifiés depuis la mise à jour annuelle.", count=0))
    return Block(title="Barème de la CSS et tarifs de la mutuelle", messages=messages)


register_dashboard_block(MUTUELLE, queue_block, order=10)
register_dashboard_block(MUTUELLE, appointments_block, order=15)
register_dashboard_block(MUTUELLE, reference_data_block, order=20)
register_dashboard_block(ADMINISTRATION, reference_data_block, order=30)
