"""Dates and times written in French, the same on the pages, in the admin, the calendars and the mails.

Built on ``django.utils.formats`` in the French locale (the names of days and months come from
Django's French translation, whatever language is active), with « 1er » for the first day of a
month, and always read in the site's time zone (Europe/Paris), whatever zone is active:

- ``french_date(date)``: « samedi 14 mars 2026 », « dimanche 1er mars 2026 »; without the day of
  the week: « 1er mars 2026 »;
- ``day_of_month(date)``: « 1er », « 2 », « 14 » (« le 1er de chaque mois »);
- ``french_time(datetime)``: « 10 h », « 10 h 30 »;
- ``french_datetime(datetime)``: « 1er mars 2026 à 10 h 30 »;
- ``french_month(year, month)``: « mars 2026 »;
- ``short_date(date)``: « 01/03/2026 »; ``short_datetime(datetime)``: « 01/03/2026 10:30 » (tables,
  exports, the admin's dashboard).

And the working days of a French office: ``french_public_holidays(year)``, ``is_working_day(day)``,
``add_working_days(day, count)`` (Monday to Friday, public holidays of metropolitan France off).

The template filters are in ``core/templatetags/dates.py`` (``{% load dates %}``).
"""

import datetime
import functools

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta
from django.utils import formats, timezone, translation


def local(value):
    """An aware datetime in Europe/Paris (the site's time zone, whatever zone is active)."""
    return timezone.localtime(value, timezone.get_default_timezone())


def _day(value):
    return local(value).date() if isinstance(value, datetime.datetime) else value


def _format(value, format_string):
    with translation.override("fr"):
        return formats.date_format(value, format_string)


def weekday_name(day):
    """« lundi »."""
    return _format(day, "l")


def weekday_abbreviation(day):
    """« lun. »."""
    return f"{_format(day, 'D')}."


def month_name(month):
    """« mars »."""
    return _format(datetime.date(2000, month, 1), "F")


def french_month(year, month):
    """« mars 2026 »."""
    return _format(datetime.date(year, month, 1), "F Y")


def day_of_month(value):
    """« 1er » for the first day of a month, else the number: « 2 », « 14 » (a datetime in Paris time).

    Django's French formats write « 1 avril »: every date of the site with its day in words goes
    through here or through ``french_date``.
    """
    day = _day(value).day
    return "1er" if day == 1 else str(day)


def french_date(value, *, weekday=True):
    """« samedi 14 mars 2026 », « dimanche 1er mars 2026 »; a datetime is read in Paris time."""
    day = _day(value)
    text = f"{day_of_month(day)} {_format(day, 'F Y')}"
    return f"{weekday_name(day)} {text}" if weekday else text


def french_time(value):
    """« 10 h », « 10 h 30 », « 0 h 15 » (a datetime is read in Paris time)."""
    if isinstance(value, datetime.datetime):
        value = local(value)
    return f"{value.hour} h" if not value.minute else f"{value.hour} h {value.minute:02d}"


def french_datetime(value, *, weekday=False):
    """« 1er mars 2026 à 10 h 30 » (Paris time)."""
    return f"{french_date(value, weekday=weekday)} à {french_time(value)}"


def short_date(value):
    """« 01/03/2026 » (a datetime is read in Paris time)."""
    return _day(value).strftime("%d/%m/%Y")


def short_datetime(value, *, separator=" "):
    """« 01/03/2026 10:30 » in Paris time; ``separator=" à "`` gives « 01/03/2026 à 10:30 »."""
    value = local(value)
    return f"{value:%d/%m/%Y}{separator}{value:%H:%M}"


def week_days():
    """The days of the week from Monday: [(« lundi », « lun. »), …]."""
    monday = datetime.date(2024, 1, 1)
    days = [monday + datetime.timedelta(days=offset) for offset in range(7)]
    return [(weekday_name(day), weekday_abbreviation(day)) for day in days]


# Working days ------------------------------------------------------------------------------------


@functools.cache
def french_public_holidays(year):
    """The eleven public holidays of metropolitan France (Alsace-Moselle has two more)."""
    easter_day = easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    movable = [easter_day + relativedelta(days=days) for days in (1, 39, 50)]  # lundi de Pâques, Ascension, Pentecôte
    return frozenset({datetime.date(year, month, day) for month, day in fixed} | set(movable))


def is_working_day(day):
    """Monday to Friday, except a public holiday."""
    return day.weekday() < 5 and day not in french_public_holidays(day.year)


def add_working_days(day, count):
    """The ``count``-th working day after ``day`` (``day`` itself never counts, whatever it is).

    Received on a Friday, « 5 jours ouvrés » end on the next Friday; received on a Saturday, on
    the Friday after too; a public holiday on the way adds a day.
    """
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
