"""The public agenda: /agenda/, the month calendar, an event's page, a place's page."""

import datetime
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from core import dates
from events.enums import EventStatus, Registration
from events.models import Event
from events.views import EventListView
from tests.actions.factories import ActionFactory, AudienceFactory, NeighbourhoodFactory, ThemeFactory, axis
from tests.events.factories import EventFactory, PlaceFactory
from tests.helpers import assert_not_found_page, count_queries, paris_datetime, squash
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

# A Wednesday: its week runs from Monday 9 to Sunday 15 March 2026.
NOW = paris_datetime(2026, 3, 11, 12)


class PlainSpacesClient(Client):
    """Reads « 10\u00a0h\u00a030 » as « 10 h 30 »: the assertions below are about words, not spaces."""

    def request(self, **request):
        response = super().request(**request)
        if not response.streaming:
            response.content = response.content.replace("\u00a0".encode(), b" ")
        return response


@pytest.fixture
def client():
    return PlainSpacesClient()


@pytest.fixture
def frozen_now(monkeypatch):
    """/agenda/ sees NOW as the current time (the filters and the upcoming/past split)."""
    monkeypatch.setattr(EventListView, "get_now", lambda self: NOW)
    return NOW


def titles(client, url="/agenda/", **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return [event.title for event in response.context["events"]]


def make_events(count, *, first_start, place=None):
    """``count`` published events, an hour apart from ``first_start``, in bulk (fast with 300 too)."""
    action = ActionFactory(audiences=[AudienceFactory()], themes=[ThemeFactory()])
    place = place or PlaceFactory(neighbourhood=NeighbourhoodFactory())
    offset = Event.objects.count()
    events = Event.objects.bulk_create(
        EventFactory.build(
            action=action,
            place=place,
            slug=f"bulk-{offset + index}",
            start=first_start + datetime.timedelta(hours=index),
            end=first_start + datetime.timedelta(hours=index + 2),
            status=EventStatus.FULL if index % 7 == 0 else EventStatus.SCHEDULED,
        )
        for index in range(count)
    )
    through = Event.audiences.through
    audience = AudienceFactory()
    through.objects.bulk_create(through(event_id=event.pk, audience=audience) for event in events)
    return events


def start_of_this_month():
    today = timezone.localdate()
    return paris_datetime(today.year, today.month, 1, 8)


# /agenda/ ---------------------------------------------------------------------------------


def test_agenda_lists_upcoming_published_events_soonest_first(client):
    now = timezone.now()
    EventFactory(title="Dans deux jours", start=now + datetime.timedelta(days=2))
    EventFactory(title="Demain", start=now + datetime.timedelta(days=1))
    EventFactory(title="En cours", start=now - datetime.timedelta(hours=1), end=now + datetime.timedelta(hours=1))
    EventFactory(title="Hier", start=now - datetime.timedelta(days=1), end=now - datetime.timedelta(days=1, hours=-2))
    EventFactory(title="Brouillon", published=False)
    EventFactory(title="Action non publiée", action=ActionFactory(published=False))
    response = client.get("/agenda/")
    body = response.content.decode()
    assert [event.title for event in response.context["events"]] == ["En cours", "Demain", "Dans deux jours"]
    assert "Brouillon" not in body
    assert "Action non publiée" not in body
    assert "Hier" not in body
    assert "<h1>Agenda</h1>" in body
    assert "Prochains événements" in body
    assert "3 événements" in body


def test_agenda_groups_events_by_day_and_an_event_under_way_under_today(client, frozen_now):
    EventFactory(title="Semaine de dépistage", start=paris_datetime(2026, 3, 9, 9), end=paris_datetime(2026, 3, 13, 17))
    EventFactory(title="Atelier", start=paris_datetime(2026, 3, 11, 14), end=paris_datetime(2026, 3, 11, 16))
    EventFactory(title="Café psycho", start=paris_datetime(2026, 3, 14, 10), end=paris_datetime(2026, 3, 14, 12))
    response = client.get("/agenda/")
    days = [(day, [event.title for event in events]) for day, events in response.context["days"]]
    assert days == [
        (datetime.date(2026, 3, 11), ["Semaine de dépistage", "Atelier"]),
        (datetime.date(2026, 3, 14), ["Café psycho"]),
    ]
    body = response.content.decode()
    assert "Mercredi 11 mars 2026</h3>" in body
    assert "Samedi 14 mars 2026</h3>" in body
    # Each card still says when, in full.
    assert "Du lundi 9 mars 2026 à 9 h au vendredi 13 mars 2026 à 17 h" in body
    assert "Samedi 14 mars 2026, de 10 h à 12 h" in body


def test_past_events_are_reachable_and_separate(client, frozen_now):
    EventFactory(title="À venir", start=paris_datetime(2026, 3, 20, 10))
    EventFactory(title="Passé récent", start=paris_datetime(2026, 3, 2, 10))
    EventFactory(title="Passé ancien", start=paris_datetime(2025, 11, 2, 10))
    upcoming = client.get("/agenda/").content.decode()
    assert "Voir les événements passés" in upcoming
    assert 'href="/agenda/?periode=passes"' in upcoming
    assert "Passé récent" not in upcoming

    response = client.get("/agenda/", {"periode": "passes"})
    body = response.content.decode()
    assert [event.title for event in response.context["events"]] == ["Passé récent", "Passé ancien"]
    assert re.search(r"<h2[^>]*>\s*Événements passés\s*</h2>", body)
    assert "Voir les événements à venir" in body
    assert "À venir" not in [event.title for event in response.context["events"]]


def test_agenda_is_paginated_by_twenty(client):
    make_events(23, first_start=timezone.now() + datetime.timedelta(days=1))
    first = client.get("/agenda/")
    second = client.get("/agenda/", {"page": 2})
    assert len(first.context["events"]) == 20
    assert len(second.context["events"]) == 3
    assert "23 événements" in first.content.decode()
    assert "Page suivante" in first.content.decode()
    assert "Page précédente" in second.content.decode()


def test_filters_by_axis_theme_neighbourhood_place_free_and_accessibility(client, frozen_now):
    theme = ThemeFactory(slug="depistage")
    neighbourhood = NeighbourhoodFactory(slug="mont-mesly")
    accessible = PlaceFactory(slug="maison-mont-mesly", neighbourhood=neighbourhood, serves_moteur=True)
    other_place = PlaceFactory(slug="ccas", serves_auditif=True)
    start = paris_datetime(2026, 3, 20, 10)
    wanted = EventFactory(
        title="Dépistage au Mont-Mesly",
        action=ActionFactory(axis=axis(1), themes=[theme]),
        place=accessible,
        start=start,
    )
    EventFactory(
        title="Café psycho payant",
        action=ActionFactory(axis=axis(3)),
        place=other_place,
        start=start,
        is_free=False,
        price="2 €",
    )
    assert titles(client, axe="acces-aux-droits-et-aux-soins") == [wanted.title]
    assert titles(client, axe="sante-mentale") == ["Café psycho payant"]
    assert titles(client, theme="depistage") == [wanted.title]
    assert titles(client, quartier="mont-mesly") == [wanted.title]
    assert titles(client, lieu="maison-mont-mesly") == [wanted.title]
    assert titles(client, lieu="ccas") == ["Café psycho payant"]
    assert titles(client, gratuit="1") == [wanted.title]
    assert sorted(titles(client)) == sorted([wanted.title, "Café psycho payant"])
    assert titles(client, accessibilite="moteur") == [wanted.title]
    assert titles(client, accessibilite="auditif") == ["Café psycho payant"]
    assert titles(client, accessibilite="visuel") == []
    assert titles(client, axe="acces-aux-droits-et-aux-soins", gratuit="1", quartier="mont-mesly") == [wanted.title]


def test_filter_by_audience_of_the_event_or_of_its_action(client, frozen_now):
    parents = AudienceFactory(slug="parents")
    start = paris_datetime(2026, 3, 20, 10)
    EventFactory(title="Pour les parents", audiences=[parents], start=start)
    EventFactory(title="Action pour les parents", action=ActionFactory(audiences=[parents]), start=start)
    EventFactory(title="Pour les seniors", audiences=[AudienceFactory(slug="seniors")], start=start)
    assert sorted(titles(client, public="parents")) == ["Action pour les parents", "Pour les parents"]
    assert titles(client, public="seniors") == ["Pour les seniors"]


def test_filter_by_period_this_week_this_month_and_dates(client, frozen_now):
    EventFactory(title="Vendredi", start=paris_datetime(2026, 3, 13, 10))
    EventFactory(title="Dimanche soir", start=paris_datetime(2026, 3, 15, 20))
    EventFactory(title="Lundi suivant", start=paris_datetime(2026, 3, 16, 10))
    EventFactory(title="Fin du mois", start=paris_datetime(2026, 3, 31, 18))
    EventFactory(title="Avril", start=paris_datetime(2026, 4, 1, 10))
    EventFactory(title="Passé cette semaine", start=paris_datetime(2026, 3, 10, 10))
    assert titles(client, periode="semaine") == ["Vendredi", "Dimanche soir"]
    assert titles(client, periode="mois") == ["Vendredi", "Dimanche soir", "Lundi suivant", "Fin du mois"]
    assert titles(client, du="2026-03-16", au="2026-03-31") == ["Lundi suivant", "Fin du mois"]
    assert titles(client, du="2026-04-01") == ["Avril"]
    assert titles(client, au="2026-03-13") == ["Vendredi"]
    assert titles(client, periode="passes") == ["Passé cette semaine"]


def test_dates_in_the_wrong_order_explain_in_french_and_keep_what_was_typed(client, frozen_now):
    EventFactory(start=paris_datetime(2026, 3, 20, 10))
    response = client.get("/agenda/", {"du": "2026-03-20", "au": "2026-03-10", "q": "café"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "La date de fin doit être postérieure ou égale à la date de début." in body
    assert "Certains filtres ne sont pas valides" in body
    assert 'value="2026-03-20"' in body
    assert 'value="2026-03-10"' in body
    assert 'value="café"' in body
    # The filters stay open, so that the resident sees the field in error.
    assert re.search(r'<details class="filters"\s+open', body)


def test_filter_form_works_without_javascript(client):
    body = client.get("/agenda/").content.decode()
    assert '<form method="get" action="/agenda/#resultats"' in body
    assert '<button type="submit" class="btn btn-primary">Voir les résultats</button>' in body
    for name in ("q", "periode", "du", "au", "axe", "theme", "public", "quartier", "lieu", "accessibilite", "gratuit"):
        assert f'name="{name}"' in body
        assert f'for="id_{name}"' in body
    assert "<details" in body
    assert re.search(r"<summary>\s*Filtrer\s", body)


@pytest.mark.parametrize(
    "params",
    [
        {"axe": "inconnu"},
        {"theme": "x" * 5000},
        {"public": "'; DROP TABLE events_event; --"},
        {"quartier": "<script>alert(1)</script>"},
        {"lieu": "<script>alert(1)</script>"},
        {"periode": "<script>alert(1)</script>"},
        {"accessibilite": "nimporte"},
        {"gratuit": "<script>alert(1)</script>"},
        {"du": "2026-13-45"},
        {"au": "<script>alert(1)</script>"},
        {"du": "x" * 5000},
        {"q": "x" * 10000},
        {"q": "\x00"},
        {"q": "' OR 1=1 --"},
        {"q": "&|!:*()"},
        {"q": "<script>alert(1)</script>"},
        {"axe": ["sante-mentale", "inconnu"]},
        {"page": "0"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "999"},
        {"page": "1e9"},
        {"page": "%00"},
        {"page": "last"},
        {"<script>alert(1)</script>": "1"},
    ],
)
def test_junk_filters_never_fail(client, params):
    EventFactory()
    response = client.get("/agenda/", params)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_subscription_links_carry_the_filters(client):
    NeighbourhoodFactory(slug="mont-mesly")
    response = client.get("/agenda/", {"quartier": "mont-mesly", "gratuit": "1", "page": "2", "junk": "x"})
    body = response.content.decode()
    assert "S’abonner à cet agenda" in body
    assert "Votre application d’agenda ajoutera automatiquement les nouveaux événements et les changements." in body
    assert 'href="/agenda.ics?quartier=mont-mesly&amp;gratuit=1"' in body
    assert 'href="webcal://testserver/agenda.ics?quartier=mont-mesly&amp;gratuit=1"' in body
    assert "junk" not in body
    unfiltered = client.get("/agenda/").content.decode()
    assert 'href="/agenda.ics"' in unfiltered
    assert 'href="webcal://testserver/agenda.ics"' in unfiltered


def test_clear_filters_link_keeps_the_past_events_view(client):
    body = client.get("/agenda/", {"periode": "semaine"}).content.decode()
    assert re.search(r'<details class="filters"\s+open', body)
    assert 'href="/agenda/">Effacer les filtres' in body
    past = client.get("/agenda/", {"periode": "passes", "gratuit": "1"}).content.decode()
    assert 'href="/agenda/?periode=passes">Effacer les filtres' in past
    assert "Effacer les filtres" not in client.get("/agenda/", {"periode": "passes"}).content.decode()


def test_subscription_from_the_past_events_is_to_the_upcoming_ones(client):
    body = client.get("/agenda/", {"periode": "passes", "gratuit": "1"}).content.decode()
    assert 'href="/agenda.ics?gratuit=1"' in body
    assert "periode=passes&amp;gratuit" not in body.split("S’abonner")[1]


def test_agenda_links_to_the_current_month(client):
    today = timezone.localdate()
    body = client.get("/agenda/").content.decode()
    assert f'href="/agenda/{today.year:04d}/{today.month:02d}/"' in body
    assert "Calendrier du mois" in body


def test_agenda_page_has_title_description_and_breadcrumbs(client):
    body = client.get("/agenda/").content.decode()
    assert "<title>" in body
    assert "Agenda : les prochains rendez-vous santé" in body
    assert 'name="description"' in body
    assert 'aria-label="Fil d’Ariane"' in body
    assert body.count("<h1") == 1


@pytest.mark.parametrize("url", ["/agenda/", "/agenda/?page=2&gratuit=1", "/agenda/?periode=mois"])
def test_agenda_query_count_does_not_grow_with_events(client, url):
    make_events(3, first_start=start_of_this_month())
    make_events(3, first_start=timezone.now() + datetime.timedelta(days=1))
    few = count_queries(client, url)
    make_events(300, first_start=timezone.now() + datetime.timedelta(days=1))
    many = count_queries(client, url)
    assert few == many
    assert many <= 10


# /agenda/<yyyy>/<mm>/ ---------------------------------------------------------------------


def month_cells(response):
    """{day number: [event titles]} for the days of the month shown."""
    return {
        cell["date"].day: [event.title for event, _hours in cell["events"]]
        for week in response.context["weeks"]
        for cell in week
        if cell["in_month"]
    }


def test_month_is_a_table_a_screen_reader_can_read(client):
    EventFactory(title="Café psycho", start=paris_datetime(2026, 3, 14, 10), end=paris_datetime(2026, 3, 14, 12))
    response = client.get("/agenda/2026/03/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<caption>Agenda de mars 2026</caption>" in body
    assert body.count('<th scope="col">') == 7
    for name in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"):
        assert f'<span class="day-full">{name}</span>' in body
    assert '<span class="month-day__time">10 h</span> Café psycho' in body
    assert "<h1>Agenda de mars 2026</h1>" in body
    assert 'role="region"' in body
    assert 'tabindex="0"' in body
    # The same events as a plain list below the table.
    assert "Les événements de mars 2026, jour par jour" in body
    assert re.search(r"Samedi 14 mars 2026\s*</h3>", body)
    # Monday first (calendar.Calendar(firstweekday=0)): 1 March 2026 is a Sunday.
    assert response.context["weeks"][0][6]["date"] == datetime.date(2026, 3, 1)
    assert response.context["weeks"][0][0]["date"] == datetime.date(2026, 2, 23)


def test_month_shows_the_31st_and_no_events_outside_the_month(client):
    EventFactory(title="Dernier jour", start=paris_datetime(2026, 3, 31, 18), end=paris_datetime(2026, 3, 31, 20))
    EventFactory(title="Avril", start=paris_datetime(2026, 4, 1, 10), end=paris_datetime(2026, 4, 1, 12))
    response = client.get("/agenda/2026/03/")
    cells = month_cells(response)
    assert len(cells) == 31
    assert cells[31] == ["Dernier jour"]
    assert "Avril" not in response.content.decode()


@pytest.mark.parametrize(("year", "days"), [(2028, 29), (2027, 28), (2026, 28)])
def test_february_has_the_right_number_of_days(client, year, days):
    EventFactory(title="Fin février", start=paris_datetime(year, 2, days, 10), end=paris_datetime(year, 2, days, 12))
    response = client.get(f"/agenda/{year}/02/")
    cells = month_cells(response)
    assert len(cells) == days
    assert cells[days] == ["Fin février"]
    assert max(cells) == days
    assert f"<caption>Agenda de février {year}</caption>" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/agenda/2026/00/", "/agenda/2026/13/", "/agenda/1999/05/", "/agenda/2101/01/", "/agenda/0000/01/"]
)
def test_impossible_months_are_404(client, url):
    assert_not_found_page(client.get(url))


def test_event_spanning_two_days_appears_on_each(client):
    EventFactory(title="Nuit du dépistage", start=paris_datetime(2026, 3, 14, 20), end=paris_datetime(2026, 3, 15, 2))
    response = client.get("/agenda/2026/03/")
    cells = month_cells(response)
    assert cells[14] == ["Nuit du dépistage"]
    assert cells[15] == ["Nuit du dépistage"]
    assert cells[16] == []
    body = response.content.decode()
    assert '<span class="month-day__time">20 h</span> Nuit du dépistage' in body
    assert '<span class="month-day__time">jusqu’à 2 h</span> Nuit du dépistage' in body


def test_event_across_two_months_appears_in_both(client):
    EventFactory(title="Fin d’année", start=paris_datetime(2026, 12, 31, 20), end=paris_datetime(2027, 1, 1, 2))
    assert month_cells(client.get("/agenda/2026/12/"))[31] == ["Fin d’année"]
    assert month_cells(client.get("/agenda/2027/01/"))[1] == ["Fin d’année"]


def test_previous_and_next_months_across_the_year(client):
    december = client.get("/agenda/2026/12/").content.decode()
    assert 'href="/agenda/2027/01/"' in december
    assert "Mois suivant : janvier 2027" in december
    assert 'href="/agenda/2026/11/"' in december
    assert "Mois précédent : novembre 2026" in december
    january = client.get("/agenda/2027/01/").content.decode()
    assert 'href="/agenda/2026/12/"' in january
    assert "Mois précédent : décembre 2026" in january
    # No link to a month the calendar does not show.
    assert "/agenda/1999/12/" not in client.get("/agenda/2000/01/").content.decode()
    assert "/agenda/2101/01/" not in client.get("/agenda/2100/12/").content.decode()


def test_month_marks_today(client):
    today = timezone.localdate()
    body = client.get(f"/agenda/{today.year:04d}/{today.month:02d}/").content.decode()
    assert body.count('aria-current="date"') == 1
    assert "aujourd’hui" in body
    assert 'aria-current="date"' not in client.get("/agenda/2001/01/").content.decode()


def test_month_shows_published_events_only_with_their_status(client):
    start, end = paris_datetime(2026, 3, 14, 10), paris_datetime(2026, 3, 14, 12)
    EventFactory(title="Brouillon", start=start, end=end, published=False)
    EventFactory(title="Action brouillon", start=start, end=end, action=ActionFactory(published=False))
    EventFactory(title="Annulé", start=start, end=end, status=EventStatus.CANCELLED)
    response = client.get("/agenda/2026/03/")
    body = response.content.decode()
    assert month_cells(response)[14] == ["Annulé"]
    assert "Brouillon" not in body
    assert "Action brouillon" not in body
    assert "event-status-tag--annule" in body


def test_month_query_count_does_not_grow_with_events(client):
    today = timezone.localdate()
    url = f"/agenda/{today.year:04d}/{today.month:02d}/"
    make_events(3, first_start=start_of_this_month())
    few = count_queries(client, url)
    make_events(300, first_start=start_of_this_month())
    many = count_queries(client, url)
    assert few == many
    assert many <= 2
    # Those 300 events crowd their days: the capped cells are what was measured, and the count is exact.
    body = client.get(url).content.decode()
    assert "303 événements ce mois-ci." in body
    assert ' autres<span class="visually-hidden"> événements le ' in body


def test_month_days_are_read_out_with_1er(client):
    """A screen reader hears « 1er avril 2027 », « 2 avril 2027 »; the grid shows « 1 », « 2 »."""
    body = client.get("/agenda/2027/04/").content.decode()
    assert '<span aria-hidden="true">1</span><span class="visually-hidden">1er avril 2027</span>' in body
    assert '<span aria-hidden="true">2</span><span class="visually-hidden">2 avril 2027</span>' in body
    assert ">1 avril" not in body


def crowded_day(day, count):
    """``count`` events on ``day``, an hour apart from 9 h, in bulk; their titles, earliest first."""
    events = make_events(count, first_start=paris_datetime(day.year, day.month, day.day, 9))
    return [event.title for event in events]


def cell_of(response, day):
    return next(cell for week in response.context["weeks"] for cell in week if cell["date"] == day and cell["in_month"])


def day_link(day, **extra):
    return "/agenda/?" + "&amp;".join(f"{key}={value}" for key, value in {"du": day, "au": day, **extra}.items())


def test_crowded_day_shows_five_events_then_a_link_to_all_of_them(client):
    day = timezone.localdate() + datetime.timedelta(days=40)
    eve = day - datetime.timedelta(days=1)
    # An event started the day before and still under way counts among that day's events.
    EventFactory(
        title="Veille de nuit",
        start=paris_datetime(eve.year, eve.month, eve.day, 20),
        end=paris_datetime(day.year, day.month, day.day, 8),
    )
    titles_of_the_day = ["Veille de nuit", *crowded_day(day, 6)]
    response = client.get(f"/agenda/{day:%Y/%m}/")
    body = response.content.decode()

    cell = cell_of(response, day)
    assert [event.title for event, _hours in cell["events"]] == titles_of_the_day[:5]
    assert (cell["count"], cell["hidden"]) == (7, 2)
    link = day_link(day)
    date = dates.french_date(day)
    assert f'href="{link}">+ 2 autres<span class="visually-hidden"> événements le {date}</span></a>' in body
    # The day-by-day list: the same five, the same link.
    listed = next(entry for entry in response.context["days"] if entry["date"] == day)
    assert [event.title for event, _hours in listed["events"]] == titles_of_the_day[:5]
    assert f'<a href="{link}">Voir les 7 événements du {date}</a>' in body
    assert body.count(f'href="{link}"') == 2
    for title in titles_of_the_day[5:]:
        assert title not in body
    assert f"{len(titles_of_the_day)} événements ce mois-ci." in body

    # The link lists exactly that day's events, the one under way since the day before included.
    crowded_day(day + datetime.timedelta(days=1), 2)
    agenda = client.get(link.replace("&amp;", "&"))
    assert [event.title for event in agenda.context["events"]] == titles_of_the_day


def test_crowded_past_day_links_to_every_event_of_that_day(client):
    day = datetime.date(2025, 3, 12)
    # Still under way today: the day's link must list it too, with the events that have ended.
    EventFactory(title="Exposition", start=paris_datetime(2025, 3, 12, 8), end=paris_datetime(2099, 1, 1, 18))
    titles_of_the_day = crowded_day(day, 7)
    crowded_day(day + datetime.timedelta(days=1), 1)
    body = client.get("/agenda/2025/03/").content.decode()
    link = day_link(day)
    assert f'href="{link}">+ 3 autres' in body
    assert "Voir les 8 événements du mercredi 12 mars 2025" in body
    agenda = client.get(link.replace("&amp;", "&"))
    assert [event.title for event in agenda.context["events"]] == ["Exposition", *titles_of_the_day]
    assert "8 événements" in agenda.content.decode()
    assert "Événements du mercredi 12 mars 2025" in agenda.content.decode()
    # All of them under the day asked for, the exhibition included (it began that very day).
    assert [day for day, _ in agenda.context["days"]] == [day]


def test_crowded_today_links_to_events_already_over_too(client, monkeypatch):
    today = timezone.localdate()
    titles_of_the_day = crowded_day(today, 7)  # 9 h to 15 h
    late_evening = paris_datetime(today.year, today.month, today.day, 23, 30)
    monkeypatch.setattr(EventListView, "get_now", lambda self: late_evening)
    body = client.get(f"/agenda/{today:%Y/%m}/").content.decode()
    link = day_link(today)
    assert f'href="{link}">+ 2 autres' in body
    agenda = client.get(link.replace("&amp;", "&"))
    assert [event.title for event in agenda.context["events"]] == titles_of_the_day
    # Without the two dates, the agenda lists what is not over yet: none of them, at 23 h 30.
    assert not client.get("/agenda/", {"du": today.isoformat()}).context["events"]


def test_between_two_dates_an_event_begun_before_is_listed_under_the_first_day(client):
    EventFactory(title="Semaine du dépistage", start=paris_datetime(2025, 3, 9, 8), end=paris_datetime(2025, 3, 14, 18))
    EventFactory(title="Avant", start=paris_datetime(2025, 3, 8, 8), end=paris_datetime(2025, 3, 8, 10))
    EventFactory(title="Après", start=paris_datetime(2025, 3, 13, 8), end=paris_datetime(2025, 3, 13, 10))
    response = client.get("/agenda/", {"du": "2025-03-11", "au": "2025-03-12"})
    days = response.context["days"]
    assert [(day, [event.title for event in events]) for day, events in days] == [
        (datetime.date(2025, 3, 11), ["Semaine du dépistage"])
    ]
    assert "Événements du mardi 11 mars 2025 au mercredi 12 mars 2025" in response.content.decode()


def test_day_with_five_events_has_no_link(client):
    day = datetime.date(2026, 3, 12)
    titles_of_the_day = crowded_day(day, 5)
    response = client.get("/agenda/2026/03/")
    body = response.content.decode()
    assert month_cells(response)[12] == titles_of_the_day
    assert "autres" not in body
    assert "Voir les" not in body
    assert "du=" not in body


def test_multi_day_event_counts_on_every_day_it_covers(client):
    EventFactory(title="Semaine du dépistage", start=paris_datetime(2026, 3, 9, 8), end=paris_datetime(2026, 3, 11, 18))
    for day in (9, 10, 11):
        crowded_day(datetime.date(2026, 3, day), 5)
    response = client.get("/agenda/2026/03/")
    body = response.content.decode()
    for day in (9, 10, 11):
        cell = cell_of(response, datetime.date(2026, 3, day))
        assert cell["events"][0][0].title == "Semaine du dépistage"
        assert (cell["count"], cell["hidden"]) == (6, 1)
        date = dates.french_date(datetime.date(2026, 3, day))
        link = day_link(f"2026-03-{day:02d}")
        assert f'href="{link}">+ 1 autre<span class="visually-hidden"> événement le {date}</span></a>' in body
        assert f"Voir les 6 événements du {date}" in body
    assert "16 événements ce mois-ci." in body


# /agenda/<slug>/ --------------------------------------------------------------------------


def json_ld(body):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert match, "pas de JSON-LD dans la page"
    return json.loads(match.group(1))


def test_event_page_says_what_when_where_for_whom_and_how(client):
    lead = PartnerFactory(name="Hôpital Henri-Mondor")
    place = PlaceFactory(
        name="Maison de la santé",
        slug="maison-de-la-sante",
        address="5 rue Juliette-Savar, 94000 Créteil",
        neighbourhood=NeighbourhoodFactory(name="Centre ancien"),
        public_transport="Métro 8, station Créteil-Préfecture.",
        accessibility_notes="Ascenseur et boucle magnétique à l’accueil.",
        serves_moteur=True,
        serves_auditif=True,
    )
    action = ActionFactory(
        title="Santé bucco-dentaire",
        lead_partner=lead,
        partners=[lead, PartnerFactory(name="Partenaire caché", published=False)],
        audiences=[AudienceFactory(name="Familles")],
    )
    event = EventFactory(
        title="Atelier brossage",
        action=action,
        place=place,
        start=paris_datetime(2030, 3, 16, 10),
        end=paris_datetime(2030, 3, 16, 12, 30),
        registration=Registration.REQUIRED,
        registration_phone="01 49 80 88 68",
        registration_url="https://example.org/inscription",
        description="Un atelier pour apprendre à bien se brosser les dents.",
    )
    response = client.get(event.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Atelier brossage</h1>" in body
    assert "Samedi 16 mars 2030, de 10 h à 12 h 30" in body
    assert 'href="/lieux/maison-de-la-sante/"' in body
    assert "5 rue Juliette-Savar, 94000 Créteil" in body
    assert "Centre ancien" in body
    assert "Métro 8, station Créteil-Préfecture." in body
    assert "Ascenseur et boucle magnétique" in body
    assert "handicap moteur" in body
    assert "handicap auditif" in body
    # For whom: the action's audiences, as the event has none of its own.
    assert "Familles" in body
    assert "Inscription obligatoire" in body
    assert 'href="https://example.org/inscription"' in body
    assert 'href="tel:+33149808868"' in body
    assert "Gratuit" in body
    assert f'href="{action.get_absolute_url()}"' in body
    assert "Hôpital Henri-Mondor" in body
    assert "Partenaire caché" not in body
    assert f'href="{event.get_ics_url()}"' in body
    assert "Ajouter à mon agenda" in body
    assert body.count("<h1") == 1
    assert 'aria-label="Fil d’Ariane"' in body
    assert 'href="/agenda/"' in body


def test_event_audiences_take_precedence_over_the_action_ones(client):
    event = EventFactory(
        action=ActionFactory(audiences=[AudienceFactory(name="Familles")]),
        audiences=[AudienceFactory(name="Seniors")],
        start=paris_datetime(2030, 3, 16, 10),
    )
    body = client.get(event.get_absolute_url()).content.decode()
    assert "Seniors" in body
    assert "Familles" not in body


@pytest.mark.parametrize(
    ("start", "end", "all_day", "phrase"),
    [
        ((2030, 3, 16, 10), (2030, 3, 16, 12), False, "Samedi 16 mars 2030, de 10 h à 12 h"),
        ((2030, 3, 16), (2030, 3, 17), True, "Samedi 16 mars 2030, toute la journée"),
        ((2030, 3, 16, 10), (2030, 3, 17, 18), False, "Du samedi 16 mars 2030 à 10 h au dimanche 17 mars 2030 à 18 h"),
        ((2030, 3, 16, 10, 30), (2030, 3, 16, 11, 45), False, "Samedi 16 mars 2030, de 10 h 30 à 11 h 45"),
    ],
)
def test_event_page_french_date_phrases(client, start, end, all_day, phrase):
    event = EventFactory(start=paris_datetime(*start), end=paris_datetime(*end), all_day=all_day)
    assert phrase in client.get(event.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("status", "note", "banner", "schema_status", "availability"),
    [
        (EventStatus.CANCELLED, "", "Cet événement est annulé", "EventCancelled", "InStock"),
        (EventStatus.POSTPONED, "Reporté au jeudi 12 mars.", "Cet événement est reporté", "EventPostponed", "InStock"),
        (EventStatus.FULL, "", "Cet événement est complet", "EventScheduled", "SoldOut"),
        (EventStatus.SCHEDULED, "", None, "EventScheduled", "InStock"),
    ],
)
def test_event_status_banners_and_json_ld(client, status, note, banner, schema_status, availability):
    event = EventFactory(
        status=status,
        status_note=note,
        start=paris_datetime(2030, 3, 16, 10),
        end=paris_datetime(2030, 3, 16, 12),
        registration=Registration.REQUIRED,
        registration_url="https://example.org/inscription",
    )
    body = client.get(event.get_absolute_url()).content.decode()
    for text in ("Cet événement est annulé", "Cet événement est reporté", "Cet événement est complet"):
        assert (text in body) == (text == banner)
    if banner:
        assert re.search(rf'role="status">\s*<h2 class="h5">{banner}</h2>', body)
    if note:
        assert note in body
    # A cancelled or full event offers no registration link.
    assert ('href="https://example.org/inscription"' in body) == (
        status in (EventStatus.SCHEDULED, EventStatus.POSTPONED)
    )
    data = json_ld(body)
    assert data["eventStatus"] == f"https://schema.org/{schema_status}"
    assert data["offers"]["availability"] == f"https://schema.org/{availability}"
    assert "Cet événement est passé" not in body


def test_past_event_has_a_banner(client):
    now = timezone.now()
    event = EventFactory(start=now - datetime.timedelta(days=3), end=now - datetime.timedelta(days=3, hours=-2))
    body = client.get(event.get_absolute_url()).content.decode()
    assert "Cet événement est passé" in body
    assert "Voir les prochains événements" in body


def test_hours_do_not_break_across_lines(frozen_now):
    event = EventFactory(start=paris_datetime(2026, 3, 14, 10, 30), end=paris_datetime(2026, 3, 14, 12))
    for url in (event.get_absolute_url(), "/agenda/", "/agenda/2026/03/"):
        main = Client().get(url).content.decode().split("<main")[1]
        assert "10\u00a0h\u00a030" in main
        assert "10 h 30" not in main
    assert "de 10\u00a0h\u00a030 à 12\u00a0h" in Client().get(event.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("start", "end", "expected_start", "expected_end"),
    [
        ((2026, 3, 14, 10), (2026, 3, 14, 12), "2026-03-14T10:00:00+01:00", "2026-03-14T12:00:00+01:00"),
        ((2026, 7, 14, 10), (2026, 7, 14, 12), "2026-07-14T10:00:00+02:00", "2026-07-14T12:00:00+02:00"),
        ((2026, 3, 29, 10), (2026, 3, 29, 12), "2026-03-29T10:00:00+02:00", "2026-03-29T12:00:00+02:00"),
        ((2026, 10, 25, 10), (2026, 10, 25, 12), "2026-10-25T10:00:00+01:00", "2026-10-25T12:00:00+01:00"),
    ],
)
def test_json_ld_dates_carry_the_paris_offset(client, start, end, expected_start, expected_end):
    event = EventFactory(start=paris_datetime(*start), end=paris_datetime(*end))
    data = json_ld(client.get(event.get_absolute_url()).content.decode())
    assert data["startDate"] == expected_start
    assert data["endDate"] == expected_end


def test_json_ld_describes_the_event(client):
    place = PlaceFactory(
        name="CCAS", address="1 place Salvador-Allende, 94000 Créteil", latitude=48.790367, longitude=2.455572
    )
    event = EventFactory(
        title="Bilan de forme",
        place=place,
        is_free=False,
        price="5 € par personne",
        start=paris_datetime(2030, 3, 16, 10),
        end=paris_datetime(2030, 3, 16, 12),
    )
    data = json_ld(client.get(event.get_absolute_url()).content.decode())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "Bilan de forme"
    assert data["url"].startswith("http")
    assert data["url"].endswith(event.get_absolute_url())
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["isAccessibleForFree"] is False
    assert data["offers"]["price"] == "5"
    assert data["offers"]["priceCurrency"] == "EUR"
    assert data["location"]["@type"] == "Place"
    assert data["location"]["name"] == "CCAS"
    assert data["location"]["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "1 place Salvador-Allende",
        "postalCode": "94000",
        "addressLocality": "Créteil",
        "addressCountry": "FR",
    }
    assert data["location"]["geo"]["latitude"] == pytest.approx(48.790367)
    assert data["organizer"]["@type"] == "Organization"
    assert "CCAS" in data["organizer"]["name"]


def test_json_ld_of_an_all_day_event_uses_dates(client):
    event = EventFactory(start=paris_datetime(2030, 3, 16), end=paris_datetime(2030, 3, 18), all_day=True)
    data = json_ld(client.get(event.get_absolute_url()).content.decode())
    assert data["startDate"] == "2030-03-16"
    assert data["endDate"] == "2030-03-17"
    assert data["isAccessibleForFree"] is True


def test_json_ld_cannot_break_out_of_its_script(client):
    event = EventFactory(
        title="</script><script>alert(1)</script>",
        description="Tom & Jerry <3 <b>gras</b>",
        start=paris_datetime(2030, 3, 16, 10),
    )
    body = client.get(event.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert body.count("</script>") == 1
    data = json_ld(body)
    assert data["name"] == "</script><script>alert(1)</script>"
    # The description is rich text: its markup is stripped, its < and & stay (escaped in the JSON).
    assert data["description"] == "Tom & Jerry <3 gras"


def test_open_graph_tags(client):
    event = EventFactory(
        title="Café psycho",
        place=PlaceFactory(name="Maison des associations"),
        start=paris_datetime(2030, 3, 16, 10),
        end=paris_datetime(2030, 3, 16, 12),
    )
    body = client.get(event.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Café psycho">' in body
    assert '<meta property="og:type" content="website">' in body
    assert re.search(rf'<meta property="og:url" content="https?://[^"]+{event.get_absolute_url()}">', body)
    assert (
        '<meta property="og:description" content="Samedi 16 mars 2030, de 10 h à 12 h – Maison des associations.">'
        in body
    )
    assert re.search(r'<meta name="description"\s+content="\s*Samedi 16 mars 2030, de 10 h à 12 h', body)


def test_event_without_place_and_with_unpublished_place(client):
    no_place = EventFactory(place=None, start=paris_datetime(2030, 3, 16, 10))
    response = client.get(no_place.get_absolute_url())
    assert response.status_code == 200
    assert "Le lieu sera précisé" in response.content.decode()
    assert "location" not in json_ld(response.content.decode())
    hidden = EventFactory(place=PlaceFactory(name="Local privé", slug="local-prive", published=False))
    body = client.get(hidden.get_absolute_url()).content.decode()
    assert "Local privé" in body
    assert 'href="/lieux/local-prive/"' not in body


def test_unpublished_event_is_404_for_public_and_preview_for_staff(client, editor):
    event = EventFactory(published=False)
    assert_not_found_page(client.get(event.get_absolute_url()))
    client.force_login(editor)
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    assert "Aperçu" in response.content.decode()


def test_event_of_an_unpublished_action_is_404_for_public_and_preview_for_staff(client, editor):
    event = EventFactory(action=ActionFactory(published=False))
    assert_not_found_page(client.get(event.get_absolute_url()))
    client.force_login(editor)
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    assert "l’action de cet événement n’est pas publiée" in response.content.decode()


def test_unknown_slugs_give_404(client):
    assert_not_found_page(client.get("/agenda/inconnu/"))
    assert_not_found_page(client.get("/lieux/inconnu/"))


def test_event_page_query_count_is_bounded(client):
    partners = [PartnerFactory() for _ in range(5)]
    event = EventFactory(
        action=ActionFactory(partners=partners, audiences=[AudienceFactory(), AudienceFactory()]),
        audiences=[AudienceFactory()],
        place=PlaceFactory(neighbourhood=NeighbourhoodFactory()),
    )
    assert count_queries(client, event.get_absolute_url()) <= 5


# /lieux/<slug>/ ---------------------------------------------------------------------------


def test_place_page(client):
    place = PlaceFactory(
        name="Maison de la santé",
        address="5 rue Juliette-Savar, 94000 Créteil",
        neighbourhood=NeighbourhoodFactory(name="Centre ancien"),
        public_transport="Métro 8, station Créteil-Préfecture.",
        accessibility_notes="Ascenseur et boucle magnétique à l’accueil.",
        serves_visuel=True,
        phone="01 45 17 00 00",
        latitude=48.790367,
        longitude=2.455572,
    )
    now = timezone.now()
    EventFactory(title="Prochain atelier", place=place, start=now + datetime.timedelta(days=3))
    EventFactory(title="Atelier passé", place=place, start=now - datetime.timedelta(days=3))
    EventFactory(title="Atelier brouillon", place=place, published=False)
    EventFactory(title="Ailleurs")
    response = client.get(place.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Maison de la santé</h1>" in body
    assert "5 rue Juliette-Savar, 94000 Créteil" in body
    assert "Centre ancien" in body
    assert "Métro 8, station Créteil-Préfecture." in body
    assert "Ascenseur et boucle magnétique" in body
    assert "handicap visuel" in body
    assert 'href="tel:+33145170000"' in body
    assert "Prochain atelier" in body
    assert "Atelier passé" not in body
    assert "Atelier brouillon" not in body
    assert "Ailleurs" not in body
    assert 'href="https://www.openstreetmap.org/?mlat=48.790367&amp;mlon=2.455572#map=18/48.790367/2.455572"' in body
    # A plain link: nothing on the page is loaded from a third party.
    assert "<iframe" not in body
    assert 'src="https://' not in body
    assert 'aria-label="Fil d’Ariane"' in body


def test_place_without_coordinates_has_a_map_link_to_its_address(client):
    place = PlaceFactory(address="5 rue Juliette-Savar, 94000 Créteil")
    body = client.get(place.get_absolute_url()).content.decode()
    # Searched by its address: a plain link, nothing loaded from a third party.
    assert 'href="https://www.openstreetmap.org/search?query=5+rue+Juliette-Savar%2C+94000+Cr%C3%A9teil"' in body
    assert "<iframe" not in body
    assert "Aucun événement n’est prévu ici" in body
    assert "Nous n’avons pas encore d’information sur l’accessibilité" in body


def test_unpublished_place_is_404_for_public_and_preview_for_staff(client, editor):
    place = PlaceFactory(published=False)
    assert_not_found_page(client.get(place.get_absolute_url()))
    client.force_login(editor)
    response = client.get(place.get_absolute_url())
    assert response.status_code == 200
    assert "Aperçu" in response.content.decode()


def test_place_page_query_count_does_not_grow_with_events(client):
    place = PlaceFactory(neighbourhood=NeighbourhoodFactory())
    make_events(3, first_start=timezone.now() + datetime.timedelta(days=1), place=place)
    few = count_queries(client, place.get_absolute_url())
    make_events(300, first_start=timezone.now() + datetime.timedelta(days=1), place=place)
    many = count_queries(client, place.get_absolute_url())
    assert few == many
    assert many <= 5  # the place, its events, and their audiences and their actions' (two prefetches)
    body = client.get(place.get_absolute_url()).content.decode()
    assert f'href="/agenda/?lieu={place.slug}"' in body


def test_event_page_names_its_axis_by_its_name_not_its_number(client):
    event = EventFactory(action=ActionFactory(axis=axis(3)))
    body = client.get(event.get_absolute_url()).content.decode()
    badge = re.search(r'<a class="axis-badge[^"]*"\s+href="[^"]*">(.*?)</a>', body, re.S).group(1)
    assert squash(badge) == axis(3).name
    assert "Axe 3 :" not in body
