"""The month calendar with a crowded day, in real Chromium: no axe-core violation, and the
« + N autres » link, named for its day, leads to that day's events."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from core import dates
from tests.browser.test_accessibility import AXE_OPTIONS, NARROW, visit
from tests.browser.test_agenda_journey import card_titles
from tests.events.test_views import make_events
from tests.helpers import paris_datetime

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def crowded_day():
    """A day next week with 8 events (3 more than a day shows), and a quiet day after it."""
    day = timezone.localdate() + datetime.timedelta(days=7)
    titles = [event.title for event in make_events(8, first_start=paris_datetime(day.year, day.month, day.day, 9))]
    make_events(2, first_start=paris_datetime(day.year, day.month, day.day, 9) + datetime.timedelta(days=1))
    return day, titles


def test_crowded_month_has_no_axe_violation_at_any_width(new_context, site_url, crowded_day):
    day, _titles = crowded_day
    axe = Axe()
    for viewport in ({"width": 1280, "height": 900}, NARROW):
        page = new_context(viewport=viewport).new_page()
        assert visit(page, site_url(f"/agenda/{day:%Y/%m}/"), 200) is None
        results = axe.run(page, options=AXE_OPTIONS)
        assert not results.violations_count, results.generate_report()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_the_other_events_of_a_crowded_day_are_one_link_away(new_context, site_url, crowded_day, javascript):
    day, titles = crowded_day
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(site_url(f"/agenda/{day:%Y/%m}/"))
    date = dates.french_date(day)
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name=f"+ 3 autres événements le {date}", exact=True)).to_be_visible()
    page.get_by_role("link", name=f"Voir les 8 événements du {date}", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda")
    expect(page.locator(".event-card")).to_have_count(8)
    assert card_titles(page) == titles
