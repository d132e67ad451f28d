"""``{% load dates %}``: ``{{ value|french_date }}``, ``{{ value|french_day }}``, ``{{ value|french_time }}``,
``{{ value|french_datetime }}`` (core/dates.py), with non-breaking spaces inside « 11 h 30 »."""

import re

from django import template

from core import dates

register = template.Library()

# « 11 h 30 » must not break across lines: non-breaking spaces around the « h » on the page.
HOURS = re.compile(r"(\d) h(?: (\d\d))?")


def unbreakable_hours(text):
    return HOURS.sub(lambda match: f"{match[1]}\u00a0h" + (f"\u00a0{match[2]}" if match[2] else ""), str(text))


@register.filter
def french_date(value):
    """« samedi 14 mars 2026 » from a date or a datetime (read in Paris time)."""
    return dates.french_date(value) if value else ""


@register.filter
def french_day(value):
    """« 1er mars 2026 », without the day of the week."""
    return dates.french_date(value, weekday=False) if value else ""


@register.filter
def french_time(value):
    """« 10 h », « 10 h 30 »."""
    return unbreakable_hours(dates.french_time(value)) if value else ""


@register.filter
def french_datetime(value):
    """« 1er mars 2026 à 10 h 30 »."""
    return unbreakable_hours(dates.french_datetime(value)) if value else ""
