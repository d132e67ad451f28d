"""The yearly CSS scale: « Copier le barème précédent », a starting point for the next scale.

The ceilings change every 1 April (``mutuelle.models.SCALE_UPDATE_MONTH``). The agent starts the
new scale from the last one entered rather than from an empty form; nothing is saved here: the
copy fills the admin's add form, where the agent replaces each amount by the official one and
names the source before saving. Until then the site keeps using the scale in force: no figure
is ever made up, and the copy's figures are never shown as the new scale's.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch

from ..models import CssCeiling, CssContribution, CssScale, last_scale_update_day

# The scale's fields copied as they are; ``source`` is not (it names the old text).
COPIED_FIELDS = ("source_url", "free_extra_person", "contribution_extra_person")


@dataclass(frozen=True)
class ScaleCopy:
    """A new scale's starting point: the scale copied, the new start date, the values to check."""

    previous: CssScale
    valid_from: datetime.date
    fields: dict = field(default_factory=dict)
    ceilings: list = field(default_factory=list)
    contributions: list = field(default_factory=list)


def next_scale_start(*, latest, today):
    """The 1 April the new scale should start from: the latest 1 April on or before ``today``
    (the update due, ``CssScaleStatus.update_due``) if the last scale entered starts before it,
    else the first 1 April after that scale (a scale prepared ahead)."""
    start = last_scale_update_day(today)
    while start <= latest:
        start = start.replace(year=start.year + 1)
    return start


def scale_copy_previous(*, today):
    """The last scale entered (by start date) copied for the next 1 April, unsaved; None without any.

    Three queries (the scale, its ceilings, its contributions). The copy's ``source`` is empty:
    the agent names the official text the new amounts come from.
    """
    previous = (
        CssScale.objects.order_by("-valid_from")
        .prefetch_related(
            Prefetch("ceilings", queryset=CssCeiling.objects.order_by("household_size")),
            Prefetch("contributions", queryset=CssContribution.objects.order_by("age_min")),
        )
        .first()
    )
    if previous is None:
        return None
    valid_from = next_scale_start(latest=previous.valid_from, today=today)
    return ScaleCopy(
        previous=previous,
        valid_from=valid_from,
        fields={"valid_from": valid_from, "source": ""} | {name: getattr(previous, name) for name in COPIED_FIELDS},
        ceilings=[
            {
                "household_size": row.household_size,
                "free_ceiling": row.free_ceiling,
                "contribution_ceiling": row.contribution_ceiling,
            }
            for row in previous.ceilings.all()
        ],
        contributions=[
            {"age_min": row.age_min, "age_max": row.age_max, "monthly_amount": row.monthly_amount}
            for row in previous.contributions.all()
        ],
    )
