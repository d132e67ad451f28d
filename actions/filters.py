import django_filters
from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator

from core import forms as core_forms
from core.cache import content_model_sections, kept_for_generation

from .enums import ActionStatus
from .models import Action, Audience, Axis, Neighbourhood, Theme


class NameChoiceIterator(ModelChoiceIterator):
    """The options as (value, name) pairs read with ``values_list``: no model instance for each of
    hundreds of places (a tenth of the agenda's time at 500 places)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.field.name_choices()


class NameChoiceField(django_filters.fields.ModelChoiceField):
    iterator = NameChoiceIterator
    widget = core_forms.Select  # its HTML kept by its options and value

    def name_choices(self):
        return list(self.queryset.values_list(self.to_field_name, "name"))

    def label_from_instance(self, obj):
        return obj.name  # as the options name it (the feed's name says what it is filtered on)


class KeptNameChoiceField(NameChoiceField):
    """The options of a short list that changes only with its model's section of content (the axes,
    themes, audiences and quartiers): kept in the worker while that section does not change
    (``core.cache.kept_for_generation``), no query. The value chosen is still looked up in the
    database (``to_python``)."""

    def name_choices(self):
        model = self.queryset.model
        return kept_for_generation(
            f"filter-choices.{model._meta.label_lower}.{self.to_field_name}",
            super().name_choices,
            section=content_model_sections()[model],
        )


class NameChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of rows offered by their names (their ``name`` column), chosen by ``to_field_name``."""

    field_class = NameChoiceField


class KeptNameChoiceFilter(django_filters.ModelChoiceFilter):
    """The same for a short list of every row of a model (``KeptNameChoiceField``)."""

    field_class = KeptNameChoiceField


class ActionFilter(django_filters.FilterSet):
    """The filters of /actions/: short French parameter names, values are slugs."""

    q = django_filters.CharFilter(
        label="Mots-clés",
        method="filter_search",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "ex. : dépistage, écrans, dentiste"}),
    )
    # Offered by their names (an axis's number belongs to the contract, not to residents' words),
    # the lists kept while the « actions » section does not change.
    axe = KeptNameChoiceFilter(
        label="Axe", field_name="axis", to_field_name="slug", queryset=Axis.objects.all(), empty_label="Tous les axes"
    )
    theme = KeptNameChoiceFilter(
        label="Thème",
        field_name="themes",
        to_field_name="slug",
        queryset=Theme.objects.all(),
        empty_label="Tous les thèmes",
    )
    public = KeptNameChoiceFilter(
        label="Public",
        field_name="audiences",
        to_field_name="slug",
        queryset=Audience.objects.all(),
        empty_label="Tous les publics",
    )
    quartier = KeptNameChoiceFilter(
        label="Quartier",
        # The method filters; the field names the model field for the API's description (drf-spectacular).
        field_name="neighbourhoods",
        method="filter_neighbourhood",
        to_field_name="slug",
        queryset=Neighbourhood.objects.all(),
        empty_label="Tous les quartiers",
    )
    statut = django_filters.ChoiceFilter(
        label="Statut", field_name="status", choices=ActionStatus.choices, empty_label="Tous les statuts"
    )

    class Meta:
        model = Action
        fields = ["q", "axe", "theme", "public", "quartier", "statut"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset

    def filter_neighbourhood(self, queryset, name, value):
        # An action with no neighbourhood concerns the whole city, so it is shown too.
        return queryset.filter(Q(neighbourhoods=value) | Q(neighbourhoods__isnull=True))
