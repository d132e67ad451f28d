"""Dates and times of the agenda written in French, always in the site's time zone (Europe/Paris).

Plain functions, with their own French day and month names, so that the wording does not depend
on the language or the time zone activated for the request:

- ``french_date(date)``: « samedi 14 mars 2026 », « dimanche 1er mars 2026 »;
- ``french_time(datetime)``: « 10 h », « 10 h 30 »;
- ``event_when(event)``: « samedi 14 mars 2026, de 10 h à 12 h », « samedi 14 mars 2026, toute la
  journée », « du samedi 14 mars 2026 à 10 h au dimanche 15 mars 2026 à 18 h ».
"""

import datetime

from django.utils import timezone

DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
DAY_ABBREVIATIONS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
MONTH_NAMES = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def local(value):
    """An aware datetime in Europe/Paris (the site's time zone, whatever zone is active)."""
    return timezone.localtime(value, timezone.get_default_timezone())


def month_name(month):
    return MONTH_NAMES[month - 1]


def french_month(year, month):
    """« mars 2026 »."""
    return f"{month_name(month)} {year}"


def french_date(value, *, weekday=True):
    """« samedi 14 mars 2026 », « dimanche 1er mars 2026 »; a datetime is read in Paris time."""
    if isinstance(value, datetime.datetime):
        value = local(value).date()
    day = "1er" if value.day == 1 else str(value.day)
    text = f"{day} {month_name(value.month)} {value.year}"
    return f"{DAY_NAMES[value.weekday()]} {text}" if weekday else text


def french_time(value):
    """« 10 h », « 10 h 30 », « 0 h 15 » (a datetime is read in Paris time)."""
    if isinstance(value, datetime.datetime):
        value = local(value)
    return f"{value.hour} h" if not value.minute else f"{value.hour} h {value.minute:02d}"


def last_day(start, end):
    """The last day an event covers, in Paris time: an end at midnight belongs to the day before."""
    first = local(start).date()
    return max(first, local(end - datetime.timedelta(microseconds=1)).date())


def days_covered(start, end):
    """Every date, in Paris time, on which an event takes place."""
    day, final = local(start).date(), last_day(start, end)
    while day <= final:
        yield day
        day += datetime.timedelta(days=1)


def when(start, end, *, all_day=False):
    """When something takes place, as a French phrase (see the module's docstring)."""
    local_start, local_end = local(start), local(end)
    final = last_day(start, end)
    if all_day:
        if final == local_start.date():
            return f"{french_date(local_start)}, toute la journée"
        return f"du {french_date(local_start)} au {french_date(final)}"
    if final == local_start.date():
        # Also an evening that ends at midnight: « de 22 h à minuit ».
        end_text = "minuit" if local_end.date() != local_start.date() else french_time(local_end)
        return f"{french_date(local_start)}, de {french_time(local_start)} à {end_text}"
    return (
        f"du {french_date(local_start)} à {french_time(local_start)} "
        f"au {french_date(local_end)} à {french_time(local_end)}"
    )


def event_when(event):
    return when(event.start, event.end, all_day=event.all_day)


def event_hours(event):
    """The hours alone, for a list grouped by day: « 10 h – 12 h », « toute la journée »."""
    if event.all_day:
        return "toute la journée"
    start, end = local(event.start), local(event.end)
    if last_day(event.start, event.end) != start.date():
        return f"à partir de {french_time(start)}"
    end_text = "minuit" if end.date() != start.date() else french_time(end)
    return f"de {french_time(start)} à {end_text}"


def hours_on(event, day):
    """What an event is on a given day of a calendar: « 10 h », « jusqu’à 18 h », « toute la journée »."""
    start, end = local(event.start), local(event.end)
    first, final = start.date(), last_day(event.start, event.end)
    if event.all_day or first < day < final:
        return "toute la journée"
    if day == first:
        return french_time(start)
    if day == final:
        return f"jusqu’à {french_time(end)}"
    return ""
