"""Initial content of the mutuelle, loaded by ``python manage.py load_cls_content``.

Two things, created only when missing and never modified afterwards (editors own them):

- the CSS scale in force from 1 April 2025 (metropolitan France), identified by its date;
- the mutuelle communale's offer with Just, its formulas and their prices by age.

The prices are plausible, not Créteil's real ones (they were not found): ``prices_checked_on``
stays empty, so the site calls them indicative until an editor has checked them with the
insurer. A scale or an offer that an editor deleted is not recreated (its history remains).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from core.history import CHANGE_REASON
from partners.models import Partner

from .models import CssCeiling, CssContribution, CssScale, Formula, FormulaPrice, Offer

SCALE = {
    "valid_from": datetime.date(2025, 4, 1),
    "source": "Plafonds publiés par l’Assurance maladie et service-public.fr, applicables au 1er avril 2025 "
    "(France métropolitaine)",
    "source_url": "https://www.service-public.fr/particuliers/vosdroits/F10027",
    "free_extra_person": 4135,
    "contribution_extra_person": 5583,
    # household size: (free ceiling, ceiling with contribution), yearly resources in euros
    "ceilings": {1: (10339, 13957), 2: (15508, 20936), 3: (18609, 25123), 4: (21711, 29311)},
    # (age min, age max or None, monthly contribution in euros), age on 1 January
    "contributions": [(0, 29, 8), (30, 49, 14), (50, 59, 21), (60, 69, 25), (70, None, 30)],
}

INSURER_SLUG = "just"

OFFER = {
    "name": "Mutuelle communale de Créteil",
    "summary": "Une complémentaire santé à prix réduit, négociée par la Ville avec l’assureur Just, pour les "
    "Cristoliens qui n’ont pas droit à la complémentaire santé solidaire (CSS). Pour ne plus renoncer à se "
    "soigner faute d’argent.",
    "who_can_join": "Toute personne qui habite à Créteil, quels que soient son âge et sa situation : salariée, "
    "indépendante, sans emploi, retraitée, étudiante…\n\n"
    "Pas de questionnaire de santé : personne ne vous demande si vous êtes malade. Pas de délai d’attente : "
    "vous êtes couvert(e) dès le lendemain de votre adhésion.",
    "coverage": "La mutuelle rembourse ce que la Sécurité sociale ne prend pas en charge : consultations, "
    "médicaments, analyses, hospitalisation, lunettes, soins dentaires, aides auditives. Chaque formule "
    "rembourse plus ou moins ; toutes donnent accès au « 100 % santé » (des lunettes, des prothèses dentaires "
    "et des aides auditives sans reste à payer).",
    "how_to_join": "Pour le rendez-vous, apportez si possible une pièce d’identité, un justificatif de domicile "
    "à Créteil, votre attestation de carte Vitale et un RIB.",
    "prices_note": "Prix par mois et par personne, selon l’âge. Le conseiller vous donne le prix exact pour "
    "votre situation.",
}

# Plausible levels and prices, to be checked with the insurer (see the admin's warning).
FORMULAS = [
    {
        "name": "Essentiel",
        "order": 1,
        "description": "Les soins courants remboursés sur la base de la Sécurité sociale, le forfait hospitalier, "
        "et le « 100 % santé » pour les lunettes, les prothèses dentaires et les aides auditives.",
        "prices": [(0, 25, "14"), (26, 59, "29"), (60, 74, "47"), (75, None, "59")],
    },
    {
        "name": "Confort",
        "order": 2,
        "description": "Tout ce que couvre Essentiel, avec de meilleurs remboursements pour les dépassements "
        "d’honoraires, les lunettes et les soins dentaires hors « 100 % santé ».",
        "prices": [(0, 25, "22"), (26, 59, "45"), (60, 74, "72"), (75, None, "89")],
    },
    {
        "name": "Renfort",
        "order": 3,
        "description": "La formule la plus complète : dépassements d’honoraires, chambre particulière à "
        "l’hôpital, lunettes, soins dentaires et aides auditives mieux remboursés.",
        "prices": [(0, 25, "31"), (26, 59, "63"), (60, 74, "98"), (75, None, "118")],
    },
]


def load_initial_content(*, today):
    """Create the missing scale and offer; called by ``load_cls_content`` inside its transaction.

    Returns the lines of the command's summary: (label, feminine, (created, existing)).
    """
    return [
        ("Barèmes de la CSS", False, create_scale()),
        ("Offres de mutuelle communale", True, create_offer(today=today)),
    ]


def _save(obj):
    obj.full_clean()
    obj._change_reason = CHANGE_REASON
    obj.save()
    return obj


def create_scale():
    valid_from = SCALE["valid_from"]
    if (
        CssScale.objects.filter(valid_from=valid_from).exists()
        or CssScale.history.filter(valid_from=valid_from).exists()
    ):
        return 0, 1
    scale = _save(
        CssScale(
            valid_from=valid_from,
            source=SCALE["source"],
            source_url=SCALE["source_url"],
            free_extra_person=SCALE["free_extra_person"],
            contribution_extra_person=SCALE["contribution_extra_person"],
        )
    )
    for size, (free, contribution) in SCALE["ceilings"].items():
        _save(CssCeiling(scale=scale, household_size=size, free_ceiling=free, contribution_ceiling=contribution))
    for age_min, age_max, amount in SCALE["contributions"]:
        _save(CssContribution(scale=scale, age_min=age_min, age_max=age_max, monthly_amount=Decimal(amount)))
    return 1, 0


def create_offer(*, today=None):
    """The offer is created once: if any offer exists or ever existed, editors own the subject.

    Its prices apply from ``today`` (the day they are loaded, the site's today by default): the
    day the portal starts showing them, not a date of the insurer's, which is not known.
    """
    if Offer.objects.exists() or Offer.history.exists():
        return 0, 1
    insurer = Partner.objects.filter(slug=INSURER_SLUG).first()
    if insurer is None:  # the insurer was deleted by an editor: nothing to attach the offer to
        return 0, 0
    offer = _save(Offer(insurer=insurer, published=True, **OFFER))
    for row in FORMULAS:
        formula = _save(Formula(offer=offer, name=row["name"], order=row["order"], description=row["description"]))
        for age_min, age_max, price in row["prices"]:
            _save(
                FormulaPrice(
                    formula=formula,
                    valid_from=today or timezone.localdate(),
                    age_min=age_min,
                    age_max=age_max,
                    monthly_price=Decimal(price),
                )
            )
    return 1, 0
