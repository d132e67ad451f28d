"""The glossary: the acronyms and words residents meet on the portal (``/glossaire/``).

``GlossaryTerm`` is edited by the « Rédaction » group in the admin. A term with a full form (an
acronym: CSS, Cami, CCAS…) is also marked in the editors' texts: its first use on a page becomes
``<a href="/glossaire/#css"><abbr title="complémentaire santé solidaire">CSS</abbr></a>``
(:func:`mark_terms`, wrapped by the ``glossary`` template filter, core/templatetags/glossary.py).
A word without a full form is only listed on the glossary page.

The glossary page itself belongs to the project, which serves it under the URL name
:data:`PAGE_URL_NAME` (creteil_cls/urls.py imports it from here): core reverses it without
knowing the project.

The terms to mark are read from the shared ``pages`` cache (no query once cached, in every worker
and instance, like the site's settings), and their patterns are compiled once per process
(:func:`terms_for_marking`). A save or a delete of a term forgets the cached terms at once and
again after the commit.
"""

import functools
import logging
import re
import unicodedata
from typing import NamedTuple

from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import escape

from core.cache import CACHE_ERRORS
from core.history import FrenchHistoricalRecords as HistoricalRecords
from core.rich_text_fields import RichTextField

VARIANT_SEPARATOR = ","
# The URL name of the glossary page (``/glossaire/``), given to it by the project's URLconf.
PAGE_URL_NAME = "glossary"
CACHE_ALIAS = "pages"
CACHE_KEY = "glossary-terms"
# A safety net: terms cached by a request that read them just before a save live at most this long.
CACHE_SECONDS = 300

logger = logging.getLogger(__name__)


def page_url():
    """The glossary page's address (``/glossaire/``)."""
    return reverse(PAGE_URL_NAME)


class GlossaryTermQuerySet(models.QuerySet):
    def for_marking(self):
        """The terms that are marked in texts: those with a full form (only the fields it needs)."""
        return self.exclude(expansion="").only("term", "slug", "expansion", "variants")


class GlossaryTerm(models.Model):
    grammatical_gender = "m"
    term = models.CharField(
        "terme", max_length=100, unique=True, help_text="Tel qu’il s’écrit dans les textes : CSS, Cami, CCAS…"
    )
    slug = models.SlugField(
        "ancre dans le glossaire",
        max_length=100,
        unique=True,
        help_text="L’adresse du terme dans le glossaire : /glossaire/#ancre. La changer casse les liens déjà donnés.",
    )
    expansion = models.CharField(
        "forme développée",
        max_length=200,
        blank=True,
        help_text="Pour un sigle : ce que veulent dire les lettres (complémentaire santé solidaire). Un terme "
        "qui en a une est signalé dans les textes du site, à sa première apparition sur chaque page.",
    )
    variants = models.CharField(
        "autres écritures",
        max_length=300,
        blank=True,
        help_text="D’autres façons de l’écrire, séparées par des virgules (Laep, CAMI). Majuscules respectées.",
    )
    definition = RichTextField(
        "explication", help_text="En mots simples : ce que c’est, à quoi cela sert pour un habitant."
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = GlossaryTermQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "terme du glossaire"
        verbose_name_plural = "glossaire"
        ordering = [Lower("term")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(term=""),
                name="glossary_term_not_empty",
                violation_error_message="Le terme est obligatoire.",
            ),
        ]

    def __str__(self):
        return self.term

    def get_absolute_url(self):
        return f"{page_url()}#{self.slug}"

    def clean(self):
        super().clean()
        if any(not variant for variant in self.variant_list()):
            raise ValidationError({"variants": "Séparez les écritures par une virgule, sans virgule vide."})

    def variant_list(self):
        return [variant.strip() for variant in self.variants.split(VARIANT_SEPARATOR)] if self.variants.strip() else []

    def spellings(self):
        """The term and its other spellings, as they are matched in texts (case counts: « CSS », not « css »)."""
        return [self.term.strip(), *self.variant_list()]


def sort_key(term):
    """Alphabetical order as a reader expects it: case and accents ignored (« Écrans » among the E)."""
    text = unicodedata.normalize("NFKD", term.casefold())
    return "".join(char for char in text if not unicodedata.combining(char))


def initial_letter(term):
    return (sort_key(term)[:1] or "#").upper()


# Marking ----------------------------------------------------------------------------------------

# HTML as nh3 writes it (core/rich_text.py) or as the template escaped it: tags and text between them.
_TAG = re.compile(r"(<[^>]*>)")
# Text where no mark may go: inside a link (no link in a link) or an existing abbreviation.
_NO_MARK_TAGS = ("a", "abbr")


@functools.lru_cache(maxsize=1024)
def _pattern(spellings):
    """The pattern of a term's spellings (a tuple), compiled once per process."""
    # Longest first, so that « AP-HP » wins over « AP »; a word character or hyphen on either side
    # means another word (« CSSS », « pré-CSS »).
    alternatives = "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


class MarkedTerm(NamedTuple):
    """What marking needs of a term: kept in the shared cache (a plain tuple, not a model row)."""

    slug: str
    expansion: str
    spellings: tuple


def compile_terms(terms):
    """[(term, compiled pattern)] for :func:`mark_terms`, from ``GlossaryTerm``s (or alike)."""
    return [(term, _pattern(tuple(term.spellings()))) for term in terms if term.term.strip()]


def _cache():
    return caches[CACHE_ALIAS]


def terms_for_marking():
    """[(term, compiled pattern)] of the terms with a full form, for :func:`mark_terms`.

    From the shared cache when it holds them (no query), else one query; each pattern is compiled
    once per process. A cache outage costs the query, never the page.
    """
    try:
        cached = _cache().get(CACHE_KEY)
    except CACHE_ERRORS as error:
        logger.warning("Cache injoignable (%s) : termes du glossaire lus en base", type(error).__name__)
        cached = None
    if not isinstance(cached, tuple):
        cached = tuple(
            MarkedTerm(term.slug, term.expansion, tuple(term.spellings()))
            for term in GlossaryTerm.objects.for_marking()
            if term.term.strip()
        )
        try:
            _cache().set(CACHE_KEY, cached, CACHE_SECONDS)
        except CACHE_ERRORS as error:
            logger.warning("Cache injoignable (%s) : termes du glossaire non gardés", type(error).__name__)
    return [(term, _pattern(term.spellings)) for term in cached]


def clear_cached_terms():
    """Forget the cached terms: the next page reads them again."""
    try:
        _cache().delete(CACHE_KEY)
    except CACHE_ERRORS as error:
        logger.warning("Cache injoignable (%s) : termes du glossaire non oubliés", type(error).__name__)


def forget_terms(**kwargs):
    """Signal receiver: forget the cached terms now, and again once the transaction commits.

    Again after the commit, so that a page rendered by another request between the two (from the
    terms before the commit) cannot keep the old terms in the cache.
    """
    clear_cached_terms()
    transaction.on_commit(clear_cached_terms, robust=True)


models.signals.post_save.connect(forget_terms, sender=GlossaryTerm, dispatch_uid="glossary-terms-save")
models.signals.post_delete.connect(forget_terms, sender=GlossaryTerm, dispatch_uid="glossary-terms-delete")


def mark_terms(html, compiled_terms, seen, page_url):
    """Mark in ``html`` (safe HTML) the first use of each term not yet in ``seen`` (slugs, updated).

    Only text between tags is changed, never inside a link or an ``abbr``; the rest of the HTML
    is returned as it came.
    """
    pending = [(term, pattern) for term, pattern in compiled_terms if term.slug not in seen]
    if not pending:
        return html
    parts = _TAG.split(html)
    blocked = 0  # depth inside <a> / <abbr>
    for index, part in enumerate(parts):
        if not part:
            continue
        if index % 2:  # a tag
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            if name and name.group(1).lower() in _NO_MARK_TAGS:
                blocked += -1 if part.startswith("</") else 1
                blocked = max(blocked, 0)
            continue
        if blocked:
            continue
        parts[index] = _mark_text(part, pending, seen, page_url)
        if all(term.slug in seen for term, _ in pending):
            break
    return "".join(parts)


def _mark_text(text, pending, seen, page_url):
    """Mark the first use of each pending term in one run of text (already escaped HTML)."""
    matches = []
    for term, pattern in pending:
        if term.slug in seen:
            continue
        match = pattern.search(text)
        if match:
            matches.append((match.start(), match.end(), term))
    if not matches:
        return text
    matches.sort(key=lambda found: found[0])
    pieces, position = [], 0
    for start, end, term in matches:
        if start < position or term.slug in seen:  # overlaps a mark already placed
            continue
        seen.add(term.slug)
        pieces.append(text[position:start])
        pieces.append(
            f'<a class="glossary-term" href="{escape(page_url)}#{escape(term.slug)}">'
            f'<abbr title="{escape(term.expansion)}">{text[start:end]}</abbr></a>'
        )
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
