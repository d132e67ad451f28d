"""French dates from one module (core/dates.py): Django's French locale, « 1er », Paris time."""

import datetime

from django.template import Context, Template
from django.utils import translation

from core import dates
from tests.helpers import paris_datetime


def test_dates_in_french_whatever_the_active_language():
    with translation.override("en"):
        assert dates.french_date(datetime.date(2026, 3, 14)) == "samedi 14 mars 2026"
        assert dates.french_month(2026, 8) == "août 2026"


def test_the_first_of_the_month_is_1er_everywhere():
    first = paris_datetime(2026, 3, 1, 10, 30)
    assert dates.french_date(first) == "dimanche 1er mars 2026"
    assert dates.french_date(first, weekday=False) == "1er mars 2026"
    assert dates.french_datetime(first) == "1er mars 2026 à 10 h 30"
    rendered = Template("{% load dates %}{{ day|french_day }} | {{ day|french_datetime }}").render(
        Context({"day": first})
    )
    assert rendered == "1er mars 2026 | 1er mars 2026 à 10\u00a0h\u00a030"


def test_the_first_and_the_second_of_april():
    """Issue 12: « 1er avril 2025 », and « 2 avril 2025 » (no « 2e »), from the one home of dates."""
    assert dates.day_of_month(datetime.date(2025, 4, 1)) == "1er"
    assert dates.day_of_month(datetime.date(2025, 4, 2)) == "2"
    assert dates.french_date(datetime.date(2025, 4, 1), weekday=False) == "1er avril 2025"
    assert dates.french_date(datetime.date(2025, 4, 2), weekday=False) == "2 avril 2025"
    assert dates.french_date(datetime.date(2025, 4, 1)) == "mardi 1er avril 2025"


def test_a_datetime_is_read_in_paris_time():
    late = datetime.datetime(2026, 3, 14, 23, 30, tzinfo=datetime.UTC)  # 0 h 30 on the 15th in Paris
    assert dates.french_date(late) == "dimanche 15 mars 2026"
    assert dates.french_time(late) == "0 h 30"


def test_the_week_from_monday():
    assert dates.week_days()[0] == ("lundi", "lun.")
    assert dates.week_days()[6] == ("dimanche", "dim.")


def test_short_dates_for_tables_and_exports_in_paris_time():
    late = datetime.datetime(2026, 3, 14, 23, 30, tzinfo=datetime.UTC)  # 0 h 30 on the 15th in Paris
    assert dates.short_date(datetime.date(2026, 4, 1)) == "01/04/2026"
    assert dates.short_date(late) == "15/03/2026"
    assert dates.short_datetime(late) == "15/03/2026 00:30"
    assert dates.short_datetime(late, separator=" à ") == "15/03/2026 à 00:30"
