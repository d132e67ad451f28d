"""Writes on events and the date rules they need (monthly recurrences; French public holidays are core.dates').

Dates are computed as calendar dates, then combined with the time of day in the site's time
zone (Europe/Paris): a Café psycho at 19 h stays at 19 h on the wall clock after the
daylight-saving change, even though its UTC time moves by an hour.
"""

import datetime

from dateutil.relativedelta import relativedelta, weekdays
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.history import one_version
from core.slugs import unique_slug

from .enums import EventStatus
from .models import Event

LAST = -1  # rank of the last weekday of a month (« le dernier jeudi »)


# Calendar rules ----------------------------------------------------------------------------


def add_months(day, months):
    """The same day ``months`` later, or the month's last day when it is shorter (31 → 30, 28 or 29)."""
    return day + relativedelta(months=months)


def weekday_rank(day):
    """1 for the first such weekday of its month, 2 for the second… up to 5."""
    return (day.day - 1) // 7 + 1


def nth_weekday(year, month, weekday, rank):
    """The ``rank``-th ``weekday`` (0 = Monday) of a month, ``LAST`` for the last one; None if it does not exist."""
    if rank == LAST:
        return datetime.date(year, month, 1) + relativedelta(day=31, weekday=weekdays[weekday](-1))
    day = datetime.date(year, month, 1) + relativedelta(weekday=weekdays[weekday](rank))
    return day if day.month == month else None


def monthly_dates(first, count, *, same_weekday):
    """The ``count`` monthly recurrences after ``first``, in the months that follow it.

    ``same_weekday``: on the same weekday of the same rank (the 2nd Thursday stays the 2nd
    Thursday; a 5th weekday becomes the last one, since most months have only four);
    otherwise on the same day of the month (or the month's last day when it is shorter).
    """
    rank = weekday_rank(first)
    rank = LAST if rank == 5 else rank
    dates = []
    for offset in range(1, count + 1):
        month = add_months(first.replace(day=1), offset)
        if same_weekday:
            dates.append(nth_weekday(month.year, month.month, first.weekday(), rank))
        else:
            dates.append(add_months(first, offset))
    return dates


# Events ------------------------------------------------------------------------------------


def moved_to(event, day):
    """The (start, end) of ``event`` moved to ``day``, same wall-clock times in the site's time zone."""
    tz = timezone.get_default_timezone()
    start, end = timezone.localtime(event.start, tz), timezone.localtime(event.end, tz)
    new_start = datetime.datetime.combine(day, start.time(), tzinfo=tz)
    new_end = datetime.datetime.combine(day + (end.date() - start.date()), end.time(), tzinfo=tz)
    if new_end <= new_start:  # only in the hour that does not exist when clocks go forward
        new_end = new_start + (event.end - event.start)
    return new_start, new_end


def unique_event_slug(base, taken=()):
    """``base``, or ``base-2``, ``base-3``… the first one that no event (and not ``taken``) uses."""
    return unique_slug(Event.objects.all(), base, taken=taken)


def event_duplicate(*, event, days, user=None):
    """Copies of ``event`` on each of ``days``, created in one transaction with their history.

    A copy keeps what the event is (title, action, place, description, audiences, registration,
    price, publication) and its time of day; it is a new calendar entry: new slug and UID,
    sequence 0, status « programmé ».
    """
    reason = f"Dupliqué depuis « {event} »"
    audiences = list(event.audiences.all())
    copies = []
    with transaction.atomic():
        for day in days:
            start, end = moved_to(event, day)
            copy = Event(
                title=event.title,
                slug=unique_event_slug(f"{slugify(event.title)}-{day:%Y-%m-%d}"),
                action_id=event.action_id,
                place_id=event.place_id,
                start=start,
                end=end,
                all_day=event.all_day,
                description=event.description,
                registration=event.registration,
                registration_with_ccas=event.registration_with_ccas,
                registration_url=event.registration_url,
                registration_phone=event.registration_phone,
                is_free=event.is_free,
                price=event.price,
                status=EventStatus.SCHEDULED,
                published=event.published,
                publish_at=event.publish_at,
                unpublish_at=event.unpublish_at,
            )
            copy.full_clean()
            copy._history_user = user
            copy._change_reason = reason
            copy.save()
            if audiences:
                with one_version(copy):  # the copy and its audiences: one version
                    copy.audiences.set(audiences)
            copies.append(copy)
    return copies
