"""Working days of a French office (core/dates.py): weekends and public holidays are off."""

import datetime

import pytest

from core.dates import add_working_days, french_public_holidays, is_working_day


def test_the_eleven_public_holidays_of_2026():
    holidays = french_public_holidays(2026)
    assert len(holidays) == 11
    assert datetime.date(2026, 4, 6) in holidays  # lundi de Pâques
    assert datetime.date(2026, 5, 14) in holidays  # Ascension
    assert datetime.date(2026, 5, 25) in holidays  # lundi de Pentecôte
    assert datetime.date(2026, 7, 14) in holidays


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (datetime.date(2026, 12, 1), True),  # a Tuesday
        (datetime.date(2026, 12, 5), False),  # a Saturday
        (datetime.date(2026, 12, 6), False),  # a Sunday
        (datetime.date(2026, 12, 25), False),  # Christmas, a Friday
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (datetime.date(2026, 11, 30), datetime.date(2026, 12, 7)),  # Monday → next Monday
        (datetime.date(2026, 12, 4), datetime.date(2026, 12, 11)),  # Friday → next Friday
        (datetime.date(2026, 12, 5), datetime.date(2026, 12, 11)),  # Saturday → Friday after
        (datetime.date(2026, 12, 6), datetime.date(2026, 12, 11)),  # Sunday → Friday after
        (datetime.date(2026, 12, 21), datetime.date(2026, 12, 29)),  # Christmas on the way: a day more
        (datetime.date(2026, 5, 11), datetime.date(2026, 5, 19)),  # Ascension (Thursday 14 May)
    ],
)
def test_five_working_days_after(received, deadline):
    assert add_working_days(received, 5) == deadline
