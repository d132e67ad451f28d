"""core/slugs.py: a slug the site makes itself never collides with one in use."""

import pytest

from core.slugs import unique_slug
from events.models import Event
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_a_free_slug_is_kept_and_a_taken_one_gets_the_next_free_suffix(django_assert_num_queries):
    EventFactory(slug="atelier")
    EventFactory(slug="atelier-2")
    EventFactory(slug="atelier-nutrition")  # starts alike, takes nothing
    with django_assert_num_queries(1):
        assert unique_slug(Event.objects.all(), "atelier") == "atelier-3"
    assert unique_slug(Event.objects.all(), "marche") == "marche"
    assert unique_slug(Event.objects.all(), "marche", taken={"marche"}) == "marche-2"


def test_a_long_base_leaves_room_for_the_suffix():
    max_length = Event._meta.get_field("slug").max_length
    slug = unique_slug(Event.objects.all(), "a" * (max_length + 10))
    assert len(slug) == max_length - 4
    EventFactory(slug=slug)
    assert unique_slug(Event.objects.all(), "a" * (max_length + 10)) == f"{slug}-2"
