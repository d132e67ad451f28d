"""A resident's journey through the agenda, in real Chromium, on the real initial content:
filter /agenda/ by neighbourhood or free events only (with and without JavaScript), open an
event, read when it takes place in French, add it to a calendar (.ics); the month calendar,
its previous and next months, and its list of days at 320 px.
"""

import datetime
import re

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Action
from core import dates
from events import formatting
from events.models import Event, Place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEIGHBOURHOOD = "mont-mesly"
PHONE_WIDTH = {"width": 320, "height": 640}
# « samedi 5 décembre 2026, de 9 h 30 à 12 h 30 »: the hours as the page writes them (with no-break spaces).
FRENCH_HOURS = re.compile(r"de\s\d{1,2}\sh(\s\d{2})?\sà\s\d{1,2}\sh(\s\d{2})?")


def upcoming_events():
    return Event.objects.published().upcoming().select_related("place__neighbourhood").order_by("start", "pk")


def event_count_heading(count):
    return "1 événement" if count == 1 else f"{count} événements"


def open_filters(page):
    """The filters are folded when none is chosen: open them as a resident would."""
    page.locator("details.filters summary").click()


def card_titles(page):
    return page.get_by_role("main").locator(".event-card .card-title a").all_inner_texts()


def parse_ics(body):
    calendar = icalendar.Calendar.from_ical(body)
    return list(calendar.walk("VEVENT"))


@pytest.mark.parametrize("javascript", [True, False], ids=["avec-javascript", "sans-javascript"])
def test_filter_by_neighbourhood_open_an_event_and_add_it_to_a_calendar(new_context, site_url, cls_content, javascript):
    nearby = [event for event in upcoming_events() if event.place and event.place.neighbourhood]
    nearby = [event for event in nearby if event.place.neighbourhood.slug == NEIGHBOURHOOD]
    elsewhere = upcoming_events().exclude(place__neighbourhood__slug=NEIGHBOURHOOD).first()
    assert nearby and elsewhere, "le contenu initial doit avoir des événements au Mont-Mesly et ailleurs"
    page = new_context(java_script_enabled=javascript).new_page()

    page.goto(site_url("/agenda/"))
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda")
    expect(main.get_by_role("link", name=elsewhere.title, exact=True).first).to_be_visible()
    open_filters(page)
    page.get_by_label("Quartier", exact=True).select_option(NEIGHBOURHOOD)
    page.get_by_role("button", name="Voir les résultats", exact=True).click()

    # The form sends the resident straight to the results (#resultats), above the open filters on a phone.
    expect(page).to_have_url(re.compile(rf"/agenda/\?(.+&)?quartier={NEIGHBOURHOOD}(&.*)?#resultats$"))
    expect(main.locator(".result-count")).to_have_text(event_count_heading(len(nearby)))
    # Only the events of that neighbourhood: every card is one of them, none from elsewhere.
    assert sorted(card_titles(page)) == sorted(event.title for event in nearby)
    expect(main.get_by_role("link", name=elsewhere.title, exact=True)).to_have_count(0)
    # The chosen filter stays selected and the filters stay open, so the resident sees what the list shows.
    expect(page.get_by_label("Quartier", exact=True)).to_have_value(NEIGHBOURHOOD)
    expect(page.get_by_role("button", name="Voir les résultats", exact=True)).to_be_visible()
    # The subscription follows the filters.
    subscribe = page.get_by_role("link", name="Adresse de l’agenda à copier (format iCalendar)")
    expect(subscribe).to_have_attribute("href", re.compile(rf"^/agenda\.ics\?(.+&)?quartier={NEIGHBOURHOOD}"))

    event = nearby[0]
    main.get_by_role("link", name=event.title, exact=True).first.click()

    expect(page).to_have_url(site_url(event.get_absolute_url()))
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    when = page.locator(".event-when")
    expect(when).to_have_text(formatting.event_when(event), ignore_case=True)  # « Samedi 5 décembre 2026, de 9 h 30 … »
    expect(when).to_have_text(FRENCH_HOURS)
    expect(page.get_by_role("main")).to_contain_text(event.place.name)

    add = page.get_by_role("link", name="Ajouter à mon agenda", exact=True)
    expect(add).to_have_attribute("href", event.get_ics_url())
    response = page.request.get(site_url(add.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers.get("content-disposition", "")
    (vevent,) = parse_ics(response.body())
    assert str(vevent["SUMMARY"]) == event.title
    assert str(vevent["UID"]).startswith(str(event.uid))
    assert vevent.decoded("DTSTART") == dates.local(event.start)
    assert vevent.decoded("DTEND") == dates.local(event.end)


@pytest.mark.parametrize("javascript", [True, False], ids=["avec-javascript", "sans-javascript"])
def test_free_events_only(new_context, site_url, cls_content, javascript):
    free = upcoming_events().filter(is_free=True).first()
    assert free, "le contenu initial doit avoir des événements gratuits à venir"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    start = datetime.datetime.combine(tomorrow, datetime.time(10), tzinfo=timezone.get_default_timezone())
    priced = Event.objects.create(
        title="Atelier cuisine à petit prix",
        slug="atelier-cuisine-a-petit-prix",
        action=Action.objects.published().first(),
        place=Place.objects.published().first(),
        start=start,
        end=start + datetime.timedelta(hours=2),
        is_free=False,
        price="2 € par personne",
        published=True,  # a new event is a draft until published (issue 12 §1)
    )
    page = new_context(java_script_enabled=javascript).new_page()

    page.goto(site_url("/agenda/"))
    main = page.get_by_role("main")
    priced_card = main.locator(".event-card", has=page.get_by_role("link", name=priced.title, exact=True))
    expect(priced_card).to_contain_text("Payant")
    open_filters(page)
    page.get_by_label("Gratuit uniquement", exact=True).check()
    page.get_by_role("button", name="Voir les résultats", exact=True).click()

    expect(page).to_have_url(re.compile(r"/agenda/\?(.+&)?gratuit=1(&.*)?#resultats$"))
    expect(main.get_by_role("link", name=priced.title, exact=True)).to_have_count(0)
    expect(main.get_by_role("link", name=free.title, exact=True).first).to_be_visible()
    expect(main.locator(".event-card", has_text="Payant")).to_have_count(0)
    expect(page.get_by_label("Gratuit uniquement", exact=True)).to_be_checked()
    # And back: « Effacer les filtres » shows the priced event again.
    page.get_by_role("link", name="Effacer les filtres", exact=True).first.click()
    expect(page).to_have_url(site_url("/agenda/"))
    expect(main.get_by_role("link", name=priced.title, exact=True)).to_be_visible()


def test_search_an_evening_event_and_download_its_calendar_file(page, site_url, cls_content):
    """A Café psycho: « … de 19 h à 21 h »; the button downloads a calendar file."""
    event = upcoming_events().filter(title="Café psycho").first()
    assert event, "le contenu initial doit avoir un Café psycho à venir"

    page.goto(site_url("/agenda/"))
    open_filters(page)
    page.get_by_label("Mots-clés", exact=True).fill("café psycho")
    page.get_by_role("button", name="Voir les résultats", exact=True).click()
    page.get_by_role("main").get_by_role("link", name="Café psycho", exact=True).first.click()

    expect(page).to_have_url(site_url(event.get_absolute_url()))
    expect(page.locator(".event-when")).to_contain_text(", de 19 h à 21 h")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ajouter à mon agenda", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    with open(download.path(), "rb") as ics:
        (vevent,) = parse_ics(ics.read())
    assert str(vevent["SUMMARY"]) == "Café psycho"
    assert vevent.decoded("DTSTART").hour == 19
    assert vevent.decoded("DTSTART").tzinfo is not None


def test_month_calendar_next_and_previous_months(page, site_url, cls_content):
    today = timezone.localdate()
    this_month = dates.french_month(today.year, today.month)
    following = (today.replace(day=28) + datetime.timedelta(days=7)).replace(day=1)
    next_month = dates.french_month(following.year, following.month)
    in_month = Event.objects.published().in_month(following.year, following.month).first()
    assert in_month, "le contenu initial doit avoir des événements le mois prochain"

    page.goto(site_url("/agenda/"))
    page.get_by_role("link", name=f"Calendrier du mois : {this_month}", exact=True).click()
    expect(page).to_have_url(site_url(f"/agenda/{today:%Y}/{today:%m}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Agenda de {this_month}")

    months = page.get_by_role("navigation", name="Changer de mois")
    months.get_by_role("link", name=f"Mois suivant : {next_month}").click()
    expect(page).to_have_url(site_url(f"/agenda/{following:%Y}/{following:%m}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Agenda de {next_month}")
    table = page.get_by_role("table", name=f"Agenda de {next_month}")
    expect(table.locator("caption")).to_have_text(f"Agenda de {next_month}")
    headers = table.get_by_role("columnheader")
    expect(headers).to_have_count(7)
    # Read aloud in full (« lundi »), whatever the abbreviation shown on a phone.
    for header, day_name in zip(headers.all(), [name for name, _ in dates.week_days()], strict=True):
        expect(header).to_have_accessible_name(day_name)
    # The month's events are links in its cells.
    expect(table.get_by_role("link", name=re.compile(re.escape(in_month.title))).first).to_be_visible()

    months.get_by_role("link", name=f"Mois précédent : {this_month}").click()
    expect(page).to_have_url(site_url(f"/agenda/{today:%Y}/{today:%m}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Agenda de {this_month}")


def test_month_on_a_phone_is_its_list_of_days_and_the_hidden_table_no_tab_stop(new_context, site_url, cls_content):
    month = timezone.localtime(upcoming_events().first().start)
    label = dates.french_month(month.year, month.month)
    page = new_context(viewport=PHONE_WIDTH).new_page()
    page.goto(site_url(f"/agenda/{month:%Y}/{month:%m}/"))

    # Seven columns do not fit a phone: the table is left out, the day-by-day list stays.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE_WIDTH["width"]
    expect(page.get_by_role("region", name=f"Calendrier de {label}")).to_be_hidden()
    expect(page.get_by_role("heading", name=f"Les événements de {label}, jour par jour")).to_be_visible()

    # From the link just before the table, Tab goes on to the list, never to the hidden table.
    page.get_by_role("link", name="Voir la liste des prochains événements", exact=True).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.month-list') !== null")
