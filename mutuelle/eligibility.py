"""Orientation between the CSS and the mutuelle communale: the business rule, as plain functions.

The complémentaire santé solidaire (CSS) of the Assurance maladie is free under a first yearly
resource ceiling and costs a small monthly contribution (set by age) under a second one. Above
both, the mutuelle communale is the offer for the household. The advisers check the CSS first,
and so does this module: the result is an *orientation*, never a decision, which only the
Assurance maladie takes.

The ceilings come from the scale in force (``CssScale``), editable in the admin because they
change every 1 April. A household larger than the scale's last row gets that row plus the
scale's amount per extra person.
"""

import enum
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from .models import CssCeiling, CssContribution, CssScale


class Orientation(enum.StrEnum):
    CSS_FREE = "css_sans_participation"
    CSS_CONTRIBUTION = "css_avec_participation"
    MUTUELLE = "mutuelle_communale"


class ScaleUnusable(Exception):
    """The scale has no ceiling for the household (no row for one person, or no row at all)."""


@dataclass(frozen=True)
class Ceilings:
    household_size: int
    free: int
    contribution: int
    extra_people: int = 0  # people counted beyond the scale's last row


@dataclass(frozen=True)
class Estimate:
    orientation: Orientation
    scale: CssScale
    ceilings: Ceilings
    household_size: int
    yearly_resources: Decimal | None
    receives_rsa: bool
    age: int | None = None
    monthly_contribution: Decimal | None = None  # for the age given, when there is a contribution
    contribution_min: Decimal | None = None  # the range of the scale, shown when no age is given
    contribution_max: Decimal | None = None

    @property
    def is_css(self):
        return self.orientation in (Orientation.CSS_FREE, Orientation.CSS_CONTRIBUTION)

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


def scale_in_force(on=None):
    """The CSS scale valid on ``on`` (today by default) with its ceilings and contributions, or None.

    Three queries whatever the size of the scale.
    """
    on = on or timezone.localdate()
    return (
        CssScale.objects.filter(valid_from__lte=on)
        .order_by("-valid_from")
        .prefetch_related(
            Prefetch("ceilings", queryset=CssCeiling.objects.order_by("household_size")),
            Prefetch("contributions", queryset=CssContribution.objects.order_by("age_min")),
        )
        .first()
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


def contribution_for_age(scale, age):
    """The monthly CSS contribution for a person of ``age`` on 1 January, or None if no band covers it."""
    for band in scale.contributions.all():
        if band.covers(age):
            return band.monthly_amount
    return None


def contribution_range(scale):
    amounts = [band.monthly_amount for band in scale.contributions.all()]
    return (min(amounts), max(amounts)) if amounts else (None, None)


def estimate(*, scale, household_size, yearly_resources=None, age=None, receives_rsa=False):
    """Orient a household: CSS without contribution, CSS with contribution, or the mutuelle communale.

    ``yearly_resources`` are those of the whole household over 12 months, in euros; they may be
    None only for an RSA recipient, who is entitled to the CSS without contribution anyway.
    A household exactly at a ceiling is under it (the rule is « ressources ≤ plafond »).
    """
    if yearly_resources is None and not receives_rsa:
        raise ValueError("Les ressources sont nécessaires sans le RSA.")
    ceilings = ceilings_for(scale, household_size)
    if receives_rsa or yearly_resources <= ceilings.free:
        orientation = Orientation.CSS_FREE
    elif yearly_resources <= ceilings.contribution:
        orientation = Orientation.CSS_CONTRIBUTION
    else:
        orientation = Orientation.MUTUELLE

    monthly = low = high = None
    if orientation == Orientation.CSS_CONTRIBUTION:
        monthly = contribution_for_age(scale, age) if age is not None else None
        low, high = contribution_range(scale)
    return Estimate(
        orientation=orientation,
        scale=scale,
        ceilings=ceilings,
        household_size=household_size,
        yearly_resources=yearly_resources,
        receives_rsa=receives_rsa,
        age=age,
        monthly_contribution=monthly,
        contribution_min=low,
        contribution_max=high,
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
