"""The export of interest requests (XLSX, CSV) for the mutuelle agents, with django-import-export.

Files a French office opens as they are: XLSX first; a CSV in the shape French Excel reads with
a double click (``;`` between the columns — a comma is the decimal separator in French —, UTF-8
with a BOM so that the accents survive, dates as 15/01/2026). French column headers, choice labels
rather than stored codes, dates in Paris time. Every cell
is text, and a value a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is prefixed with an apostrophe. django-import-export's own
escaping (``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT``) only drops one leading ``=``, which
leaves ``==1``, ``+1`` or ``@SUM(…)`` live in a CSV file opened in a spreadsheet.
"""

from import_export import fields, resources
from import_export.formats.base_formats import CSV

from core import dates

from .models import InterestRequest

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class FrenchExcelCSV(CSV):
    """CSV for French Excel: ``;`` between the columns (the admin adds the BOM: ``to_encoding``)."""

    DELIMITER = ";"
    ENCODING = "utf-8-sig"

    def export_data(self, dataset, **kwargs):
        return super().export_data(dataset, delimiter=self.DELIMITER, **kwargs)


def spreadsheet_text(value):
    """The value as a cell's text: empty for nothing, a would-be formula neutralised by an apostrophe."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return f"'{text}"
    return text


def local_datetime(value):
    return dates.short_datetime(value) if value else ""


def local_date(value):
    return dates.short_date(value) if value else ""


def user_name(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


DATETIME_FIELDS = {"created_at", "last_contact_at", "closed_at", "consent_at", "anonymised_at"}
USER_FIELDS = {"assigned_to", "created_by"}


def column(name, header):
    return fields.Field(attribute=name, column_name=header)


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
