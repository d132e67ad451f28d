"""The address of an object's page from its slug, reversed once per URL name rather than once per object.

``reverse("actions:detail", kwargs={"slug": …})`` costs some 15 µs: a page listing 1,000 objects
(a section of the sitemap, the site plan, the cards of a list) spent a fifth of its time there.
:func:`slug_paths` reverses the URL name once, with a slug that stands for any, and then puts each
object's slug in its place: the same address as ``reverse()`` gives, for every slug that Django's
``slug`` converter accepts (its own pattern); any other goes through ``reverse()``, which refuses it
as before. The pieces around the slug are kept per URL name, script prefix and URLconf.
"""

import functools
import re

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.urls.converters import SlugConverter

# What Django's « slug » path converter accepts (its own pattern): such a slug comes out of reverse() as it is.
_SLUG = re.compile(SlugConverter.regex)
_SLUG_MARK = "page-slug-mark"


@functools.lru_cache(maxsize=64)
def _around_slug(viewname, script_prefix, urlconf):
    """(what comes before the slug, what comes after) in the path of a page of ``viewname``."""
    before, after = reverse(viewname, kwargs={"slug": _SLUG_MARK}, urlconf=urlconf).split(_SLUG_MARK)
    return before, after


def slug_paths(viewname):
    """A function giving ``reverse(viewname, kwargs={"slug": slug})`` for a slug, with one reverse() for all.

    Take it once for a loop: it reads the URLconf and the script prefix of the moment it is taken.
    """
    before, after = _around_slug(viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)

    def path(slug):
        if not _SLUG.fullmatch(slug):
            return reverse(viewname, kwargs={"slug": slug})
        return before + slug + after

    return path


def slug_path(viewname, slug):
    """``reverse(viewname, kwargs={"slug": slug})``, from the pieces :func:`slug_paths` keeps (``get_absolute_url``)."""
    return slug_paths(viewname)(slug)
