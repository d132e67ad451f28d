"""Template filters of the agenda: ``{% load agenda %}``, then ``{{ event|when }}``…"""

from django import template

from core.templatetags.dates import unbreakable_hours as _unbreakable_hours
from events import formatting

register = template.Library()


@register.filter
def when(event):
    """« samedi 14 mars 2026, de 10 h à 12 h » (see events.formatting)."""
    return _unbreakable_hours(formatting.event_when(event))


@register.filter
def hours(event):
    """« de 10 h à 12 h », « toute la journée »: for a list already grouped by day."""
    return _unbreakable_hours(formatting.event_hours(event))


@register.filter
def unbreakable_hours(text):
    """« 11 h 30 » with non-breaking spaces, for a phrase built elsewhere."""
    return _unbreakable_hours(str(text))
