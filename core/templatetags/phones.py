"""``{% load phones %}``: ``<a href="tel:{{ number|tel }}">`` (see core.phones)."""

from django import template

from core.phones import tel_uri

register = template.Library()


@register.filter
def tel(value):
    """A phone number for a ``tel:`` link: « 01 49 80 88 68 » → « +33149808868 »."""
    return tel_uri(value)
