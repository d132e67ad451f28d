import django_filters
from django import forms
from django.db.models import Q

from .enums import ActionStatus
from .models import Action, Audience, Axis, Neighbourhood, Theme


class AxisChoiceField(forms.ModelChoiceField):
    """An axis offered by its name, the words residents read: its number belongs to the contract."""

    def label_from_instance(self, obj):
        return obj.name


class AxisFilter(django_filters.ModelChoiceFilter):
    """The « Axe » filter of the public lists (/actions/, /agenda/): the axes by their names."""

    field_class = AxisChoiceField


class ActionFilter(django_filters.FilterSet):
    """The filters of /actions/: short French parameter names, values are slugs."""

    q = django_filters.CharFilter(
        label="Mots-clés",
        method="filter_search",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "ex. : dépistage, écrans, dentiste"}),
    )
    axe = AxisFilter(
        label="Axe", field_name="axis", to_field_name="slug", queryset=Axis.objects.all(), empty_label="Tous les axes"
    )
    theme = django_filters.ModelChoiceFilter(
        label="Thème",
        field_name="themes",
        to_field_name="slug",
        queryset=Theme.objects.all(),
        empty_label="Tous les thèmes",
    )
    public = django_filters.ModelChoiceFilter(
        label="Public",
        field_name="audiences",
        to_field_name="slug",
        queryset=Audience.objects.all(),
        empty_label="Tous les publics",
    )
    quartier = django_filters.ModelChoiceFilter(
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
