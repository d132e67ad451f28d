"""The events an editor must complete before the day (events/models.py, the « à compléter » filter)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from events.enums import EventStatus, Registration
from events.models import Event
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def in_days(days):
    return timezone.now() + datetime.timedelta(days=days)


@pytest.fixture
def events():
    return {
        "complete": EventFactory(start=in_days(3)),
        "no_place": EventFactory(start=in_days(3), place=None),
        "no_way": EventFactory(start=in_days(5), registration=Registration.RECOMMENDED),
        "with_ccas": EventFactory(start=in_days(5), registration=Registration.REQUIRED, registration_with_ccas=True),
        "with_link": EventFactory(
            start=in_days(5), registration=Registration.RECOMMENDED, registration_url="https://example.org/"
        ),
        "cancelled": EventFactory(start=in_days(2), place=None, status=EventStatus.CANCELLED),
        "later": EventFactory(start=in_days(31), place=None),
        "past": EventFactory(start=in_days(-2), place=None),
        "draft": EventFactory(start=in_days(10), place=None, published=False),
    }


def test_the_rules(events):
    soon = Event.objects.starting_soon()
    assert set(soon.without_place()) == {events["no_place"], events["draft"]}
    assert set(soon.without_registration_details()) == {events["no_way"]}
    assert set(soon.incomplete()) == {events["no_place"], events["draft"], events["no_way"]}
    assert events["no_way"].lacks_registration_details
    assert not events["with_ccas"].lacks_registration_details
    assert not events["with_link"].lacks_registration_details
    assert not events["complete"].lacks_registration_details


def test_a_required_registration_cannot_lack_its_details():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(registration=Registration.REQUIRED)


@pytest.mark.parametrize(("value", "expected"), [("lieu", {"no_place", "draft"}), ("inscription", {"no_way"})])
def test_the_events_list_filters_on_the_same_rule(admin_client, events, value, expected):
    response = admin_client.get(reverse("admin:events_event_changelist"), {"a-completer": value})
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {events[name] for name in expected}
    assert "à compléter (30 prochains jours)" in response.text
