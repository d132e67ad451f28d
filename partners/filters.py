import django_filters

from .enums import PartnerKind
from .models import Partner


class PartnerFilter(django_filters.FilterSet):
    """The filters of the partners in the API: signatories or not, by kind."""

    signataire = django_filters.BooleanFilter(label="Signataire du CLS", field_name="is_signatory")
    type = django_filters.ChoiceFilter(label="Type", field_name="kind", choices=PartnerKind.choices)

    class Meta:
        model = Partner
        fields = ["signataire", "type"]
