"""``{{ text|rich_text|glossary:request }}``: the first use of each glossary term on a page, marked and linked.

The page is the request: the terms already marked on it are kept on the request, so a term is
marked once per page whichever text it first appears in. The terms are read once per request
(one query, only on pages that show an editor's text). The marking itself is core/glossary.py.
"""

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from core.glossary import GlossaryTerm, compile_terms, mark_terms

register = template.Library()


def _page_state(request):
    state = getattr(request, "_glossary", None)
    if state is None:
        state = {"terms": compile_terms(GlossaryTerm.objects.for_marking()), "seen": set()}
        request._glossary = state
    return state


@register.filter(is_safe=True)
def glossary(value, request):
    """Mark the terms of ``value`` (safe HTML, or text that is escaped first) not yet marked on the page."""
    html = str(conditional_escape(value))
    if not html or request is None or request == "":
        return mark_safe(html)  # noqa: S308 — escaped above, or already safe
    state = _page_state(request)
    return mark_safe(mark_terms(html, state["terms"], state["seen"], reverse("glossary")))  # noqa: S308
