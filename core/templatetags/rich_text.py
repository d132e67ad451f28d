"""``{{ text|rich_text }}`` and ``{{ text|plain_text }}``: the editors' texts in templates (core/rich_text.py)."""

from django import template
from django.template.defaultfilters import stringfilter
from django.utils.safestring import mark_safe

from core.rich_text import clean_html, plain_text

register = template.Library()


@register.filter(name="rich_text", is_safe=True)
@stringfilter
def rich_text_filter(value):
    """``{{ text|rich_text }}``: the editor's text as safe HTML paragraphs."""
    return mark_safe(clean_html(value))  # noqa: S308 — nh3's output, with only the allowed subset.


@register.filter(name="plain_text")
@stringfilter
def plain_text_filter(value):
    """``{{ text|plain_text }}``: the editor's text without markup (escaped by the template)."""
    return plain_text(value)
