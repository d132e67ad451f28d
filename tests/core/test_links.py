"""The address of an object's page from its slug, one reverse() per URL name (core/links.py)."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from core.links import slug_path, slug_paths

PAGES_BY_SLUG = ["actions:detail", "actions:axis", "partners:detail", "events:detail", "events:place"]


@pytest.mark.parametrize("viewname", PAGES_BY_SLUG)
@pytest.mark.parametrize("slug", ["a", "vaccination-grippe-2026", "Atelier_2", "123"])
def test_the_address_is_the_one_reverse_gives(viewname, slug):
    assert slug_paths(viewname)(slug) == slug_path(viewname, slug) == reverse(viewname, kwargs={"slug": slug})


@pytest.mark.parametrize("slug", ["", "avec espace", "accentué", "a/b"])
def test_a_slug_the_address_refuses_goes_through_reverse_and_is_refused(slug):
    with pytest.raises(NoReverseMatch):
        slug_path("actions:detail", slug)


def test_the_script_prefix_of_the_moment_is_followed():
    """A site served under a prefix (SCRIPT_NAME) gets its own addresses, not those kept for another prefix."""
    assert slug_path("partners:detail", "ccas") == "/partenaires/ccas/"
    set_script_prefix("/portail/")
    try:
        assert (
            slug_path("partners:detail", "ccas")
            == "/portail/partenaires/ccas/"
            == reverse("partners:detail", kwargs={"slug": "ccas"})
        )
    finally:
        set_script_prefix("/")
    assert slug_path("partners:detail", "ccas") == "/partenaires/ccas/"
