"""The right of access: a person's data as the pages and files that give it to them show it.

Keys are the fields' French names, choices their labels, people by their name, dates in Paris time:
ISO 8601 for a file (JSON), or as French readers write them (« 15/01/2026 à 09:30 ») for a page.
"""

import datetime

from django.utils import timezone

from core import dates


def field_value(obj, field, *, french=False):
    """The value of ``field`` on ``obj`` as the person reads it; None for nothing."""
    value = getattr(obj, field.attname)
    if value in (None, ""):
        return None
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    if field.is_relation:
        related = getattr(obj, field.name)
        if related is None:
            return None
        if hasattr(related, "get_full_name"):  # a member of staff
            return related.get_full_name() or related.get_username()
        return str(related)
    if isinstance(value, bool):
        return ("oui" if value else "non") if french else value
    if isinstance(value, datetime.datetime):
        return dates.short_datetime(value, separator=" à ") if french else timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date) and french:
        return dates.short_date(value)
    if hasattr(value, "as_e164"):
        return str(value)  # a phone number as the person wrote it: « 06 12 34 56 78 »
    return value


def as_dict(obj, fields, *, french=False):
    """``{French name: value}`` of ``fields`` on ``obj``."""
    return {str(field.verbose_name): field_value(obj, field, french=french) for field in fields}
