from django import template
from django.template.defaultfilters import stringfilter

register = template.Library()


@register.filter(is_safe=True)
@stringfilter
def squash(value):
    """Collapse runs of white space and trim: for titles and meta tags filled from indented blocks."""
    return " ".join(value.split())
