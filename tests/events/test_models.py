import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from events.enums import EventStatus, Registration
from events.models import Event
from tests.actions.factories import ActionFactory, AudienceFactory
from tests.events.factories import EventFactory, PlaceFactory
from tests.helpers import paris_datetime

pytestmark = pytest.mark.django_db


def test_end_must_be_after_start():
    start = paris_datetime(2026, 3, 14, 10)
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(start=start, end=start)


def test_required_registration_needs_a_link_or_a_phone():
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(registration=Registration.REQUIRED)
    assert EventFactory(registration=Registration.REQUIRED, registration_phone="01 49 80 88 68").pk
    assert EventFactory(registration=Registration.REQUIRED, registration_url="https://example.org").pk
    assert EventFactory(registration=Registration.RECOMMENDED).pk


def test_priced_event_needs_a_price():
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(is_free=False, price="")


def test_place_coordinates_go_together_and_stay_in_range():
    with pytest.raises(IntegrityError), transaction.atomic():
        PlaceFactory(latitude=48.79, longitude=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlaceFactory(latitude=91, longitude=2.45)
    assert PlaceFactory(latitude=48.790367, longitude=2.455572).pk


def test_constraint_messages_are_french():
    event = EventFactory.build(action=ActionFactory(), place=None, registration=Registration.REQUIRED)
    with pytest.raises(Exception) as excinfo:
        event.full_clean()
    assert "Une inscription obligatoire demande un lien" in str(excinfo.value)


def test_uid_is_stable_and_unique():
    first, second = EventFactory(), EventFactory()
    uid = first.uid
    first.title = "Nouveau titre"
    first.save()
    first.refresh_from_db()
    assert first.uid == uid
    assert first.uid != second.uid


def test_sequence_grows_when_the_calendar_copy_changes():
    event = EventFactory()
    assert event.sequence == 0
    event.start += datetime.timedelta(hours=1)
    event.end += datetime.timedelta(hours=1)
    event.save()
    assert event.sequence == 1
    event.status = EventStatus.CANCELLED
    event.save()
    assert event.sequence == 2
    event.published = True  # not a calendar field
    event.save()
    event.refresh_from_db()
    assert event.sequence == 2


def test_published_needs_the_action_published_too():
    shown = EventFactory()
    EventFactory(published=False)
    EventFactory(action=ActionFactory(published=False))
    assert list(Event.objects.published()) == [shown]


def test_upcoming_includes_events_under_way_and_past_excludes_them():
    now = timezone.now()
    finished = EventFactory(start=now - datetime.timedelta(hours=3), end=now - datetime.timedelta(hours=1))
    under_way = EventFactory(start=now - datetime.timedelta(hours=1), end=now + datetime.timedelta(hours=1))
    later = EventFactory(start=now + datetime.timedelta(days=1), end=now + datetime.timedelta(days=1, hours=2))
    assert list(Event.objects.upcoming(now)) == [under_way, later]
    assert list(Event.objects.past(now)) == [finished]


def test_in_month_uses_paris_time_at_the_edges():
    # 31 March 23:30 in Paris is 21:30 UTC: it belongs to March, not April.
    march = EventFactory(start=paris_datetime(2026, 3, 31, 23, 0), end=paris_datetime(2026, 3, 31, 23, 30))
    # 1 April 00:30 in Paris is still 31 March in UTC: it belongs to April.
    april = EventFactory(start=paris_datetime(2026, 4, 1, 0, 30), end=paris_datetime(2026, 4, 1, 1, 30))
    assert list(Event.objects.in_month(2026, 3)) == [march]
    assert list(Event.objects.in_month(2026, 4)) == [april]


def test_an_event_across_midnight_belongs_to_both_months():
    night = EventFactory(start=paris_datetime(2026, 1, 31, 22), end=paris_datetime(2026, 2, 1, 2))
    assert list(Event.objects.in_month(2026, 1)) == [night]
    assert list(Event.objects.in_month(2026, 2)) == [night]


def test_december_to_january():
    new_year = EventFactory(start=paris_datetime(2026, 12, 31, 20), end=paris_datetime(2027, 1, 1, 1))
    assert list(Event.objects.in_month(2026, 12)) == [new_year]
    assert list(Event.objects.in_month(2027, 1)) == [new_year]


@pytest.mark.parametrize(
    ("day", "utc_offset_before", "utc_offset_after"),
    [
        # Spring forward: 29 March 2026, 02:00 → 03:00 in Paris.
        (datetime.date(2026, 3, 29), 1, 2),
        # Fall back: 25 October 2026, 03:00 → 02:00 in Paris.
        (datetime.date(2026, 10, 25), 2, 1),
    ],
)
def test_daylight_saving_changes(day, utc_offset_before, utc_offset_after):
    start = paris_datetime(day.year, day.month, day.day, 1, 0)
    end = paris_datetime(day.year, day.month, day.day, 5, 0)
    event = EventFactory(start=start, end=end)
    event.refresh_from_db()
    assert timezone.localtime(event.start).utcoffset() == datetime.timedelta(hours=utc_offset_before)
    assert timezone.localtime(event.end).utcoffset() == datetime.timedelta(hours=utc_offset_after)
    # Four hours on the wall clock are three (spring) or five (autumn) real hours.
    assert event.end - event.start == datetime.timedelta(hours=4 - (utc_offset_after - utc_offset_before))
    assert list(Event.objects.between(start, end)) == [event]
    assert list(Event.objects.in_month(day.year, day.month)) == [event]


def test_str_and_urls():
    event = EventFactory(title="Café psycho", slug="cafe-psycho-mars", start=paris_datetime(2026, 3, 14, 10))
    assert str(event) == "Café psycho (14/03/2026)"
    assert event.get_absolute_url() == "/agenda/cafe-psycho-mars/"
    assert event.get_ics_url() == "/agenda/cafe-psycho-mars.ics"
    assert event.place.get_absolute_url() == f"/lieux/{event.place.slug}/"


def test_place_accessibility_needs():
    place = PlaceFactory(serves_moteur=True, serves_auditif=True)
    assert place.accessibility_needs == ["Handicap auditif", "Handicap moteur"]


def test_for_whom_is_the_events_audiences_or_else_its_actions_prefetched_lists_included(django_assert_num_queries):
    """The same rule whether the relations are read or the open data's prefetched lists are."""
    from django.db.models import Prefetch

    parents, seniors = AudienceFactory(name="Parents"), AudienceFactory(name="Seniors")
    action = ActionFactory(audiences=[parents])
    own = EventFactory(action=action, audiences=[seniors])
    inherited = EventFactory(action=action)
    assert own.for_whom == [seniors]
    assert inherited.for_whom == [parents]
    prefetched = (
        Event.objects.select_related("action")
        .prefetch_related(
            Prefetch("audiences", to_attr="audience_list"), Prefetch("action__audiences", to_attr="audience_list")
        )
        .in_bulk([own.pk, inherited.pk])
    )
    with django_assert_num_queries(0):
        assert prefetched[own.pk].for_whom == [seniors]
        assert prefetched[inherited.pk].for_whom == [parents]
