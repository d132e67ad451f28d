"""The calendars' VEVENTs kept by their inputs (events/calendars.py, core/fragments.py): an edit to an
event, its place, its action or its axis shows at once, however it was written, and recomputes only
the VEVENTs that show it."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from core.fragments import Fragments, row_key
from events import calendars
from events.enums import EventStatus
from events.models import Event, Place
from tests.events.factories import EventFactory
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def unfolded(response):
    assert response.status_code == 200
    return response.content.decode().replace("\r\n ", "")


@pytest.fixture
def built(monkeypatch):
    """The events whose VEVENT was computed (not found kept), in order."""
    computed = []
    vevent = calendars._vevent

    def counting(event, *args):
        computed.append(event.pk)
        return vevent(event, *args)

    monkeypatch.setattr(calendars, "_vevent", counting)
    calendars.VEVENTS.clear()
    return computed


def test_a_second_feed_reuses_every_vevent_and_is_the_same(client, built):
    events = EventFactory.create_batch(3)
    first = client.get("/agenda.ics").content
    assert sorted(built) == sorted(event.pk for event in events)
    built.clear()
    assert client.get("/agenda.ics").content == first
    assert built == []


def test_an_edit_recomputes_only_the_edited_event(client, built):
    edited, other = EventFactory(title="Avant"), EventFactory()
    client.get("/agenda.ics")
    built.clear()
    edited.title = "Après"
    edited.save()
    content = unfolded(client.get("/agenda.ics"))
    assert built == [edited.pk]
    assert "SUMMARY:Après" in content and "SUMMARY:Avant" not in content
    assert other.title in content


@override_settings(PAGE_CACHE_SECONDS=0)
def test_a_bulk_update_without_a_new_modification_date_shows_too(client, built):
    """QuerySet.update() (a migration, a service) leaves ``updated_at`` as it was: the key is the content."""
    event = EventFactory()
    assert "SUMMARY:[ANNULÉ]" not in unfolded(client.get("/agenda.ics"))
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)
    content = unfolded(client.get("/agenda.ics"))
    assert f"SUMMARY:[ANNULÉ] {event.title}" in content and "STATUS:CANCELLED" in content


@override_settings(PAGE_CACHE_SECONDS=0)
def test_an_edit_to_the_place_the_action_or_the_axis_shows(client):
    event = EventFactory()
    client.get("/agenda.ics")
    Place.objects.filter(pk=event.place_id).update(name="Salle Georges-Duhamel", address="2 rue X, 94000 Créteil")
    event.action.title = "Action renommée"
    event.action.save()
    axis = event.action.axis
    axis.name = "Axe renommé"
    axis.save()
    for url in ("/agenda.ics", event.get_ics_url()):
        content = unfolded(client.get(url))
        assert "LOCATION:Salle Georges-Duhamel\\, 2 rue X\\, 94000 Créteil" in content
        assert "Action : Action renommée" in content
        assert "CATEGORIES:Axe renommé" in content


@override_settings(PAGE_CACHE_SECONDS=0, ALLOWED_HOSTS=["cls.example.org", "autre.example.org"])
def test_each_host_gets_its_own_addresses(client):
    event = EventFactory()
    for host in ("cls.example.org", "autre.example.org"):
        content = unfolded(client.get("/agenda.ics", HTTP_HOST=host))
        assert f"URL:http://{host}{event.get_absolute_url()}" in content
        assert f"UID:{event.uid}@{host}" in content


def test_the_feed_reads_the_events_once_without_a_query_per_event(client):
    EventFactory.create_batch(3)
    client.get("/agenda.ics")
    few = count_queries(client, "/agenda.ics")  # the VEVENTs kept
    EventFactory.create_batch(7)
    calendars.VEVENTS.clear()
    assert count_queries(client, "/agenda.ics") == few  # every VEVENT computed


def test_fragments_are_bounded_least_recently_used_first():
    fragments = Fragments(max_entries=2)
    fragments.get("a", lambda: 1)
    fragments.get("b", lambda: 2)
    assert fragments.get("a", lambda: 0) == 1  # kept, and now the most recently used
    fragments.get("c", lambda: 3)
    assert len(fragments) == 2
    assert fragments.get("b", lambda: 20) == 20  # dropped, computed again (and « a » dropped in turn)
    assert fragments.get("c", lambda: 0) == 3
    assert fragments.get("a", lambda: 10) == 10


def test_row_key_holds_the_loaded_columns_only():
    event = EventFactory()
    loaded = Event.objects.only("title").get(pk=event.pk)
    with CaptureQueriesContext(connection) as queries:
        key = row_key(loaded)
    assert len(queries) == 0  # a deferred column is not read
    assert "events.Event" in key and event.title in key
    assert event.description not in key
    assert row_key(None) is None
    assert row_key(Event.objects.get(pk=event.pk)) != row_key(loaded)
