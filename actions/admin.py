from django.contrib import admin
from django.db.models import Count
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from core.admin import (
    ContentHistoryAdmin,
    PreviewAdminMixin,
    PublicationChoiceMixin,
    PublishActionsMixin,
    SearchableAdminMixin,
    ViewOnSiteColumnMixin,
    plural_fr,
)
from core.charts import french_number

from .models import Action, Audience, Axis, Evaluation, Indicator, Milestone, Neighbourhood, Objective, Theme
from .views import ActionDetailView, AxisDetailView


class ActionCountMixin:
    """A « nombre d’actions » column, counted in the change list's own query."""

    def get_queryset(self, request):
        # An aggregate drops Meta.ordering: restore it (the autocomplete paginates this queryset).
        queryset = super().get_queryset(request).annotate(action_count=Count("actions"))
        return queryset.order_by(*self.model._meta.ordering)

    @admin.display(description="actions", ordering="action_count")
    def action_count(self, obj):
        return obj.action_count


@admin.register(Axis)
class AxisAdmin(ActionCountMixin, PreviewAdminMixin, ViewOnSiteColumnMixin, ContentHistoryAdmin):
    """The five axes come from a data migration: their texts can change, not their number or address."""

    list_display = ["number", "name", "action_count", "view_on_site_link"]
    list_display_links = ["name"]
    search_fields = ["name", "summary"]
    readonly_fields = ["number", "slug"]
    fields = ["number", "name", "slug", "summary", "description"]
    save_on_top = True
    preview_view_class = AxisDetailView

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Objective)
class ObjectiveAdmin(ContentHistoryAdmin):
    list_display = ["number", "text"]
    list_display_links = ["text"]
    search_fields = ["text"]


class TaxonomyAdmin(ActionCountMixin, ContentHistoryAdmin):
    list_display = ["name", "slug", "action_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Theme)
class ThemeAdmin(TaxonomyAdmin):
    pass


@admin.register(Audience)
class AudienceAdmin(TaxonomyAdmin):
    pass


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(TaxonomyAdmin):
    fields = ["name", "slug", "description"]


# The action's results, kept on its page ------------------------------------------------------


class ResultsInlineFormSet(BaseInlineFormSet):
    """An action form posted without a results block (an old tab, a script) leaves those rows alone.

    Django would refuse the whole form for a missing management form; here the missing block
    counts as « nothing edited there », which is what the sender meant.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and self.add_prefix(TOTAL_FORM_COUNT) not in self.data:
            data = self.data.copy()
            data[self.add_prefix(TOTAL_FORM_COUNT)] = data[self.add_prefix(INITIAL_FORM_COUNT)] = "0"
            self.data = data


class IndicatorInline(admin.StackedInline):
    model = Indicator
    formset = ResultsInlineFormSet
    extra = 0
    fieldsets = [
        (None, {"fields": ["name", ("unit", "direction"), "order"]}),
        (
            "Valeurs",
            {
                "fields": [
                    ("baseline_value", "baseline_date"),
                    ("target_value", "target_date"),
                    ("latest_value", "latest_date"),
                    "source",
                    "past_values",
                ],
                "description": "Chaque chiffre avec sa date. Quand un nouveau chiffre arrive, remplacez la "
                "dernière valeur : les précédentes restent dans l’historique de l’indicateur.",
            },
        ),
    ]
    verbose_name_plural = "indicateurs (ce que l’on mesure, du point de départ vers la cible)"
    readonly_fields = ["past_values"]

    def get_formset(self, request, obj=None, **kwargs):
        # Every indicator's past values in one query, for the « valeurs successives » of each.
        self._histories = obj.indicators.value_histories() if obj is not None and obj.pk else {}
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description="valeurs successives (historique)")
    def past_values(self, obj):
        values = getattr(self, "_histories", {}).get(obj.pk) if obj and obj.pk else None
        if not values:
            return "—"
        rows = (
            (french_number(value), f"{date:%d/%m/%Y}", f" ({source})" if source else "")
            for value, date, source in values
        )
        return format_html_join(mark_safe("<br>"), "{} au {}{}", rows)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    formset = ResultsInlineFormSet
    fields = ["what", "planned_date", "done_date"]
    extra = 0
    verbose_name_plural = "étapes (prévues, et franchies quand la date « réalisée le » est remplie)"


class EvaluationInline(admin.StackedInline):
    model = Evaluation
    formset = ResultsInlineFormSet
    fields = ["year", "text"]
    extra = 0
    verbose_name_plural = "bilans annuels (un par année, le plus récent d’abord)"


@admin.register(Action)
class ActionAdmin(
    PublicationChoiceMixin,
    PreviewAdminMixin,
    SearchableAdminMixin,
    PublishActionsMixin,
    ViewOnSiteColumnMixin,
    ContentHistoryAdmin,
):
    list_display = [
        "title",
        "axis",
        "kind",
        "status",
        "progress",
        "publication_state",
        "featured",
        "updated_at",
        "view_on_site_link",
    ]
    list_select_related = ["axis"]
    list_filter = [
        "axis",
        "kind",
        "status",
        "progress",
        "published",
        "featured",
        "themes",
        "audiences",
        "neighbourhoods",
    ]
    search_fields = ["title", "slug", "summary", "lead_partner__name", "lead_partner__acronym"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["axis", "lead_partner", "partners", "themes", "audiences", "neighbourhoods"]
    readonly_fields = ["created_at", "updated_at", "withdrawal_warning"]
    save_on_top = True
    preview_view_class = ActionDetailView
    inlines = [IndicatorInline, MilestoneInline, EvaluationInline]
    fieldsets = [
        ("Présentation", {"fields": ["title", "slug", "axis", "summary", "body", "how_to_join"]}),
        (
            "Type et calendrier",
            {
                "fields": ["kind", "campaign_month", "status", "start_date", "end_date"],
                "description": "Le mois se renseigne pour une campagne annuelle, et seulement pour elle.",
            },
        ),
        ("Pour qui, où", {"fields": ["themes", "audiences", "neighbourhoods"]}),
        (
            "Avancement",
            {
                "fields": ["progress"],
                "description": "Les indicateurs, les étapes et les bilans annuels se saisissent en bas de la page.",
            },
        ),
        ("Partenaires", {"fields": ["lead_partner", "partners"]}),
        ("Contact", {"fields": ["contact_name", "contact_phone", "contact_email"]}),
        ("Image", {"fields": ["image", "image_alt"], "classes": ["collapse"]}),
        (
            "Publication",
            {"fields": ["published", "publish_at", "unpublish_at", "featured", "created_at", "updated_at"]},
        ),
    ]
    published_messages = ("{count} action publiée sur le site.", "{count} actions publiées sur le site.")
    unpublished_messages = ("{count} action retirée du site.", "{count} actions retirées du site.")

    def get_fieldsets(self, request, obj=None):
        """The warning about the events comes just before the choice, when there is something to warn about."""
        fieldsets = super().get_fieldsets(request, obj)
        if not self.withdrawal_warning(obj):
            return fieldsets
        return [
            (name, {**options, "fields": ["withdrawal_warning", *options["fields"]]})
            if name == "Publication"
            else (name, options)
            for name, options in fieldsets
        ]

    @admin.display(description="si vous la retirez du site")
    def withdrawal_warning(self, obj):
        """« Ses 3 rendez-vous à venir ne seront plus visibles » for a live action with upcoming events."""
        if obj is None or obj.pk is None or not obj.is_public:
            return ""
        if not hasattr(obj, "_upcoming_public_events"):
            obj._upcoming_public_events = obj.upcoming_events_shown_with_it().count()
        count = obj._upcoming_public_events
        if not count:
            return ""
        return plural_fr(
            count,
            "Son rendez-vous à venir ne sera plus visible sur le site.",
            "Ses {count} rendez-vous à venir ne seront plus visibles sur le site.",
        )

    # The extension point of the apps above: actions imports none of them (partners ← actions ←
    # events), so the agenda adds the action's events with add_inline(), in its own admin.py, and
    # they are read at each request whatever the order in which the admins were loaded.
    extra_inlines = []

    @classmethod
    def add_inline(cls, inline):
        """Show ``inline`` on the action's page, after the action's own inlines."""
        if inline not in cls.extra_inlines:
            cls.extra_inlines.append(inline)

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), *self.extra_inlines]
