"""Back-office of the public side of the mutuelle: the offer, its formulas and prices, the CSS scales.

These are content, edited by the « Rédaction » group (permissions from migration 0002) and kept
by the « Mutuelle » group too, who own the reference data (scales, formulas, prices: 0009). Django
has no nested inlines: the offer lists its formulas, and each formula is edited on its own
page with its prices by age band. A scale is edited with its ceilings and contributions.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Case, Count, Max, Min, Q, Subquery, Value, When
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone

from core.admin import ContentHistoryAdmin, PublishActionsMixin, ViewOnSiteColumnMixin, date_column
from core.dates import french_date

from ..models import CssCeiling, CssContribution, CssScale, Formula, FormulaPrice, Offer
from ..services.scales import scale_copy_previous

PRICES_WARNING = (
    "Les formules et les tarifs doivent être vérifiés auprès de l’assureur avant d’être présentés comme sûrs. "
    "Tant que « tarifs vérifiés le » est vide, le site les affiche comme des tarifs indicatifs, « à confirmer "
    "avec un conseiller ». Après vérification, indiquez la date ; à chaque changement de tarif, revérifiez-les."
)

SCALE_WARNING = (
    "Les plafonds de la complémentaire santé solidaire changent chaque 1er avril. Ce jour-là, ajoutez un "
    "nouveau barème avec sa date d’entrée en vigueur, plutôt que de modifier l’ancien : le site utilise "
    "automatiquement le barème le plus récent déjà en vigueur. Recopiez les montants de service-public.fr "
    "ou d’ameli.fr (France métropolitaine) et indiquez la source. La dernière ligne des plafonds vaut aussi "
    "pour les foyers plus grands, avec le montant « par personne en plus »."
)


class AgeBandFormSet(forms.BaseInlineFormSet):
    """Age bands of one formula (or one scale) must not overlap: a given age has a single amount.

    Prices carry the day they apply from: the bands are checked as the site will show them on
    each of those days (for each band, its latest price started by then, as
    ``FormulaPrice.objects.in_force``).
    """

    def clean(self):
        super().clean()
        rows = []
        for form in self.forms:
            if not form.is_valid() or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            age_min, age_max = form.cleaned_data.get("age_min"), form.cleaned_data.get("age_max")
            if age_min is None:
                continue
            rows.append((form.cleaned_data.get("valid_from"), age_min, age_max))
        if not any(valid_from for valid_from, _, _ in rows):  # the contributions of a scale: no dates
            self._check_no_overlap([(age_min, age_max) for _, age_min, age_max in rows], None)
            return
        for day in sorted({valid_from for valid_from, _, _ in rows}):
            in_force = {}
            for valid_from, age_min, age_max in sorted(rows, key=lambda row: row[0]):
                if valid_from <= day:
                    in_force[age_min] = age_max  # a later start replaces the band's earlier price
            self._check_no_overlap(in_force.items(), day)

    @staticmethod
    def _check_no_overlap(bands, day):
        bands = sorted((age_min, float("inf") if age_max is None else age_max) for age_min, age_max in bands)
        for (_, previous_max), (next_min, _) in zip(bands, bands[1:], strict=False):
            if next_min <= previous_max:
                on = f" au {french_date(day, weekday=False)}" if day else ""
                raise forms.ValidationError(
                    f"Deux tranches d’âge se chevauchent{on} : un même âge doit avoir un seul montant."
                )


class FormulaInline(admin.TabularInline):
    model = Formula
    fields = ["order", "name", "description"]
    extra = 0
    show_change_link = True
    verbose_name_plural = "formules (les tarifs se saisissent sur la page de chaque formule)"


@admin.register(Offer)
class OfferAdmin(PublishActionsMixin, ViewOnSiteColumnMixin, ContentHistoryAdmin):
    list_display = [
        "name",
        "insurer",
        "published",
        date_column("prices_checked_on", "tarifs vérifiés le"),
        "formula_count",
        "updated_at",
    ]
    list_select_related = ["insurer"]
    list_filter = ["published"]
    search_fields = ["name", "summary"]
    autocomplete_fields = ["insurer"]
    readonly_fields = ["updated_at"]
    inlines = [FormulaInline]
    save_on_top = True
    fieldsets = [
        (
            "Présentation sur la page « Mutuelle communale »",
            {
                "fields": ["name", "insurer", "summary", "who_can_join", "coverage", "how_to_join"],
                "description": "Le site affiche une seule offre : la plus récemment modifiée parmi les offres "
                "publiées.",
            },
        ),
        ("Tarifs", {"fields": ["prices_note", "prices_checked_on"], "description": PRICES_WARNING}),
        ("Publication", {"fields": ["published", "updated_at"]}),
    ]
    published_messages = ("{count} offre publiée sur le site.", "{count} offres publiées sur le site.")
    unpublished_messages = ("{count} offre retirée du site.", "{count} offres retirées du site.")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(formula_count=Count("formulas"))

    @admin.display(description="formules", ordering="formula_count")
    def formula_count(self, obj):
        return obj.formula_count


class FormulaPriceInline(admin.TabularInline):
    model = FormulaPrice
    formset = AgeBandFormSet
    fields = ["valid_from", "age_min", "age_max", "monthly_price"]
    formfield_overrides = {models.DecimalField: {"localize": True}}  # « 24,50 » as editors write it
    extra = 0
    verbose_name_plural = (
        "tarifs (pour préparer une hausse, ajoutez une ligne par tranche d’âge avec le jour où elle s’applique ; "
        "l’ancien tarif reste affiché jusque-là)"
    )


@admin.register(Formula)
class FormulaAdmin(ContentHistoryAdmin):
    list_display = ["name", "offer", "order", "price_count", "price_range"]
    list_display_links = ["name"]
    list_select_related = ["offer"]
    list_filter = ["offer"]
    search_fields = ["name", "description", "offer__name"]
    inlines = [FormulaPriceInline]
    fieldsets = [(None, {"fields": ["offer", "name", "order", "description"], "description": PRICES_WARNING})]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                price_count=Count("prices"),
                price_min=Min("prices__monthly_price"),
                price_max=Max("prices__monthly_price"),
            )
        )

    @admin.display(description="tranches d’âge", ordering="price_count")
    def price_count(self, obj):
        return obj.price_count

    @admin.display(description="tarifs mensuels")
    def price_range(self, obj):
        if obj.price_min is None:
            return "—"
        if obj.price_min == obj.price_max:
            return f"{floatformat(obj.price_min, -2)} €"
        return f"de {floatformat(obj.price_min, -2)} à {floatformat(obj.price_max, -2)} €"


# The add form of a scale started from the previous one (« Copier le barème précédent »).
COPY_PARAMETER = "copie"


def scale_copy_for(request):
    """The copy of the previous scale this add page shows (computed once per request), or None."""
    if COPY_PARAMETER not in request.GET:
        return None
    if not hasattr(request, "_cls_scale_copy"):
        request._cls_scale_copy = scale_copy_previous(today=timezone.localdate())
    return request._cls_scale_copy


class CopiedRowsInline(admin.TabularInline):
    """An inline whose rows start from the copied scale's (``copied_rows``) on the add page."""

    copied_rows = None  # the attribute of ScaleCopy holding this inline's rows

    def copied(self, request, obj):
        # The add page: ``obj`` is None, or the unsaved scale of the form (formsets' kwargs).
        copy = scale_copy_for(request) if obj is None or obj.pk is None else None
        return getattr(copy, self.copied_rows) if copy else []

    def get_extra(self, request, obj=None, **kwargs):
        return len(self.copied(request, obj)) or self.extra


class CssCeilingInline(CopiedRowsInline):
    model = CssCeiling
    fields = ["household_size", "free_ceiling", "contribution_ceiling"]
    extra = 0
    copied_rows = "ceilings"


class CssContributionInline(CopiedRowsInline):
    model = CssContribution
    formset = AgeBandFormSet
    fields = ["age_min", "age_max", "monthly_amount"]
    formfield_overrides = {models.DecimalField: {"localize": True}}
    extra = 0
    verbose_name_plural = "participations mensuelles par âge au 1er janvier"
    copied_rows = "contributions"


@admin.register(CssScale)
class CssScaleAdmin(ContentHistoryAdmin):
    list_display = [date_column("valid_from", "en vigueur à partir du"), "in_force", "source", "ceiling_count"]
    search_fields = ["source"]
    date_hierarchy = "valid_from"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [CssCeilingInline, CssContributionInline]
    save_on_top = True
    fieldsets = [
        ("Barème", {"fields": ["valid_from", "source", "source_url"], "description": SCALE_WARNING}),
        (
            "Foyers plus grands que la dernière ligne des plafonds",
            {"fields": ["free_extra_person", "contribution_extra_person"]},
        ),
    ]

    def get_queryset(self, request):
        latest_started = CssScale.objects.in_force(timezone.localdate()).values("pk")[:1]
        return (
            super()
            .get_queryset(request)
            .annotate(
                ceiling_count=Count("ceilings"),
                is_in_force=Case(When(Q(pk=Subquery(latest_started)), then=Value(True)), default=Value(False)),
            )
        )

    def changelist_view(self, request, extra_context=None):
        # The same rule as the public orientation (CssScale.objects.current_status).
        status = CssScale.objects.current_status()
        if status.is_outdated and request.method == "GET":
            self.message_user(
                request,
                f"Le barème du {french_date(status.update_due, weekday=False)} n’est pas encore saisi : le site "
                f"utilise celui du {french_date(status.scale.valid_from, weekday=False)} et prévient les habitants "
                "que la réponse peut être un peu décalée. Ajoutez le nouveau barème dès que l’arrêté est publié "
                "(« Copier le barème précédent » le prépare, montants à vérifier).",
                messages.WARNING,
            )
        extra_context = extra_context or {}
        if self.has_add_permission(request) and (status.scale is not None or CssScale.objects.exists()):
            extra_context["scale_copy_url"] = f"{reverse('admin:mutuelle_cssscale_add')}?{COPY_PARAMETER}=1"
        return super().changelist_view(request, extra_context)

    # « Copier le barème précédent »: the add form filled from the last scale, nothing saved yet.

    def get_changeform_initial_data(self, request):
        copy = scale_copy_for(request)
        return copy.fields if copy else super().get_changeform_initial_data(request)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # Only to show the form: on a POST, initial values would make unchanged rows look empty.
        if request.method == "GET" and isinstance(inline, CopiedRowsInline):
            kwargs["initial"] = inline.copied(request, obj)
        return kwargs

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        copy = scale_copy_for(request) if add else None
        if copy is not None:
            previous = french_date(copy.previous.valid_from, weekday=False)
            self.message_user(
                request,
                f"Copie du barème du {previous}, à vérifier — rien n’est enregistré. Les montants ci-dessous "
                f"sont ceux de l’ancien barème : remplacez chacun par celui du texte officiel applicable au "
                f"{french_date(copy.valid_from, weekday=False)} (service-public.fr ou ameli.fr), indiquez la "
                f"source, puis enregistrez. D’ici là, le site continue d’utiliser le barème du {previous}.",
                messages.WARNING,
            )
        elif add and COPY_PARAMETER in request.GET:
            self.message_user(request, "Aucun barème à copier : saisissez le premier barème.", messages.INFO)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    @admin.display(description="en vigueur aujourd’hui", boolean=True, ordering="is_in_force")
    def in_force(self, obj):
        return obj.is_in_force

    @admin.display(description="tailles de foyer", ordering="ceiling_count")
    def ceiling_count(self, obj):
        return obj.ceiling_count
