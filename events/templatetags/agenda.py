"""Template filters of the agenda: ``{% load agenda %}``, then ``{{ event|when }}``…"""

import re

from django import template

from events import formatting

register = template.Library()

# « 11 h 30 » must not break across lines: non-breaking spaces around the « h » on the page.
HOURS = re.compile(r"(\d) h(?: (\d\d))?")


def _unbreakable_hours(text):
    return HOURS.sub(lambda match: f"{match[1]}\u00a0h" + (f"\u00a0{match[2]}" if match[2] else ""), text)


@register.filter
def when(event):
    """« samedi 14 mars 2026, de 10 h à 12 h » (see events.formatting)."""
    return _unbreakable_hours(formatting.event_when(event))


@register.filter
def hours(event):
    """« de 10 h à 12 h », « toute la journée »: for a list already grouped by day."""
    return _unbreakable_hours(formatting.event_hours(event))


@register.filter
def french_date(value):
    """« samedi 14 mars 2026 » from a date or a datetime (read in Paris time)."""
    return formatting.french_date(value) if value else ""


@register.filter
def french_time(value):
    """« 10 h », « 10 h 30 »."""
    return _unbreakable_hours(formatting.french_time(value)) if value else ""


@register.filter
def unbreakable_hours(text):
    """« 11 h 30 » with non-breaking spaces, for a phrase built elsewhere."""
    return _unbreakable_hours(str(text))


@register.filter
def tel(value):
    """A phone number for a ``tel:`` link: « 01 49 80 88 68 » → « 0149808868 »."""
    return "".join(char for char in str(value) if char.isdigit() or char == "+")
