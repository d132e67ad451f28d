"""The agenda on a phone (issue 11, §5): one-tap choices, « Ce mois-ci » at a month's end, the
essentials of an event before its description, for whom each event of a list is."""

import datetime
import re

import pytest
from django.utils import timezone

from actions.models import Audience, audiences_in_sentence
from events.enums import Period
from events.models import Event
from events.periods import months_between, period_days
from events.views import EventListView
from tests.actions.factories import ActionFactory, AudienceFactory, NeighbourhoodFactory
from tests.events.factories import EventFactory, PlaceFactory
from tests.helpers import count_queries, paris_datetime, squash

# A Wednesday in the middle of March 2026 (its week: Monday 9 to Sunday 15).
WEDNESDAY = paris_datetime(2026, 3, 11, 12)
# Saturday 28 March 2026: the month ends in four days.
MONTH_END = paris_datetime(2026, 3, 28, 12)


def freeze(monkeypatch, now):
    """/agenda/ sees ``now`` as the current time (periods, upcoming events, quick choices)."""
    monkeypatch.setattr(EventListView, "get_now", lambda self: now)
    return now


def titles(client, **params):
    response = client.get("/agenda/", params)
    assert response.status_code == 200
    return [event.title for event in response.context["events"]]


def day(month, number, year=2026):
    return datetime.date(year, month, number)


# The periods' days --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "period", "expected"),
    [
        (day(3, 11), Period.TODAY, (day(3, 11), day(3, 12))),
        (day(3, 11), Period.WEEK, (day(3, 9), day(3, 16))),
        (day(3, 15), Period.WEEK, (day(3, 9), day(3, 16))),
        # The weekend: the coming one from Monday to Friday, this one on Saturday and Sunday.
        (day(3, 9), Period.WEEKEND, (day(3, 14), day(3, 16))),
        (day(3, 13), Period.WEEKEND, (day(3, 14), day(3, 16))),
        (day(3, 14), Period.WEEKEND, (day(3, 14), day(3, 16))),
        (day(3, 15), Period.WEEKEND, (day(3, 14), day(3, 16))),
        # « Ce mois-ci »: the whole month, until its last seven days.
        (day(3, 1), Period.MONTH, (day(3, 1), day(4, 1))),
        (day(3, 24), Period.MONTH, (day(3, 1), day(4, 1))),
        # In its last seven days: the next 30 days.
        (day(3, 25), Period.MONTH, (day(3, 25), day(4, 24))),
        (day(3, 31), Period.MONTH, (day(3, 31), day(4, 30))),
        (day(2, 21), Period.MONTH, (day(2, 1), day(3, 1))),
        (day(2, 22), Period.MONTH, (day(2, 22), day(3, 24))),
        (day(12, 31), Period.MONTH, (day(12, 31), day(1, 30, year=2027))),
        (day(4, 23), Period.MONTH, (day(4, 1), day(5, 1))),
        (day(4, 24), Period.MONTH, (day(4, 24), day(5, 24))),
        (day(3, 11), Period.PAST, None),
        (day(3, 11), "", None),
    ],
)
def test_period_days(today, period, expected):
    assert period_days(period, today) == expected


# Quick choices --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_quick_choices_are_links_to_the_filtered_agenda(client, monkeypatch):
    freeze(monkeypatch, WEDNESDAY)
    EventFactory(start=paris_datetime(2026, 3, 12, 10))
    body = client.get("/agenda/").content.decode()
    choices = re.search(r'<nav class="quick-choices" aria-label="Choix rapides">(.*?)</nav>', body, re.S).group(1)
    links = re.findall(r'<a href="([^"]+)"\s*>([^<]+)</a>', choices)
    assert [(href, label.strip()) for href, label in links] == [
        ("/agenda/?periode=aujourdhui#resultats", "Aujourd’hui"),
        ("/agenda/?periode=semaine#resultats", "Cette semaine"),
        ("/agenda/?periode=week-end#resultats", "Ce week-end"),
        ("/agenda/?periode=mois#resultats", "Ce mois-ci"),
        ("/agenda/?gratuit=1#resultats", "Gratuit"),
    ]
    # The filters stay folded when none is chosen; the form sends the resident to the results.
    assert re.search(r'<details class="filters"\s+id="filtres">', body)
    assert '<form method="get" action="/agenda/#resultats"' in body


@pytest.mark.django_db
def test_a_quick_choice_adds_to_the_chosen_filters_and_is_marked_current(client, monkeypatch):
    freeze(monkeypatch, WEDNESDAY)
    EventFactory(start=paris_datetime(2026, 3, 12, 10), is_free=True)
    body = client.get("/agenda/", {"gratuit": "1", "periode": "semaine", "page": "1", "junk": "x"}).content.decode()
    # A period replaces the period (and any dates), and keeps the other filters; never the page or junk.
    assert 'href="/agenda/?gratuit=1&amp;periode=week-end#resultats"' in body
    assert 'href="/agenda/?gratuit=1&amp;periode=semaine#resultats" aria-current="true">Cette semaine' in body
    assert 'href="/agenda/?gratuit=1&amp;periode=semaine#resultats" aria-current="true">Gratuit' in body
    assert "junk" not in body.split("Choix rapides")[1].split("</nav>")[0]
    # The filters are open, and say how many are chosen.
    assert re.search(r'<details class="filters"\s+open', body)
    assert "(2 filtres choisis)" in body
    dates_given = client.get("/agenda/", {"du": "2026-03-12", "au": "2026-03-20"}).content.decode()
    assert 'href="/agenda/?periode=aujourdhui#resultats"' in dates_given


@pytest.mark.django_db
def test_quartier_choices_list_the_quartiers_with_upcoming_events(client, monkeypatch):
    freeze(monkeypatch, WEDNESDAY)
    mesly = NeighbourhoodFactory(name="Mont-Mesly", slug="mont-mesly")
    habette = NeighbourhoodFactory(name="La Habette", slug="la-habette")
    NeighbourhoodFactory(name="Quartier sans événement", slug="vide")
    past_only = NeighbourhoodFactory(name="Quartier du passé", slug="passe")
    EventFactory(place=PlaceFactory(neighbourhood=mesly), start=paris_datetime(2026, 3, 20, 10))
    EventFactory(place=PlaceFactory(neighbourhood=habette), start=paris_datetime(2026, 4, 2, 10))
    EventFactory(place=PlaceFactory(neighbourhood=past_only), start=paris_datetime(2026, 3, 2, 10))
    EventFactory(
        place=PlaceFactory(neighbourhood=NeighbourhoodFactory(name="Brouillon", slug="brouillon")),
        start=paris_datetime(2026, 3, 20, 10),
        published=False,
    )
    body = client.get("/agenda/", {"gratuit": "1"}).content.decode()
    places = body.split('aria-labelledby="par-quartier"')[1].split("</nav>")[0]
    assert re.findall(r">([^<>]+)</a>", places) == ["La Habette", "Mont-Mesly"]
    assert 'href="/agenda/?gratuit=1&amp;quartier=mont-mesly#resultats"' in places
    chosen = client.get("/agenda/", {"quartier": "mont-mesly"}).content.decode()
    assert 'href="/agenda/?quartier=mont-mesly#resultats" aria-current="true">Mont-Mesly' in chosen


@pytest.mark.django_db
def test_today_this_weekend_and_free(client, monkeypatch):
    freeze(monkeypatch, WEDNESDAY)
    EventFactory(title="Ce matin, fini", start=paris_datetime(2026, 3, 11, 8), is_free=True)
    EventFactory(title="Cet après-midi", start=paris_datetime(2026, 3, 11, 15), is_free=True)
    EventFactory(title="Demain", start=paris_datetime(2026, 3, 12, 10), is_free=True)
    EventFactory(
        title="Vendredi soir",
        start=paris_datetime(2026, 3, 13, 22),
        end=paris_datetime(2026, 3, 13, 23, 30),
        is_free=True,
    )
    EventFactory(title="Samedi payant", start=paris_datetime(2026, 3, 14, 10), is_free=False, price="5 €")
    EventFactory(title="Dimanche", start=paris_datetime(2026, 3, 15, 16), is_free=True)
    EventFactory(title="Lundi", start=paris_datetime(2026, 3, 16, 0, 30), is_free=True)
    assert titles(client, periode="aujourdhui") == ["Cet après-midi"]
    assert titles(client, periode="week-end") == ["Samedi payant", "Dimanche"]
    assert titles(client, periode="week-end", gratuit="1") == ["Dimanche"]
    # Friday 23 h to Saturday 1 h overlaps the weekend.
    Event.objects.filter(title="Vendredi soir").update(end=paris_datetime(2026, 3, 14, 1))
    assert titles(client, periode="week-end") == ["Vendredi soir", "Samedi payant", "Dimanche"]


@pytest.mark.django_db
def test_this_month_in_its_last_days_shows_the_next_30_days(client, monkeypatch):
    freeze(monkeypatch, MONTH_END)
    EventFactory(title="Lundi 30 mars", start=paris_datetime(2026, 3, 30, 10))
    EventFactory(title="Mi-avril", start=paris_datetime(2026, 4, 15, 10))
    EventFactory(title="Dernier jour compté", start=paris_datetime(2026, 4, 26, 20))
    EventFactory(title="Trop tard", start=paris_datetime(2026, 4, 27, 9))
    response = client.get("/agenda/", {"periode": "mois"})
    assert [event.title for event in response.context["events"]] == ["Lundi 30 mars", "Mi-avril", "Dernier jour compté"]
    results = squash(response.content.decode().split('id="resultats"')[1].split("</p>")[0])
    assert results.startswith("> Ce mois-ci Événements du samedi 28 mars 2026 au dimanche 26 avril 2026")


@pytest.mark.django_db
def test_this_month_in_the_middle_of_a_month_is_the_month(client, monkeypatch):
    freeze(monkeypatch, WEDNESDAY)
    EventFactory(title="Fin mars", start=paris_datetime(2026, 3, 31, 10))
    EventFactory(title="Avril", start=paris_datetime(2026, 4, 1, 10))
    response = client.get("/agenda/", {"periode": "mois"})
    assert [event.title for event in response.context["events"]] == ["Fin mars"]
    assert "Événements du dimanche 1er mars 2026 au mardi 31 mars 2026" in squash(response.content.decode())


AGENDA_FILTERS = [
    {},
    {"periode": "week-end", "gratuit": "1"},
    {"periode": "mois", "quartier": "q-0"},
    {"periode": "aujourdhui"},
]


@pytest.mark.django_db
def test_agenda_queries_stay_bounded_with_events_audiences_and_quartiers(client, monkeypatch):
    """Each filter of the agenda: the same number of queries with 2 and with 27 events (rows created once)."""
    freeze(monkeypatch, timezone.now())
    start = timezone.now() + datetime.timedelta(hours=1)

    def add(count):
        for index in range(count):
            neighbourhood = NeighbourhoodFactory(name=f"Quartier {Event.objects.count()}")
            EventFactory(
                start=start + datetime.timedelta(minutes=index),
                place=PlaceFactory(neighbourhood=neighbourhood),
                audiences=[AudienceFactory(), AudienceFactory()],
                action=ActionFactory(audiences=[AudienceFactory()]),
                is_free=True,
            )

    NeighbourhoodFactory(name="Q", slug="q-0")
    add(2)
    urls = ["/agenda/?" + "&".join(f"{key}={value}" for key, value in params.items()) for params in AGENDA_FILTERS]
    few = {url: count_queries(client, url) for url in urls}
    add(25)
    many = {url: count_queries(client, url) for url in urls}
    assert few == many
    assert max(many.values()) <= 12, many


# For whom, in every list of events ----------------------------------------------------------


@pytest.mark.django_db
def test_each_event_in_a_list_says_for_whom_it_is(client, monkeypatch):
    freeze(monkeypatch, WEDNESDAY)
    place = PlaceFactory()
    seniors = AudienceFactory(name="Seniors", slug="seniors")
    parents = AudienceFactory(name="Parents", slug="parents")
    EventFactory(title="Pour les seniors", place=place, audiences=[seniors], start=paris_datetime(2026, 3, 12, 10))
    EventFactory(
        title="Par son action",
        place=place,
        action=ActionFactory(audiences=[parents, seniors]),
        start=paris_datetime(2026, 3, 13, 10),
    )
    EventFactory(title="Ouvert", place=place, start=paris_datetime(2026, 3, 14, 10))

    def for_whom(body):
        cards = re.findall(r'<article class="card[^"]*event-card.*?</article>', body, re.S)
        return {
            re.search(r"<a href=[^>]+>([^<]+)</a>", card).group(1): re.search(
                r"Pour qui : (.*?) (?:Gratuit|Payant)", squash(card)
            ).group(1)
            for card in cards
        }

    # Inside the sentence « Pour qui : … », the audiences' names are not capitalised.
    expected = {"Pour les seniors": "seniors", "Par son action": "parents, seniors", "Ouvert": "tout le monde"}
    assert for_whom(client.get("/agenda/").content.decode()) == expected
    # The place's page too (its upcoming events, by the real clock: move them after now).
    Event.objects.update(
        start=timezone.now() + datetime.timedelta(days=1), end=timezone.now() + datetime.timedelta(days=2)
    )
    assert for_whom(client.get(place.get_absolute_url()).content.decode()) == expected


# The event page: the essentials before the description -------------------------------------


@pytest.mark.django_db
def test_event_page_gives_when_where_price_for_whom_and_how_before_the_description(client):
    event = EventFactory(
        title="Atelier mémoire",
        description="<p>Un atelier pour entraîner sa mémoire en s’amusant.</p>",
        place=PlaceFactory(name="Maison des seniors", address="2 rue Juliette-Savar, 94000 Créteil"),
        audiences=[AudienceFactory(name="Seniors", slug="seniors")],
        is_free=False,
        price="3 € la séance",
        registration="obligatoire",
        registration_phone="01 49 80 88 68",
    )
    main = squash(client.get(event.get_absolute_url()).content.decode().split('id="contenu"')[1])
    order = [
        "Quand ?",
        "Où ? Maison des seniors 2 rue Juliette-Savar, 94000 Créteil",
        "Combien ? 3 € la séance",
        "Pour qui ? Seniors",
        "Comment participer ? Inscription obligatoire.",
        "S’inscrire par téléphone : 01 49 80 88 68",
        "Ajouter à mon agenda",
        "De quoi s’agit-il ? Un atelier pour entraîner sa mémoire",
        "Le lieu",
        "L’action",
    ]
    positions = [main.find(piece) for piece in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_event_page_without_place_or_audience_says_so_before_the_description(client):
    event = EventFactory(title="Permanence", place=None, description="<p>Venez poser vos questions.</p>")
    text = squash(client.get(event.get_absolute_url()).content.decode().split('id="contenu"')[1])
    assert "Où ? Le lieu sera précisé." in text
    assert "Combien ? Gratuit" in text
    assert "Pour qui ? Tout le monde" in text
    assert text.index("Comment participer ? Sans inscription") < text.index("Venez poser vos questions.")


@pytest.mark.django_db
def test_event_page_query_count_with_audiences(client):
    event = EventFactory(audiences=[AudienceFactory(), AudienceFactory()])
    assert count_queries(client, event.get_absolute_url()) <= 5


# The month calendar beside the list: the month of the days it shows ---------------------------


def calendar_links(client, **params):
    """[(text, href)] of the « Calendrier du mois » links of /agenda/."""
    body = client.get("/agenda/", params).content.decode()
    return [
        (squash(text), href)
        for href, text in re.findall(r'<a href="(/agenda/\d{4}/\d{2}/)">(Calendrier du mois[^<]*)</a>', body)
    ]


@pytest.mark.django_db
def test_the_weekend_leads_to_the_calendar_of_the_weekends_month(client, monkeypatch):
    # Monday 30 November 2026: the coming weekend is Saturday 5 and Sunday 6 December.
    freeze(monkeypatch, paris_datetime(2026, 11, 30, 12))
    assert calendar_links(client, periode="week-end") == [("Calendrier du mois : décembre 2026", "/agenda/2026/12/")]
    # Without a period: this month.
    assert calendar_links(client) == [("Calendrier du mois : novembre 2026", "/agenda/2026/11/")]


@pytest.mark.django_db
def test_a_weekend_across_two_months_leads_to_both_calendars(client, monkeypatch):
    # Thursday 29 October 2026: the weekend is Saturday 31 October and Sunday 1 November.
    freeze(monkeypatch, paris_datetime(2026, 10, 29, 12))
    assert calendar_links(client, periode="week-end") == [
        ("Calendrier du mois : octobre 2026", "/agenda/2026/10/"),
        ("Calendrier du mois : novembre 2026", "/agenda/2026/11/"),
    ]
    # On that Sunday, Saturday is over: the list shows Sunday, in November.
    freeze(monkeypatch, paris_datetime(2026, 11, 1, 12))
    assert calendar_links(client, periode="week-end") == [("Calendrier du mois : novembre 2026", "/agenda/2026/11/")]


@pytest.mark.django_db
def test_this_month_at_its_end_and_chosen_dates_lead_to_their_months(client, monkeypatch):
    freeze(monkeypatch, MONTH_END)  # « Ce mois-ci » on 28 March: the next 30 days, into April
    assert [href for _, href in calendar_links(client, periode="mois")] == ["/agenda/2026/03/", "/agenda/2026/04/"]
    assert [href for _, href in calendar_links(client, du="2026-06-10", au="2026-06-12")] == ["/agenda/2026/06/"]


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (day(3, 14), day(3, 15), [(2026, 3)]),
        (day(10, 31), day(11, 1), [(2026, 10), (2026, 11)]),
        (day(12, 26), day(1, 2, year=2027), [(2026, 12), (2027, 1)]),
        (day(1, 1), day(12, 31), [(2026, 1), (2026, 2)]),  # at most two
    ],
)
def test_months_between(first, last, expected):
    assert months_between(first, last) == expected


@pytest.mark.django_db
def test_event_page_lists_its_audiences_as_a_sentence(client):
    event = EventFactory(
        audiences=[
            AudienceFactory(name="Enfants", slug="enfants"),
            AudienceFactory(name="Parents et futurs parents", slug="parents"),
            AudienceFactory(name="MDPH et aidants", slug="mdph"),
        ]
    )
    text = squash(client.get(event.get_absolute_url()).content.decode().split('id="contenu"')[1])
    assert "Pour qui ? Enfants, MDPH et aidants, parents et futurs parents Comment participer ?" in text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Parents et futurs parents", "parents et futurs parents"),
        ("Tous publics", "tous publics"),
        ("Écoliers", "écoliers"),
        ("LGBT+ et alliés", "LGBT+ et alliés"),  # an acronym keeps its capitals
        ("", ""),
    ],
)
def test_an_audience_reads_right_inside_a_sentence(name, expected):
    assert Audience(name=name).in_sentence == expected


def test_audiences_in_a_sentence_say_everyone_when_there_is_none():
    assert audiences_in_sentence([]) == "tout le monde"
    assert audiences_in_sentence([Audience(name="Seniors"), Audience(name="Femmes")]) == "seniors, femmes"
