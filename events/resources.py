"""The export of an event's registrations (XLSX, CSV for French Excel) for the team running the events.

The same formats, neutralised formulas and French dates as every staff export (``core.exports``).
"""

from import_export import fields, resources

from core.exports import column, local_datetime, spreadsheet_text

from .enums import RegistrationNeed, RegistrationStatus
from .models import Registration


class RegistrationResource(resources.ModelResource):
    """Export only, in the order of the declarations below; the waiting list's rank computed in order."""

    reference = column("reference", "Référence")
    last_name = column("last_name", "Nom")
    first_name = column("first_name", "Prénom")
    phone = column("phone", "Téléphone")
    email = column("email", "Adresse électronique")
    places = column("places", "Places")
    status = column("status", "Statut")
    waiting_rank = fields.Field(column_name="Rang en liste d’attente")
    needs_fauteuil = column("needs_fauteuil", RegistrationNeed.WHEELCHAIR.label)
    needs_lsf = column("needs_lsf", RegistrationNeed.SIGN_LANGUAGE.label)
    needs_accompagnant = column("needs_accompagnant", RegistrationNeed.CARER.label)
    places_attended = column("places_attended", "Personnes venues")
    source = column("source", "Origine")
    created_at = column("created_at", "Reçue le")

    class Meta:
        model = Registration
        fields = [
            "reference",
            "last_name",
            "first_name",
            "phone",
            "email",
            "places",
            "status",
            "waiting_rank",
            "needs_fauteuil",
            "needs_lsf",
            "needs_accompagnant",
            "places_attended",
            "source",
            "created_at",
        ]
        export_order = fields
        name = "Inscriptions à un événement"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._ranks = {}

    def before_export(self, queryset, **kwargs):
        """The rank of each waiting registration, by order of arrival (the queryset is in that order)."""
        waiting = [registration.pk for registration in queryset if registration.status == RegistrationStatus.WAITING]
        self._ranks = {pk: rank for rank, pk in enumerate(waiting, start=1)}

    def export_field(self, field, instance, **kwargs):
        name = self.get_field_name(field)
        if name == "waiting_rank":
            return str(self._ranks.get(instance.pk, ""))
        value = getattr(instance, name)
        if name == "created_at":
            value = local_datetime(value)
        elif isinstance(value, bool):
            value = "oui" if value else ""
        elif value and instance._meta.get_field(name).choices:
            value = getattr(instance, f"get_{name}_display")()
        return spreadsheet_text(value)
