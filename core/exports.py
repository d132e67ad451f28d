"""Spreadsheet exports for the staff, with django-import-export: the pieces every app's resources share.

Files a French office opens as they are: XLSX first; a CSV in the shape French Excel reads with
a double click (``;`` between the columns — a comma is the decimal separator in French —, UTF-8
with a BOM so that the accents survive, dates as 15/01/2026). French column headers, choice labels
rather than stored codes, dates in Paris time. Every cell is text, and a value a spreadsheet would
read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
prefixed with an apostrophe. django-import-export's own escaping
(``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT``) only drops one leading ``=``, which leaves ``==1``,
``+1`` or ``@SUM(…)`` live in a CSV file opened in a spreadsheet.
"""

from django.http import HttpResponse
from import_export import fields
from import_export.formats.base_formats import CSV, XLSX

from core import dates

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class FrenchExcelCSV(CSV):
    """CSV for French Excel: ``;`` between the columns (the BOM comes with the encoding, ``utf-8-sig``)."""

    DELIMITER = ";"
    ENCODING = "utf-8-sig"

    def export_data(self, dataset, **kwargs):
        return super().export_data(dataset, delimiter=self.DELIMITER, **kwargs)


# The formats a staff export offers, by the extension in its address.
EXPORT_FORMATS = {"xlsx": XLSX, "csv": FrenchExcelCSV}


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


def column(name, header):
    return fields.Field(attribute=name, column_name=header)


def export_response(dataset, extension, filename):
    """An attachment holding ``dataset`` in the format of ``extension`` (a key of ``EXPORT_FORMATS``)."""
    file_format = EXPORT_FORMATS[extension]()
    data = file_format.export_data(dataset)
    if not file_format.is_binary():
        data = data.encode(getattr(file_format, "ENCODING", "utf-8"))
    response = HttpResponse(data, content_type=file_format.get_content_type())
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format.get_extension()}"'
    return response
