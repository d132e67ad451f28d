"""``{{ opts|noun:"un" }}``: a model's name with its article, for the admin templates (staff/wording.py)."""

from django import template

from staff.wording import Noun

register = template.Library()

FORMS = {"un", "d_un", "le", "du", "les", "des"}


@register.filter
def noun(opts, form):
    """« une action » (``un``), « l’action » (``le``), « de l’action » (``du``)… of a model's ``_meta``."""
    if form not in FORMS:
        raise template.TemplateSyntaxError(f"noun: forme inconnue {form!r} ({', '.join(sorted(FORMS))})")
    return getattr(Noun.of(opts), form)
