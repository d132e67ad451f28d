"""When an event takes place, written in French, always in the site's time zone (Europe/Paris).

The words of dates and times come from core/dates.py:

- ``event_when(event)``: « samedi 14 mars 2026, de 10 h à 12 h », « samedi 14 mars 2026, toute la
  journée », « du samedi 14 mars 2026 à 10 h au dimanche 15 mars 2026 à 18 h ».
"""

import datetime

from core.dates import french_date, french_time, local


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
