"""``{{ text|rich_text|glossary:request }}``: the first use of each glossary term on a page, marked and linked.

The page is the request: the terms already marked on it are kept on the request, so a term is
marked once per page whichever text it first appears in. The terms come from the shared cache
(or one query), their patterns compiled once per process, and the glossary page's address is
reversed by the URL name core gives it (core/glossary.py): every app's templates may load this
filter, and core knows no app.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from core.glossary import mark_terms, page_url, terms_for_marking

register = template.Library()


def _page_state(request):
    state = getattr(request, "_glossary", None)
    if state is None:
        state = {"terms": terms_for_marking(), "seen": set(), "url": page_url()}
        request._glossary = state
    return state


@register.filter(is_safe=True)
def glossary(value, request):
    """Mark the terms of ``value`` (safe HTML, or text that is escaped first) not yet marked on the page."""
    html = str(conditional_escape(value))
    if not html or request is None or request == "":
        return mark_safe(html)  # noqa: S308 — escaped above, or already safe
    state = _page_state(request)
    return mark_safe(mark_terms(html, state["terms"], state["seen"], state["url"]))  # noqa: S308
