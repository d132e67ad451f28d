"""French wording of dates and times (events.formatting), always in Europe/Paris."""

import datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import timezone

from core import dates
from events import formatting
from tests.helpers import paris_datetime

UTC = datetime.UTC


def event(start, end, all_day=False):
    return SimpleNamespace(start=start, end=end, all_day=all_day)


@pytest.mark.parametrize(
    ("start", "end", "all_day", "expected"),
    [
        ((2026, 3, 14, 10), (2026, 3, 14, 12), False, "samedi 14 mars 2026, de 10 h à 12 h"),
        ((2026, 3, 14, 10, 30), (2026, 3, 14, 12, 5), False, "samedi 14 mars 2026, de 10 h 30 à 12 h 05"),
        ((2026, 3, 14), (2026, 3, 15), True, "samedi 14 mars 2026, toute la journée"),
        ((2026, 3, 14, 9), (2026, 3, 14, 17), True, "samedi 14 mars 2026, toute la journée"),
        ((2026, 3, 14), (2026, 3, 16), True, "du samedi 14 mars 2026 au dimanche 15 mars 2026"),
        (
            (2026, 3, 14, 10),
            (2026, 3, 15, 18),
            False,
            "du samedi 14 mars 2026 à 10 h au dimanche 15 mars 2026 à 18 h",
        ),
        ((2026, 3, 1, 9), (2026, 3, 1, 11), False, "dimanche 1er mars 2026, de 9 h à 11 h"),
        ((2026, 8, 15, 14), (2026, 8, 15, 16), False, "samedi 15 août 2026, de 14 h à 16 h"),
        (
            (2026, 12, 31, 20),
            (2027, 1, 1, 2),
            False,
            "du jeudi 31 décembre 2026 à 20 h au vendredi 1er janvier 2027 à 2 h",
        ),
    ],
)
def test_when(start, end, all_day, expected):
    assert formatting.when(paris_datetime(*start), paris_datetime(*end), all_day=all_day) == expected


def test_an_evening_that_ends_at_midnight_stays_on_its_day():
    start, end = paris_datetime(2026, 3, 14, 22), paris_datetime(2026, 3, 15, 0)
    assert formatting.when(start, end) == "samedi 14 mars 2026, de 22 h à minuit"
    assert formatting.last_day(start, end) == datetime.date(2026, 3, 14)
    assert list(formatting.days_covered(start, end)) == [datetime.date(2026, 3, 14)]


def test_across_midnight_covers_two_days():
    start, end = paris_datetime(2026, 3, 14, 23), paris_datetime(2026, 3, 15, 1, 30)
    assert formatting.when(start, end) == "du samedi 14 mars 2026 à 23 h au dimanche 15 mars 2026 à 1 h 30"
    assert list(formatting.days_covered(start, end)) == [datetime.date(2026, 3, 14), datetime.date(2026, 3, 15)]


def test_times_are_read_in_paris_whatever_the_zone_given_or_active():
    # 9 h UTC is 10 h in Paris in winter, 11 h in summer.
    winter = datetime.datetime(2026, 3, 14, 9, tzinfo=UTC)
    summer = datetime.datetime(2026, 7, 14, 9, tzinfo=UTC)
    with timezone.override("America/New_York"):
        assert formatting.when(winter, winter + datetime.timedelta(hours=2)) == "samedi 14 mars 2026, de 10 h à 12 h"
        assert formatting.when(summer, summer + datetime.timedelta(hours=1)) == "mardi 14 juillet 2026, de 11 h à 12 h"
    # 23 h 30 UTC on the 14th is already the 15th in Paris.
    late = datetime.datetime(2026, 3, 14, 23, 30, tzinfo=UTC)
    assert dates.french_date(late) == "dimanche 15 mars 2026"
    assert dates.french_time(late) == "0 h 30"


def test_spring_forward_day():
    # 29 March 2026: 2 h becomes 3 h. From 1 h 30 (UTC+1) to 3 h 30 (UTC+2) lasts one hour.
    start = datetime.datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    end = start + datetime.timedelta(hours=1)
    assert dates.local(start).hour == 1
    assert dates.local(end).hour == 3
    assert formatting.when(start, end) == "dimanche 29 mars 2026, de 1 h 30 à 3 h 30"
    assert formatting.when(paris_datetime(2026, 3, 29, 10), paris_datetime(2026, 3, 29, 12)) == (
        "dimanche 29 mars 2026, de 10 h à 12 h"
    )
    assert dates.local(paris_datetime(2026, 3, 29, 10)).utcoffset() == datetime.timedelta(hours=2)


def test_fall_back_day():
    # 25 October 2026: 3 h becomes 2 h again. 0 h 30 UTC is 2 h 30 (UTC+2), 1 h 30 UTC is 2 h 30 (UTC+1).
    first = datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second = datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert formatting.when(first, second) == "dimanche 25 octobre 2026, de 2 h 30 à 2 h 30"
    assert formatting.when(paris_datetime(2026, 10, 25, 14), paris_datetime(2026, 10, 25, 16)) == (
        "dimanche 25 octobre 2026, de 14 h à 16 h"
    )
    assert dates.local(paris_datetime(2026, 10, 25, 14)).utcoffset() == datetime.timedelta(hours=1)
    # A night across the change still covers two days.
    night = formatting.when(paris_datetime(2026, 10, 24, 22), paris_datetime(2026, 10, 25, 6))
    assert night == "du samedi 24 octobre 2026 à 22 h au dimanche 25 octobre 2026 à 6 h"


def test_hours_on_each_day_of_a_long_event():
    long = event(paris_datetime(2026, 3, 14, 10), paris_datetime(2026, 3, 16, 18))
    assert formatting.hours_on(long, datetime.date(2026, 3, 14)) == "10 h"
    assert formatting.hours_on(long, datetime.date(2026, 3, 15)) == "toute la journée"
    assert formatting.hours_on(long, datetime.date(2026, 3, 16)) == "jusqu’à 18 h"
    assert formatting.event_hours(long) == "à partir de 10 h"
    short = event(paris_datetime(2026, 3, 14, 10), paris_datetime(2026, 3, 14, 12, 30))
    assert formatting.event_hours(short) == "de 10 h à 12 h 30"
    assert formatting.event_hours(event(short.start, short.end, all_day=True)) == "toute la journée"


def test_month_names():
    assert dates.french_month(2026, 2) == "février 2026"
    assert dates.french_month(2026, 12) == "décembre 2026"
    assert dates.french_date(datetime.date(2026, 3, 14), weekday=False) == "14 mars 2026"


def test_template_filters():
    template = Template(
        "{% load agenda dates phones %}{{ event|when }} | {{ event.start|french_date }} | {{ phone|tel }}"
    )
    rendered = template.render(
        Context(
            {
                "event": event(paris_datetime(2026, 3, 14, 10), paris_datetime(2026, 3, 14, 12)),
                "phone": "01 49 80 88 68",
            }
        )
    )
    # On the page, « 10 h » never breaks across two lines.
    assert rendered == "samedi 14 mars 2026, de 10\u00a0h à 12\u00a0h | samedi 14 mars 2026 | +33149808868"
