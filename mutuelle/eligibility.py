"""Orientation between the CSS and the mutuelle communale: the business rule, as plain functions.

The complémentaire santé solidaire (CSS) of the Assurance maladie is free under a first yearly
resource ceiling and costs a monthly contribution per person, set by age, under a second one.
Above both, the mutuelle communale is the offer for the household, at a monthly price per person
set by age and formula. The advisers check the CSS first, and so does this module: the result is
an *orientation*, never a decision, which only the Assurance maladie takes.

People know their money by the month: the household's resources are given by the month and by
kind (salaries, pensions, unemployment benefit, other income) and counted over 12 months, or as
a yearly total when the person knows it. The household is the list of its members' ages: its
size is their number.

The ceilings come from the scale in force (``CssScale``), editable in the admin because they
change every 1 April; when that yearly update is not entered yet, the last scale is used and the
pages say so (``CssScale.objects.current_status``). A household larger than the scale's last row gets that row plus the
scale's amount per extra person. The prices come from the published offer's formulas.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone

from .models import CssCeiling, CssContribution, CssScale, Formula, FormulaPrice, Offer

MONTHS = 12

# The kinds of monthly resources the orientation asks, in the order of the form.
RESOURCE_KINDS = (
    ("salaries", "Salaires"),
    ("pensions", "Retraites et pensions"),
    ("unemployment", "Allocations chômage"),
    ("other", "Autres revenus"),
)


class Orientation(models.TextChoices):
    """The answer, labelled in residents' words: « CSS gratuite », as they know it, rather than the
    Assurance maladie's « CSS sans participation financière »."""

    CSS_FREE = "css_gratuite", "CSS gratuite"
    CSS_CONTRIBUTION = "css_avec_participation", "CSS avec participation financière"
    MUTUELLE = "mutuelle_communale", "mutuelle communale"


class ScaleUnusable(Exception):
    """The scale has no ceiling for the household (no row for one person, or no row at all)."""


@dataclass(frozen=True)
class Ceilings:
    household_size: int
    free: int
    contribution: int
    extra_people: int = 0  # people counted beyond the scale's last row


@dataclass(frozen=True)
class MemberCost:
    """What one member of the household would pay a month (None: no band of the table covers the age)."""

    position: int  # 1 for the person who answers, then the others in the order given
    age: int
    monthly: Decimal | None


def _total(members):
    amounts = [member.monthly for member in members]
    return None if any(amount is None for amount in amounts) else sum(amounts, Decimal(0))


def _yearly_saving(current_premium, monthly_total):
    if current_premium is None or monthly_total is None:
        return None
    return (current_premium - monthly_total) * MONTHS


@dataclass(frozen=True)
class FormulaQuote:
    """A formula's monthly price for each member of the household, and its total."""

    formula: Formula
    members: tuple[MemberCost, ...]
    current_premium: Decimal | None = None

    @property
    def monthly_total(self):
        return _total(self.members)

    @property
    def yearly_saving(self):
        """Positive: saved each year compared with the current premium; negative: what it costs more."""
        return _yearly_saving(self.current_premium, self.monthly_total)

    @property
    def yearly_extra_cost(self):
        saving = self.yearly_saving
        return -saving if saving is not None and saving < 0 else None


@dataclass(frozen=True)
class Estimate:
    orientation: Orientation
    scale: CssScale
    ceilings: Ceilings
    ages: tuple[int, ...]
    yearly_resources: Decimal | None
    receives_rsa: bool
    # How the resources were given: by the month and by kind ((label, amount) of each kind given), or a yearly total.
    monthly_resources: tuple[tuple[str, Decimal], ...] = ()
    yearly_total_given: bool = False
    current_premium: Decimal | None = None  # what the household pays a month today, if given
    css_members: tuple[MemberCost, ...] = ()  # the CSS contribution of each member (0 when free)
    quotes: tuple[FormulaQuote, ...] = ()  # the mutuelle's formulas, for a household above the ceilings

    @property
    def household_size(self):
        return len(self.ages)

    @property
    def is_css(self):
        return self.orientation in (Orientation.CSS_FREE, Orientation.CSS_CONTRIBUTION)

    @property
    def monthly_resources_total(self):
        return sum((amount for _, amount in self.monthly_resources), Decimal(0))

    @property
    def compared_ceiling(self):
        """The ceiling the answer rests on: the free one for the free CSS, the other one otherwise."""
        return self.ceilings.free if self.orientation == Orientation.CSS_FREE else self.ceilings.contribution

    @property
    def css_monthly_total(self):
        return _total(self.css_members) if self.is_css else None

    @property
    def css_yearly_saving(self):
        return _yearly_saving(self.current_premium, self.css_monthly_total)

    @property
    def near_ceiling(self):
        """Within 10 % of a ceiling: the flat housing amount or the months counted may change the answer."""
        if self.yearly_resources is None or self.receives_rsa:
            return False
        margin = Decimal("0.10")
        return any(
            abs(self.yearly_resources - ceiling) <= ceiling * margin
            for ceiling in (self.ceilings.free, self.ceilings.contribution)
        )


def scale_status(on=None):
    """The CSS scale in force on ``on`` (today by default) with its ceilings and contributions, and
    whether its yearly update is missing (``CssScaleStatus``, mutuelle/models.py).

    Three queries whatever the size of the scale.
    """
    return CssScale.objects.prefetch_related(
        Prefetch("ceilings", queryset=CssCeiling.objects.order_by("household_size")),
        Prefetch("contributions", queryset=CssContribution.objects.order_by("age_min")),
    ).current_status(on)


def scale_in_force(on=None):
    """The CSS scale valid on ``on`` (today by default) with its ceilings and contributions, or None."""
    return scale_status(on).scale


def published_formulas(on=None):
    """The formulas of the published offer (the one /mutuelle/ shows) with their prices by age in
    force on ``on`` (today by default): two queries."""
    on = on or timezone.localdate()
    offer = Offer.objects.published().order_by(*Offer._meta.ordering).values("pk")[:1]
    return list(
        Formula.objects.filter(offer__in=offer)
        .order_by("order", "name")
        .prefetch_related(Prefetch("prices", queryset=FormulaPrice.objects.in_force(on).order_by("age_min")))
    )


def ceilings_for(scale, household_size):
    """The yearly ceilings (free, with contribution) of a household of ``household_size`` people.

    The row of that size if the scale has one; otherwise the largest smaller row plus the
    scale's amount for each extra person (« + 4 135 € par personne en plus »).
    """
    rows = [row for row in scale.ceilings.all() if row.household_size <= household_size]
    if not rows:
        raise ScaleUnusable(f"Aucun plafond pour un foyer de {household_size} personne(s).")
    row = max(rows, key=lambda row: row.household_size)
    extra = household_size - row.household_size
    return Ceilings(
        household_size=household_size,
        free=row.free_ceiling + extra * scale.free_extra_person,
        contribution=row.contribution_ceiling + extra * scale.contribution_extra_person,
        extra_people=extra,
    )


def _amount_for_age(bands, age, field):
    for band in bands:
        if band.covers(age):
            return getattr(band, field)
    return None


def contribution_for_age(scale, age):
    """The monthly CSS contribution for a person of ``age`` on 1 January, or None if no band covers it."""
    return _amount_for_age(scale.contributions.all(), age, "monthly_amount")


def price_for_age(formula, age):
    """A formula's monthly price for a person of ``age``, or None if no band covers it."""
    return _amount_for_age(formula.prices.all(), age, "monthly_price")


def yearly_resources_of(*, monthly=None, yearly_total=None):
    """The household's resources over 12 months: the yearly total if the person gave it, else
    the sum of the monthly amounts (by kind) times 12. None when nothing was given."""
    if yearly_total is not None:
        return yearly_total
    amounts = [amount for amount in (monthly or {}).values() if amount is not None]
    if not amounts:
        return None
    return sum(amounts, Decimal(0)) * MONTHS


def estimate(
    *,
    scale,
    ages,
    monthly=None,
    yearly_total=None,
    receives_rsa=False,
    current_premium=None,
    formulas=None,
):
    """Orient a household: CSS without contribution, CSS with contribution, or the mutuelle communale.

    ``ages`` are those of the household's members on 1 January (the person who answers first);
    ``monthly`` maps the kinds of ``RESOURCE_KINDS`` to the household's monthly amounts, or
    ``yearly_total`` gives the resources over 12 months instead. They may all be missing only
    for an RSA recipient, who is entitled to the CSS without contribution anyway. A household
    exactly at a ceiling is under it (the rule is « ressources ≤ plafond »).

    ``formulas`` (with their prices) are read from the published offer when the household is
    above the ceilings and none are given.
    """
    ages = tuple(ages)
    if not ages:
        raise ValueError("Le foyer compte au moins une personne.")
    resources = yearly_resources_of(monthly=monthly, yearly_total=yearly_total)
    if resources is None and not receives_rsa:
        raise ValueError("Les ressources sont nécessaires sans le RSA.")
    ceilings = ceilings_for(scale, len(ages))
    if receives_rsa or resources <= ceilings.free:
        orientation = Orientation.CSS_FREE
    elif resources <= ceilings.contribution:
        orientation = Orientation.CSS_CONTRIBUTION
    else:
        orientation = Orientation.MUTUELLE

    css_members, quotes = (), ()
    if orientation == Orientation.CSS_FREE:
        css_members = tuple(MemberCost(n, age, Decimal(0)) for n, age in enumerate(ages, start=1))
    elif orientation == Orientation.CSS_CONTRIBUTION:
        css_members = tuple(MemberCost(n, age, contribution_for_age(scale, age)) for n, age in enumerate(ages, start=1))
    else:
        formulas = published_formulas() if formulas is None else formulas
        quotes = tuple(
            FormulaQuote(
                formula=formula,
                members=tuple(MemberCost(n, age, price_for_age(formula, age)) for n, age in enumerate(ages, start=1)),
                current_premium=current_premium,
            )
            for formula in formulas
        )
    labels = dict(RESOURCE_KINDS)
    given = (
        ()
        if yearly_total is not None
        else tuple(
            (labels[kind], amount) for kind, amount in (monthly or {}).items() if amount is not None and kind in labels
        )
    )
    return Estimate(
        orientation=orientation,
        scale=scale,
        ceilings=ceilings,
        ages=ages,
        yearly_resources=resources,
        receives_rsa=receives_rsa,
        monthly_resources=given,
        yearly_total_given=yearly_total is not None,
        current_premium=current_premium,
        css_members=css_members,
        quotes=quotes,
    )


def ceilings_table(scale, sizes=(1, 2, 3, 4)):
    """The ceilings of the usual household sizes, for the table shown beside the form."""
    table = []
    for size in sizes:
        try:
            table.append(ceilings_for(scale, size))
        except ScaleUnusable:
            continue
    return table
