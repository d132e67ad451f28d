"""The month calendar's days kept by their content (events/views.py, MONTH_DAYS): an edit to an event or
to its place shows at once, however it was written, and renders again only the days that show it."""

import pytest

from events import views
from events.enums import EventStatus
from events.models import Event, Place
from tests.events.factories import EventFactory
from tests.helpers import paris_datetime, squash

pytestmark = pytest.mark.django_db

MONTH = "/agenda/2026/03/"


@pytest.fixture
def rendered(monkeypatch):
    """The days rendered (not found kept): (template, date), in order."""
    days = []
    render_to_string = views.render_to_string

    def counting(template_name, context):
        days.append((template_name.rsplit("/", 1)[-1], context["day"]["date"].day))
        return render_to_string(template_name, context)

    monkeypatch.setattr(views, "render_to_string", counting)
    views.MONTH_DAYS.clear()
    return days


def on(day, hour=10, **fields):
    return EventFactory(start=paris_datetime(2026, 3, day, hour), end=paris_datetime(2026, 3, day, hour + 2), **fields)


def test_a_second_month_reuses_every_day(client, rendered):
    on(14, title="Café psycho")
    first = client.get(MONTH).content
    assert ("month_cell.html", 14) in rendered and ("month_day.html", 14) in rendered
    assert len([name for name, _ in rendered if name == "month_cell.html"]) == 31
    rendered.clear()
    assert client.get(MONTH).content == first
    assert rendered == []


def test_an_edit_renders_again_only_the_day_of_the_event(client, rendered):
    edited, other = on(14, title="Avant"), on(20, title="Ailleurs")
    client.get(MONTH)
    rendered.clear()
    edited.title = "Après"
    edited.save()
    body = squash(client.get(MONTH).content.decode())
    assert sorted(rendered) == [("month_cell.html", 14), ("month_day.html", 14)]
    assert "Après" in body and "Avant" not in body and other.title in body


def test_a_bulk_update_and_a_place_renamed_show(client):
    """QuerySet.update() leaves ``updated_at`` as it was: the key is what the day shows."""
    event = on(14, title="Atelier mémoire")
    client.get(MONTH)
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED, title="Atelier du souffle")
    Place.objects.filter(pk=event.place_id).update(name="Salle Georges-Duhamel")
    html = client.get(MONTH).content.decode()
    assert "Atelier mémoire" not in html
    assert '<span class="event-status-tag event-status-tag--annule">Annulé</span>' in html
    assert "Atelier du souffle : 10 h, Salle Georges-Duhamel (annulé)" in squash(html).replace("\u00a0", " ")


def test_a_sixth_event_on_a_day_shows_its_link(client):
    for hour in range(8, 13):
        on(14, hour=hour)
    assert "+ 1 autre" not in client.get(MONTH).content.decode()
    on(14, hour=18)
    body = client.get(MONTH).content.decode()
    assert "+ 1 autre" in body and "Voir les 6 événements du samedi 14 mars 2026" in body
