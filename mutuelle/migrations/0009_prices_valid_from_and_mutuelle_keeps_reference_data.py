"""Prices carry the day they apply from; the « Mutuelle » group keeps the mutuelle's reference data.

The existing prices get the earliest day the data itself says they were valid (no date is
invented): the day the price was first recorded in the portal (its oldest version) or the
offer's « tarifs vérifiés le », whichever is earlier. A price with neither (no version, no
check date) gets the day its offer was last modified: the only date the data holds. All these
days are past, so the site shows exactly the same prices after this migration as before it.
The versions of a price get the date of their price, or for a deleted price the day of the version.

The permissions are granted here, by the app that owns the models (staff/groups.py: « each app
grants its own models' permissions to these groups in its migrations »), as 0002 did for
« Rédaction »: a migration of ``staff`` cannot depend on ``mutuelle``, which sits above it.
"""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import Min
from django.utils import timezone

from core.migration_helpers import grant_group_permissions


def date_existing_prices(apps, schema_editor):
    FormulaPrice = apps.get_model("mutuelle", "FormulaPrice")
    HistoricalFormulaPrice = apps.get_model("mutuelle", "HistoricalFormulaPrice")
    first_recorded = dict(
        HistoricalFormulaPrice.objects.values("id").annotate(first=Min("history_date")).values_list("id", "first")
    )
    dates = {}
    for price in FormulaPrice.objects.select_related("formula__offer"):
        offer = price.formula.offer
        candidates = [offer.prices_checked_on]
        if price.pk in first_recorded:
            candidates.append(timezone.localdate(first_recorded[price.pk]))
        candidates = [day for day in candidates if day is not None]
        dates[price.pk] = min(candidates) if candidates else timezone.localdate(offer.updated_at)
        FormulaPrice.objects.filter(pk=price.pk).update(valid_from=dates[price.pk])
    for version in HistoricalFormulaPrice.objects.only("history_id", "id", "history_date"):
        valid_from = dates.get(version.id) or timezone.localdate(version.history_date)
        HistoricalFormulaPrice.objects.filter(history_id=version.history_id).update(valid_from=valid_from)


class Migration(migrations.Migration):
    dependencies = [
        ("mutuelle", "0008_french_names_of_versions_and_page_addresses"),
        ("staff", "0001_groups"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="formulaprice",
            options={
                "ordering": ["formula", "valid_from", "age_min"],
                "verbose_name": "tarif",
                "verbose_name_plural": "tarifs",
            },
        ),
        migrations.RemoveConstraint(
            model_name="formulaprice",
            name="formula_price_unique_band",
        ),
        migrations.AddField(
            model_name="formulaprice",
            name="valid_from",
            field=models.DateField(
                default=django.utils.timezone.localdate,
                help_text="Le site affiche ce tarif à partir de ce jour ; jusque-là, le tarif précédent de la même tranche d’âge reste affiché.",
                verbose_name="en vigueur à partir du",
            ),
        ),
        migrations.AddField(
            model_name="historicalformulaprice",
            name="valid_from",
            field=models.DateField(
                default=django.utils.timezone.localdate,
                help_text="Le site affiche ce tarif à partir de ce jour ; jusque-là, le tarif précédent de la même tranche d’âge reste affiché.",
                verbose_name="en vigueur à partir du",
            ),
        ),
        migrations.AddConstraint(
            model_name="formulaprice",
            constraint=models.UniqueConstraint(
                fields=("formula", "age_min", "valid_from"),
                name="formula_price_unique_band_per_date",
                violation_error_message="Cette tranche d’âge a déjà un tarif à cette date pour cette formule.",
            ),
        ),
        migrations.RunPython(date_existing_prices, migrations.RunPython.noop),
        # The mutuelle team keeps its reference data: the CSS scales, the formulas and their prices
        # (and may open the offer they belong to). « Rédaction » keeps its rights (0002).
        grant_group_permissions(
            "Mutuelle", "mutuelle", ["formula", "formulaprice", "cssscale", "cssceiling", "csscontribution"]
        ),
    ]
