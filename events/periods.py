"""The days of the agenda's periods (« Aujourd’hui », « Cette semaine »…), from today's date."""

import calendar
import datetime

from .enums import Period

# In the last LAST_DAYS_OF_MONTH days of a month, « Ce mois-ci » would show almost nothing:
# it then shows the next NEXT_DAYS days instead.
LAST_DAYS_OF_MONTH = 7
NEXT_DAYS = 30


def period_days(period, today):
    """(first day, day after the last day) of ``period`` seen on ``today``; None for no bound (past)."""
    if period == Period.TODAY:
        return today, today + datetime.timedelta(days=1)
    if period == Period.WEEK:
        monday = today - datetime.timedelta(days=today.weekday())
        return monday, monday + datetime.timedelta(days=7)
    if period == Period.WEEKEND:
        # Saturday and Sunday of this week: the coming ones from Monday to Friday.
        saturday = today + datetime.timedelta(days=5 - today.weekday())
        return saturday, saturday + datetime.timedelta(days=2)
    if period == Period.MONTH:
        days_in_month = calendar.monthrange(today.year, today.month)[1]
        if today.day > days_in_month - LAST_DAYS_OF_MONTH:
            return today, today + datetime.timedelta(days=NEXT_DAYS)
        first = today.replace(day=1)
        return first, first + datetime.timedelta(days=days_in_month)
    return None


def months_between(first, last, limit=2):
    """[(year, month)] of the months from day ``first`` to day ``last`` (included), at most ``limit``.

    A weekend from Saturday 31 October to Sunday 1 November is in two months: both are given.
    """
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month) and len(months) < limit:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
