"""The export of interest requests (XLSX, CSV) for the mutuelle agents, with django-import-export.

The formats, the neutralised formulas and the French dates come from ``core.exports``.
"""

from import_export import resources

from core.exports import FrenchExcelCSV, column, local_date, local_datetime, spreadsheet_text, user_name

from .models import InterestRequest

__all__ = ["FrenchExcelCSV", "InterestRequestResource"]

DATETIME_FIELDS = {"created_at", "last_contact_at", "closed_at", "consent_at", "anonymised_at"}
USER_FIELDS = {"assigned_to", "created_by"}


class InterestRequestResource(resources.ModelResource):
    """Export only (the admin has no import), in the order of the declarations below."""

    reference = column("reference", "Référence")
    created_at = column("created_at", "Reçue le")
    source = column("source", "Origine")
    status = column("status", "Statut")
    assigned_to = column("assigned_to", "Agent chargé")
    last_contact_at = column("last_contact_at", "Dernier contact")
    closed_at = column("closed_at", "Clôturée le")
    last_name = column("last_name", "Nom")
    first_name = column("first_name", "Prénom")
    phone = column("phone", "Téléphone")
    email = column("email", "Adresse électronique")
    contact_method = column("contact_method", "Être contacté(e)")
    contact_time = column("contact_time", "Moment préféré")
    postal_code = column("postal_code", "Code postal")
    birth_date = column("birth_date", "Date de naissance")
    household_size = column("household_size", "Personnes du foyer")
    current_cover = column("current_cover", "Complémentaire santé actuelle")
    situation = column("situation", "Situation")
    message = column("message", "Message")
    consent_at = column("consent_at", "Accord donné le")
    created_by = column("created_by", "Saisie par")
    anonymised_at = column("anonymised_at", "Anonymisée le")

    class Meta:
        model = InterestRequest
        fields = [
            "reference",
            "created_at",
            "source",
            "status",
            "assigned_to",
            "last_contact_at",
            "closed_at",
            "last_name",
            "first_name",
            "phone",
            "email",
            "contact_method",
            "contact_time",
            "postal_code",
            "birth_date",
            "household_size",
            "current_cover",
            "situation",
            "message",
            "consent_at",
            "created_by",
            "anonymised_at",
        ]
        export_order = fields
        name = "Demandes d’information mutuelle"

    def get_queryset(self):
        return super().get_queryset().select_related("assigned_to", "created_by")

    def export_field(self, field, instance, **kwargs):
        name = self.get_field_name(field)
        value = getattr(instance, name)
        if name in DATETIME_FIELDS:
            value = local_datetime(value)
        elif name == "birth_date":
            value = local_date(value)
        elif name in USER_FIELDS:
            value = user_name(value)
        elif value and instance._meta.get_field(name).choices:
            value = getattr(instance, f"get_{name}_display")()
        return spreadsheet_text(value)
