"""Calendars (issue 3, item 4): the .ics files parsed back with icalendar, field by field, and the RSS feed."""

import datetime
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from events.enums import EventStatus, Registration
from events.filters import EventFilter
from events.models import Event
from tests.actions.factories import ActionFactory, NeighbourhoodFactory, axis
from tests.events.factories import EventFactory, PlaceFactory
from tests.helpers import assert_not_found_page, count_queries, paris_datetime

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate().year + 1
FRENCH_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def parse(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def vevents(calendar):
    return calendar.walk("VEVENT")


def only_vevent(calendar):
    (vevent,) = vevents(calendar)
    return vevent


def event_calendar(client, event):
    return parse(client.get(event.get_ics_url()))


def feed(client, query=""):
    return parse(client.get(f"/agenda.ics{'?' + query if query else ''}"))


def uids(calendar):
    return [str(vevent["UID"]) for vevent in vevents(calendar)]


def raw_lines(content):
    """The unfolded content lines of a raw .ics body, as text."""
    return content.decode().replace("\r\n ", "").split("\r\n")


# One event: the file and the calendar around it -------------------------------------------


def test_event_ics_is_an_attachment_with_a_valid_calendar(client):
    event = EventFactory(slug="cafe-psycho-mars")
    response = client.get("/agenda/cafe-psycho-mars.ics")
    calendar = parse(response)
    assert response["Content-Disposition"] == 'attachment; filename="cafe-psycho-mars.ics"'
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//CCAS de Créteil//Agenda du CLS//FR"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    timezones = calendar.walk("VTIMEZONE")
    assert len(timezones) == 1
    assert timezones[0]["TZID"] == "Europe/Paris"
    assert timezones[0].walk("STANDARD") and timezones[0].walk("DAYLIGHT")
    assert str(only_vevent(calendar)["UID"]) == f"{event.uid}@testserver"


def test_winter_and_summer_times_are_paris_wall_times(client):
    winter = EventFactory(start=paris_datetime(NEXT_YEAR, 1, 15, 10), end=paris_datetime(NEXT_YEAR, 1, 15, 12, 30))
    summer = EventFactory(start=paris_datetime(NEXT_YEAR, 7, 15, 18), end=paris_datetime(NEXT_YEAR, 7, 15, 20))
    for event, offset, start, end in (
        (winter, 1, (10, 0), (12, 30)),
        (summer, 2, (18, 0), (20, 0)),
    ):
        vevent = only_vevent(event_calendar(client, event))
        for name, (hour, minute) in (("DTSTART", start), ("DTEND", end)):
            prop = vevent[name]
            assert prop.params["TZID"] == "Europe/Paris"
            assert "VALUE" not in prop.params or prop.params["VALUE"] == "DATE-TIME"
            value = prop.dt
            assert (value.hour, value.minute) == (hour, minute)
            assert value.utcoffset() == datetime.timedelta(hours=offset)
        assert vevent["DTSTART"].dt == event.start.replace(microsecond=0)
        assert vevent["DTEND"].dt == event.end
    content = client.get(winter.get_ics_url()).content.decode()
    assert f"DTSTART;TZID=Europe/Paris:{NEXT_YEAR}0115T100000\r\n" in content
    assert f"DTEND;TZID=Europe/Paris:{NEXT_YEAR}0115T123000\r\n" in content


def test_vtimezone_covers_both_offsets_of_the_events_year(client):
    event = EventFactory(start=paris_datetime(NEXT_YEAR, 7, 15, 18), end=paris_datetime(NEXT_YEAR, 7, 15, 20))
    (vtimezone,) = event_calendar(client, event).walk("VTIMEZONE")
    offsets = {component["TZOFFSETTO"].td for component in vtimezone.subcomponents}
    assert offsets == {datetime.timedelta(hours=1), datetime.timedelta(hours=2)}
    # The spring change of the event's year is one of the onsets of summer time.
    onsets = [
        onset.date()
        for daylight in vtimezone.walk("DAYLIGHT")
        for onset in [daylight["DTSTART"].dt, *(rdate for rdate, _ in daylight.rdates)]
    ]
    last_sunday_of_march = max(
        datetime.date(NEXT_YEAR, 3, day) for day in range(25, 32) if datetime.date(NEXT_YEAR, 3, day).weekday() == 6
    )
    assert last_sunday_of_march in onsets


@pytest.mark.parametrize(
    ("start", "end", "first_day", "day_after"),
    [
        # One day, stored from midnight to midnight: DTEND is the (exclusive) next day.
        ((3, 14, 0), (3, 15, 0), (3, 14), (3, 15)),
        # One day, stored until the evening.
        ((3, 14, 0), (3, 14, 23), (3, 14), (3, 15)),
        # Three days, across the spring daylight-saving change.
        ((3, 27, 0), (3, 29, 18), (3, 27), (3, 30)),
    ],
)
def test_all_day_events_are_dates_with_an_exclusive_end(client, start, end, first_day, day_after):
    event = EventFactory(all_day=True, start=paris_datetime(NEXT_YEAR, *start), end=paris_datetime(NEXT_YEAR, *end))
    vevent = only_vevent(event_calendar(client, event))
    assert vevent["DTSTART"].params["VALUE"] == "DATE"
    assert vevent["DTEND"].params["VALUE"] == "DATE"
    assert "TZID" not in vevent["DTSTART"].params
    assert type(vevent["DTSTART"].dt) is datetime.date
    assert vevent["DTSTART"].dt == datetime.date(NEXT_YEAR, *first_day)
    assert vevent["DTEND"].dt == datetime.date(NEXT_YEAR, *day_after)


def test_uid_is_the_event_uuid_and_survives_edits(client):
    event = EventFactory()
    first = only_vevent(event_calendar(client, event))
    assert str(first["UID"]) == f"{event.uid}@testserver"
    assert str(event.pk) not in str(first["UID"]).split("@")[0].split("-")
    event.title = "Café psycho : nouveau titre"
    event.slug = "cafe-psycho-nouveau-titre"
    event.start += datetime.timedelta(days=1)
    event.end += datetime.timedelta(days=1)
    event.save()
    second = only_vevent(event_calendar(client, event))
    assert str(second["UID"]) == str(first["UID"])


def test_sequence_grows_when_the_start_changes(client):
    event = EventFactory()
    assert only_vevent(event_calendar(client, event))["SEQUENCE"] == 0
    event.start += datetime.timedelta(hours=1)
    event.end += datetime.timedelta(hours=1)
    event.save()
    vevent = only_vevent(event_calendar(client, event))
    assert vevent["SEQUENCE"] == 1
    assert vevent["DTSTART"].dt == event.start.replace(microsecond=0)
    event.status = EventStatus.CANCELLED
    event.save()
    assert only_vevent(event_calendar(client, event))["SEQUENCE"] == 2


def test_dtstamp_created_and_last_modified_are_utc_from_the_database(client):
    event = EventFactory()
    vevent = only_vevent(event_calendar(client, event))
    content = client.get(event.get_ics_url()).content.decode()
    for name, value in (
        ("DTSTAMP", event.updated_at),
        ("LAST-MODIFIED", event.updated_at),
        ("CREATED", event.created_at),
    ):
        assert vevent[name].dt == value.replace(microsecond=0)
        assert vevent[name].dt.utcoffset() == datetime.timedelta(0)
        assert f"{name}:{value.astimezone(datetime.UTC):%Y%m%dT%H%M%S}Z\r\n" in content


def test_url_location_categories_and_description(client):
    place = PlaceFactory(
        name="Maison de la santé", address="8 rue Jean-Gabin, 94000 Créteil", latitude=48.79, longitude=2.45
    )
    event = EventFactory(
        slug="atelier-sante-bucco-dentaire",
        place=place,
        action=ActionFactory(axis=axis(3)),
        description="Un atelier pour les enfants et leurs parents.",
        registration=Registration.REQUIRED,
        registration_phone="01 49 80 88 68",
        is_free=False,
        price="2 €",
    )
    vevent = only_vevent(event_calendar(client, event))
    assert vevent["URL"] == "http://testserver/agenda/atelier-sante-bucco-dentaire/"
    assert str(vevent["URL"]) == f"http://testserver{reverse('events:detail', kwargs={'slug': event.slug})}"
    location = str(vevent["LOCATION"])
    assert "Maison de la santé" in location and "8 rue Jean-Gabin, 94000 Créteil" in location
    assert vevent["GEO"].latitude == pytest.approx(48.79) and vevent["GEO"].longitude == pytest.approx(2.45)
    assert vevent.categories == [axis(3).name]
    description = str(vevent["DESCRIPTION"])
    assert "Un atelier pour les enfants et leurs parents." in description
    assert "Inscription obligatoire : 01 49 80 88 68" in description
    assert "2 €" in description
    assert "http://testserver/agenda/atelier-sante-bucco-dentaire/" in description
    assert vevent["STATUS"] == "CONFIRMED"
    assert vevent["CLASS"] == "PUBLIC"


def test_event_without_place_has_no_location(client):
    vevent = only_vevent(event_calendar(client, EventFactory(place=None)))
    assert "LOCATION" not in vevent
    assert "GEO" not in vevent


@pytest.mark.parametrize(
    ("status", "ical_status", "prefix"),
    [
        (EventStatus.SCHEDULED, "CONFIRMED", ""),
        (EventStatus.FULL, "CONFIRMED", "[COMPLET] "),
        (EventStatus.POSTPONED, "TENTATIVE", "[REPORTÉ] "),
        (EventStatus.CANCELLED, "CANCELLED", "[ANNULÉ] "),
    ],
)
def test_status_and_summary(client, status, ical_status, prefix):
    event = EventFactory(title="Café psycho", status=status)
    vevent = only_vevent(event_calendar(client, event))
    assert vevent["STATUS"] == ical_status
    assert str(vevent["SUMMARY"]) == f"{prefix}Café psycho"


def test_unicode_survives_and_lines_are_folded_with_crlf(client):
    title = "Café psycho « Éco-anxiété » 🌍 : œuvrer, s’écouter — ça s’apprend !"
    description = ("Rencontre animée par une psychologue, à la Maison des arts 🎭. " * 8).strip()
    event = EventFactory(
        title=title,
        description=description,
        place=PlaceFactory(name="Médiathèque de l’Abbaye – Nelson-Mandela", address="3 place de l’Abbaye, Créteil"),
    )
    response = client.get(event.get_ics_url())
    vevent = only_vevent(parse(response))
    assert str(vevent["SUMMARY"]) == title
    assert description in str(vevent["DESCRIPTION"])
    assert "Médiathèque de l’Abbaye – Nelson-Mandela" in str(vevent["LOCATION"])
    content = response.content
    assert content.endswith(b"END:VCALENDAR\r\n")
    assert content.count(b"\n") == content.count(b"\r\n")
    lines = content.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long ones were folded
    content.decode("utf-8")  # folding never cut a character in two
    for line in lines:
        line.decode("utf-8")


# The feed /agenda.ics -----------------------------------------------------------------------


def test_feed_is_a_subscription_calendar(client):
    EventFactory()
    response = client.get("/agenda.ics")
    calendar = parse(response)
    assert response["Content-Disposition"].startswith("inline")
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//CCAS de Créteil//Agenda du CLS//FR"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Agenda du CLS de Créteil"
    assert calendar["X-WR-TIMEZONE"] == "Europe/Paris"
    assert calendar["X-PUBLISHED-TTL"] == "PT6H"
    assert calendar["REFRESH-INTERVAL"].dt == datetime.timedelta(hours=6)
    lines = raw_lines(response.content)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in lines
    assert "X-PUBLISHED-TTL:PT6H" in lines
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_empty_feed_is_still_a_valid_calendar(client):
    calendar = feed(client)
    assert vevents(calendar) == []
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"


def test_feed_lists_upcoming_published_events_soonest_first_cancelled_included(client):
    now = timezone.now()
    later = EventFactory(start=now + datetime.timedelta(days=20), end=now + datetime.timedelta(days=20, hours=2))
    cancelled = EventFactory(
        status=EventStatus.CANCELLED,
        start=now + datetime.timedelta(days=3),
        end=now + datetime.timedelta(days=3, hours=1),
    )
    under_way = EventFactory(start=now - datetime.timedelta(hours=1), end=now + datetime.timedelta(hours=1))
    past = EventFactory(
        start=now - datetime.timedelta(days=2), end=now - datetime.timedelta(days=2) + datetime.timedelta(hours=2)
    )
    unpublished = EventFactory(published=False)
    hidden_action = EventFactory(action=ActionFactory(published=False))

    calendar = feed(client)
    assert uids(calendar) == [f"{event.uid}@testserver" for event in (under_way, cancelled, later)]
    assert len(set(uids(calendar))) == len(uids(calendar))
    by_uid = {str(vevent["UID"]): vevent for vevent in vevents(calendar)}
    assert by_uid[f"{cancelled.uid}@testserver"]["STATUS"] == "CANCELLED"
    assert str(by_uid[f"{cancelled.uid}@testserver"]["SUMMARY"]).startswith("[ANNULÉ] ")
    for absent in (past, unpublished, hidden_action):
        assert f"{absent.uid}@testserver" not in by_uid


def test_unpublished_event_or_action_is_404(client):
    unpublished = EventFactory(published=False)
    hidden_action = EventFactory(action=ActionFactory(published=False))
    assert_not_found_page(client.get(unpublished.get_ics_url()))
    assert_not_found_page(client.get(hidden_action.get_ics_url()))
    assert_not_found_page(client.get("/agenda/n-existe-pas.ics"))


def test_past_event_can_still_be_downloaded_but_is_not_in_the_feed(client):
    now = timezone.now()
    past = EventFactory(start=now - datetime.timedelta(days=8), end=now - datetime.timedelta(days=8, hours=-2))
    assert only_vevent(event_calendar(client, past))["UID"] == f"{past.uid}@testserver"
    assert uids(feed(client)) == []


def test_post_is_refused(client):
    event = EventFactory()
    for url in ("/agenda.ics", event.get_ics_url()):
        refused = client.post(url)
        assert refused.status_code == 405
        assert refused["Allow"] == "GET, HEAD"
    head = client.head("/agenda.ics")
    assert head.status_code == 200
    assert head["Content-Type"] == "text/calendar; charset=utf-8"


@pytest.fixture
def filter_world():
    """Events spread over axes, places, neighbourhoods, free and priced ones."""
    mont_mesly, palais = NeighbourhoodFactory(slug="mont-mesly"), NeighbourhoodFactory(slug="palais")
    market = PlaceFactory(slug="marche-du-mont-mesly", neighbourhood=mont_mesly)
    ccas = PlaceFactory(slug="ccas", neighbourhood=palais)
    mental, environment = ActionFactory(axis=axis(3)), ActionFactory(axis=axis(5))
    for index in range(8):
        EventFactory(
            action=mental if index % 2 else environment,
            place=market if index % 3 else ccas,
            is_free=index % 4 != 0,
            price="" if index % 4 else "5 €",
            start=timezone.now() + datetime.timedelta(days=index + 1),
            end=timezone.now() + datetime.timedelta(days=index + 1, hours=2),
        )
    return {"mental": axis(3).slug, "environment": axis(5).slug}


@pytest.mark.parametrize(
    ("params", "narrows"),
    [
        ({}, False),
        ({"axe": "mental"}, True),
        ({"axe": "environment"}, True),
        ({"lieu": "marche-du-mont-mesly"}, True),
        ({"quartier": "palais"}, True),
        ({"gratuit": "1"}, True),
        ({"axe": "mental", "lieu": "ccas", "gratuit": "1"}, True),
        ({"periode": "mois"}, False),
    ],
)
def test_feed_filters_are_those_of_the_agenda(client, filter_world, params, narrows):
    params = {name: filter_world.get(value, value) for name, value in params.items()}
    expected = [
        f"{event.uid}@testserver" for event in EventFilter(params, queryset=Event.objects.published().for_cards()).qs
    ]
    assert uids(feed(client, urlencode(params))) == expected
    if narrows:
        assert 0 < len(expected) < Event.objects.count()


def test_filtered_feed_says_so_in_its_name(client, filter_world):
    calendar = feed(client, urlencode({"axe": filter_world["mental"], "gratuit": "1"}))
    name = str(calendar["X-WR-CALNAME"])
    assert name.startswith("Agenda du CLS de Créteil – ")
    assert axis(3).name in name and "Gratuit" in name
    assert "Axe 3" not in name  # the axis as the agenda's filter names it


def test_a_feed_filtered_from_the_first_of_a_month_says_1er(client):
    name = str(feed(client, "du=2027-04-01&au=2027-04-02")["X-WR-CALNAME"])
    assert name == "Agenda du CLS de Créteil – Du : 1er avril 2027 ; Au : 2 avril 2027"


def test_feed_ignores_past_period(client):
    now = timezone.now()
    upcoming = EventFactory()
    EventFactory(start=now - datetime.timedelta(days=3), end=now - datetime.timedelta(days=3, hours=-1))
    assert uids(feed(client, "periode=passes")) == [f"{upcoming.uid}@testserver"]


@pytest.mark.parametrize(
    "query",
    [
        "axe=n-existe-pas",
        "lieu=%00",
        "du=pas-une-date",
        "du=2027-02-30",
        "au=99999-01-01",
        "du=2027-03-10&au=2027-03-01",
        "periode=demain",
        "accessibilite=telepathique",
        "gratuit=peut-etre",
        "gratuit=1&gratuit=0",
        "q=" + "x" * 500,
        "q=%F0%9F%A7%A0",
        "public=%27%3B+DROP+TABLE",
        "page=abc&tri=inconnu",
        "axe[]=1&lieu=",
    ],
)
def test_junk_filters_never_break_the_feed(client, query):
    EventFactory()
    response = client.get(f"/agenda.ics?{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        text = response.content.decode()
        assert "ne sont pas valides" in text and "http://testserver/agenda/" in text
    else:
        parse(response)


def test_invalid_filter_is_a_400_in_french(client):
    response = client.get("/agenda.ics?axe=n-existe-pas")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Axe : Sélectionnez un choix valide" in text


def make_events(count):
    """``count`` upcoming events in bulk, over a few actions and places."""
    actions = [ActionFactory(axis=axis(number)) for number in (1, 3)]
    places = [PlaceFactory(), None]
    start = timezone.now() + datetime.timedelta(days=1)
    offset = Event.objects.count()
    Event.objects.bulk_create(
        EventFactory.build(
            slug=f"bulk-{offset + index}",
            action=actions[index % 2],
            place=places[index % 2],
            all_day=index % 5 == 0,
            status=EventStatus.CANCELLED if index % 7 == 0 else EventStatus.SCHEDULED,
            start=start + datetime.timedelta(hours=index),
            end=start + datetime.timedelta(hours=index + 1),
        )
        for index in range(count)
    )


@pytest.mark.parametrize("url", ["/agenda.ics", "/agenda.ics?gratuit=1&axe=sante-mentale", "/flux/agenda/"])
def test_query_count_does_not_grow_with_events(client, url):
    make_events(3)
    few = count_queries(client, url)
    make_events(297)
    many = count_queries(client, url)
    assert few == many
    assert many <= 4
    if url.startswith("/agenda.ics"):
        assert len(vevents(feed(client, url.partition("?")[2]))) > 3


def test_feed_is_capped_at_200_events(client):
    make_events(210)
    assert len(vevents(feed(client))) == 200


# Conditional GET ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_of", [lambda event: event.get_ics_url(), lambda event: "/agenda.ics", lambda event: "/flux/agenda/"]
)
def test_conditional_get(client, url_of):
    event = EventFactory()
    url = url_of(event)
    first = client.get(url)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag and last_modified

    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-modified-since": last_modified}).status_code == 304
    other = client.get(url, headers={"if-none-match": '"autre"'})
    assert other.status_code == 200
    assert other["ETag"] == etag
    assert event.title in other.content.decode()

    event.title = "Café psycho : titre changé"
    event.save()
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "titre changé" in changed.content.decode()


def test_feed_etag_changes_when_an_event_leaves_it(client):
    kept, leaving = EventFactory(), EventFactory()
    etag = client.get("/agenda.ics")["ETag"]
    Event.objects.filter(pk=leaving.pk).update(published=False)  # no updated_at change at all
    response = client.get("/agenda.ics", headers={"if-none-match": etag})
    assert response.status_code == 200
    assert uids(parse(response)) == [f"{kept.uid}@testserver"]


def test_feed_etag_depends_on_the_query_string(client, filter_world):
    plain = client.get("/agenda.ics")["ETag"]
    filtered = client.get(f"/agenda.ics?axe={filter_world['mental']}")
    assert filtered["ETag"] != plain
    response = client.get(f"/agenda.ics?axe={filter_world['mental']}", headers={"if-none-match": plain})
    assert response.status_code == 200
    assert response["ETag"] == filtered["ETag"]
    mental_events = uids(parse(filtered))
    assert mental_events
    assert uids(parse(response)) == mental_events


# RSS ------------------------------------------------------------------------------------------


def test_rss_lists_upcoming_published_events_with_french_dates(client):
    first_day = datetime.date(NEXT_YEAR, 5, 1)
    saturday = datetime.date(NEXT_YEAR, 3, 14)
    cafe = EventFactory(
        title="Café psycho",
        start=paris_datetime(NEXT_YEAR, 3, 14, 10),
        end=paris_datetime(NEXT_YEAR, 3, 14, 12),
        action=ActionFactory(axis=axis(3)),
    )
    workshop = EventFactory(
        title="Atelier nutrition",
        status=EventStatus.CANCELLED,
        start=paris_datetime(NEXT_YEAR, 5, 1, 14, 30),
        end=paris_datetime(NEXT_YEAR, 5, 1, 16),
    )
    EventFactory(title="Brouillon", published=False)
    EventFactory(
        title="Déjà passé",
        start=timezone.now() - datetime.timedelta(days=2),
        end=timezone.now() - datetime.timedelta(days=1),
    )

    response = client.get("/flux/agenda/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [item.findtext("link") for item in items] == [
        f"http://testserver{cafe.get_absolute_url()}",
        f"http://testserver{workshop.get_absolute_url()}",
    ]
    titles = [item.findtext("title") for item in items]
    assert titles[0] == f"{FRENCH_DAYS[saturday.weekday()]} 14 mars {NEXT_YEAR} à 10 h – Café psycho"
    assert titles[1] == f"{FRENCH_DAYS[first_day.weekday()]} 1er mai {NEXT_YEAR} à 14 h 30 – [ANNULÉ] Atelier nutrition"
    assert items[0].findtext("category") == axis(3).name
    assert items[0].findtext("guid") == f"urn:uuid:{cafe.uid}"
    assert items[0].find("guid").get("isPermaLink") == "false"
    assert items[0].findtext("pubDate")
    description = items[0].findtext("description")
    assert "de 10 h à 12 h" in description and "Une rencontre ouverte à tous." in description
    assert "Brouillon" not in response.content.decode() and "Déjà passé" not in response.content.decode()


def test_rss_keeps_the_next_50(client):
    make_events(60)
    items = ET.fromstring(client.get("/flux/agenda/").content).find("channel").findall("item")
    assert len(items) == 50


@pytest.mark.parametrize("query", ["a%0Ab", "a%0D%0Ab", "%0A"])
def test_a_line_break_in_the_search_gives_a_one_line_calendar_name(client, query):
    """``/agenda.ics?q=a%0Ab`` was a 500: icalendar refuses a raw line break in the calendar's name."""
    EventFactory(title="Atelier a b")

    response = client.get(f"/agenda.ics?q={query}")

    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert "\n" not in str(calendar["X-WR-CALNAME"])
    assert "\n" not in str(calendar["NAME"])
