import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from actions.filters import KeptNameChoiceFilter, NameChoiceFilter
from actions.models import EARLIEST_YEAR, Action, Audience, Axis, Neighbourhood, Theme

from .enums import AccessibilityNeed, Period
from .models import Event, Place
from .periods import period_days


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class EventFilterForm(forms.Form):
    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("du"), cleaned_data.get("au")
        if start and end and end < start:
            self.add_error("au", "La date de fin doit être postérieure ou égale à la date de début.")
        return cleaned_data


class EventFilter(django_filters.FilterSet):
    """The filters of /agenda/ and of the /agenda.ics feed (same parameters on both)."""

    q = django_filters.CharFilter(
        label="Mots-clés",
        method="filter_search",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    periode = django_filters.ChoiceFilter(
        label="Période", choices=Period.choices, method="filter_period", empty_label="À venir"
    )
    du = django_filters.DateFilter(label="Du", method="filter_from", widget=DateInput())
    au = django_filters.DateFilter(label="Au", method="filter_to", widget=DateInput())
    axe = KeptNameChoiceFilter(
        label="Axe",
        field_name="action__axis",
        to_field_name="slug",
        queryset=Axis.objects.all(),
        empty_label="Tous les axes",
    )
    theme = KeptNameChoiceFilter(
        label="Thème",
        field_name="action__themes",
        to_field_name="slug",
        queryset=Theme.objects.all(),
        empty_label="Tous les thèmes",
    )
    public = KeptNameChoiceFilter(
        label="Public",
        # The method filters; the field names the model field for the API's description (drf-spectacular).
        field_name="audiences",
        method="filter_audience",
        to_field_name="slug",
        queryset=Audience.objects.all(),
        empty_label="Tous les publics",
    )
    quartier = KeptNameChoiceFilter(
        label="Quartier",
        field_name="place__neighbourhood",
        to_field_name="slug",
        queryset=Neighbourhood.objects.all(),
        empty_label="Tous les quartiers",
    )
    lieu = NameChoiceFilter(
        label="Lieu",
        field_name="place",
        to_field_name="slug",
        # Called for each filter form: the publication rule depends on the time (publish_at / unpublish_at).
        queryset=lambda request: Place.objects.published(),
        empty_label="Tous les lieux",
    )
    accessibilite = django_filters.ChoiceFilter(
        label="Accessibilité du lieu",
        choices=AccessibilityNeed.choices,
        method="filter_accessibility",
        empty_label="Indifférent",
    )
    gratuit = django_filters.BooleanFilter(
        label="Gratuit uniquement",
        method="filter_free",
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )

    class Meta:
        model = Event
        form = EventFilterForm
        fields = ["q", "periode", "du", "au", "axe", "theme", "public", "quartier", "lieu", "accessibilite", "gratuit"]

    def __init__(self, data=None, *args, now=None, **kwargs):
        self.now = now or timezone.now()
        super().__init__(data, *args, **kwargs)

    @property
    def shows_past(self):
        return self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("periode") == Period.PAST

    @property
    def date_range(self):
        """(first day, last day) when both dates are given without a period: every event of those days."""
        if not (self.is_bound and self.form.is_valid()):
            return None
        data = self.form.cleaned_data
        if data.get("periode") or not (data.get("du") and data.get("au")):
            return None
        return data["du"], data["au"]

    @property
    def qs(self):
        """Upcoming events soonest first, or past events latest first when asked for.

        Between two given dates, every event of those days soonest first, finished or not: the month
        calendar's « + N autres » link shows all the events of its day, today and past days included.
        """
        queryset = super().qs
        if self.shows_past:
            return queryset.past(self.now)
        if self.date_range:
            return queryset.order_by("start", "pk")
        return queryset.upcoming(self.now)

    def filter_search(self, queryset, name, value):
        return queryset.search(value).order_by("start", "pk") if value.strip() else queryset

    @property
    def period_days(self):
        """(first day, day after the last) of the period asked for, or None."""
        if not (self.is_bound and self.form.is_valid()):
            return None
        return period_days(self.form.cleaned_data.get("periode"), self.today)

    @property
    def today(self):
        return timezone.localdate(self.now)

    def filter_period(self, queryset, name, value):
        return queryset.in_period(value, self.today)

    def filter_from(self, queryset, name, value):
        if value == datetime.date.min:
            return queryset  # « from 01/01/0001 »: its midnight in Paris is before year 1 in UTC
        start = datetime.datetime.combine(value, datetime.time(), tzinfo=timezone.get_current_timezone())
        return queryset.filter(end__gt=start)

    def filter_to(self, queryset, name, value):
        if value == datetime.date.max:
            return queryset  # « until 31/12/9999 »: no day after it to stop before
        end = datetime.datetime.combine(
            value + datetime.timedelta(days=1), datetime.time(), tzinfo=timezone.get_current_timezone()
        )
        return queryset.filter(start__lt=end)

    def filter_audience(self, queryset, name, value):
        # An event is for an audience when it says so, or when its action does.
        return queryset.filter(
            Q(pk__in=Event.objects.filter(audiences=value).values("pk"))
            | Q(action__in=Action.objects.filter(audiences=value).values("pk"))
        )

    def filter_accessibility(self, queryset, name, value):
        return queryset.filter(**{f"place__serves_{value}": True})

    def filter_free(self, queryset, name, value):
        return queryset.filter(is_free=True) if value else queryset


def results_years():
    """The years /resultats/ offers, the latest first: from the first CLS (2015) to this year."""
    return [(str(year), str(year)) for year in range(timezone.localdate().year, EARLIEST_YEAR - 1, -1)]


class ResultsFilter(django_filters.FilterSet):
    """The filters of /resultats/: a year (the events held that year) and an axis."""

    annee = django_filters.ChoiceFilter(
        label="Année",
        choices=results_years,
        method="filter_year",
        empty_label="Toutes les années",
    )
    axe = KeptNameChoiceFilter(
        label="Axe",
        field_name="action__axis",
        to_field_name="slug",
        queryset=Axis.objects.all(),
        empty_label="Tous les axes",
    )

    class Meta:
        model = Event
        fields = []

    def filter_year(self, queryset, name, value):
        return queryset.in_year(int(value))

    def chosen(self, name):
        """The value chosen for a filter, or None (none chosen, or not a valid one: then ignored).

        The year as a number."""
        if not self.is_bound:
            return None
        self.is_valid()
        value = self.form.cleaned_data.get(name)
        return int(value) if name == "annee" and value else value or None


class PlaceFilter(django_filters.FilterSet):
    """The filters of the places in the API: by quartier, by the accessibility of the place."""

    quartier = django_filters.ModelChoiceFilter(
        label="Quartier",
        field_name="neighbourhood",
        to_field_name="slug",
        queryset=Neighbourhood.objects.all(),
        empty_label="Tous les quartiers",
    )
    accessibilite = django_filters.ChoiceFilter(
        label="Accessibilité du lieu",
        choices=AccessibilityNeed.choices,
        method="filter_accessibility",
        empty_label="Indifférent",
    )

    class Meta:
        model = Place
        fields = ["quartier", "accessibilite"]

    def filter_accessibility(self, queryset, name, value):
        return queryset.filter(**{f"serves_{value}": True})
