"""The upcoming events in the shape OpenAgenda's API takes (``/donnees/evenements-openagenda.json``).

So that the City can publish the CLS agenda on its own OpenAgenda without typing it twice: a
synchronisation script reads this file and sends each event to OpenAgenda's API v2
(``PUT /v2/agendas/{agendaUID}/events/ext/{key}/{value}``, which creates or updates an event by
its external identifier). Field names and codes follow OpenAgenda's developer documentation
(« Structure d'un événement », « Structure d'un lieu », « Création d'un événement »):

- ``extIds``: ``[{"key": "cls-creteil", "value": <the event's UUID>}]``, the UUID calendars use too;
  it never changes, so a second import updates the event instead of duplicating it;
- ``title`` (140 characters at most), ``description`` (short, 200 at most), ``longDescription``,
  ``conditions`` (255 at most), ``keywords``: multilingual objects, here ``{"fr": …}``;
- ``timings``: ``[{"begin", "end"}]`` in ISO 8601 with the Paris offset; OpenAgenda wants slots
  of 24 hours at most, so an event over several days becomes one slot a day (a whole-day event:
  00:00 to 23:59 each day);
- ``status``: 1 programmé, 4 reporté, 5 complet, 6 annulé (OpenAgenda's 2 « reprogrammé » and
  3 « déplacé en ligne » have no counterpart here);
- ``accessibility``: the five codes ``hi`` (auditif), ``vi`` (visuel), ``pi`` (psychique),
  ``mi`` (moteur), ``ii`` (intellectuel), from the place's accessibility;
- ``registration``: the link and the phone, as strings (the write format);
- ``attendanceMode`` 1 (on site), ``timezone`` ``Europe/Paris``.

Not confirmed (to check with the City's OpenAgenda before the first import):

- the place: OpenAgenda wants the ``locationUid`` of a place of its own directory, which only the
  City's agenda knows. The file gives ``location`` as a place in OpenAgenda's place structure
  (``name``, ``address``, ``latitude``, ``longitude``, ``countryCode``, ``extIds``): the script
  creates or finds that place first, then sends the event with its ``locationUid``. An event
  without a published place has no ``location``;
- whether the timestamps are taken with the ``+01:00`` offset (the documentation's examples
  write ``+0100``; both are ISO 8601);
- additional fields that the City's agenda may require (a « thématique »…): none is given.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.text import Truncator

from core.rich_text import plain_text

from .enums import AccessibilityNeed, EventStatus
from .formatting import days_covered, last_day, local
from .opendata import public_place

EXT_ID_KEY = "cls-creteil"
STATUS = {EventStatus.SCHEDULED: 1, EventStatus.POSTPONED: 4, EventStatus.FULL: 5, EventStatus.CANCELLED: 6}
ACCESSIBILITY = {
    AccessibilityNeed.HEARING: "hi",
    AccessibilityNeed.VISUAL: "vi",
    AccessibilityNeed.PSYCHIC: "pi",
    AccessibilityNeed.MOTOR: "mi",
    AccessibilityNeed.INTELLECTUAL: "ii",
}
MAX_SLOT = datetime.timedelta(hours=24)


def _stamp(moment):
    return moment.isoformat(timespec="seconds")


def timings(event):
    """OpenAgenda's slots: one for an event of 24 hours at most, else one a day."""
    tz = timezone.get_default_timezone()
    start, end = local(event.start), local(event.end)
    if not event.all_day and end - start <= MAX_SLOT:
        return [{"begin": _stamp(start), "end": _stamp(end)}]
    slots = []
    final = last_day(event.start, event.end)
    for day in days_covered(event.start, event.end):
        day_start = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
        day_end = datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=tz)
        if event.all_day:
            begin, finish = day_start, day_end
        else:
            begin = max(start, day_start)
            finish = end if day == final else day_end
        slots.append({"begin": _stamp(begin), "end": _stamp(finish)})
    return slots


def conditions(event):
    parts = ["Gratuit" if event.is_free else f"Payant : {event.price}", event.get_registration_display()]
    return Truncator(". ".join(parts) + ".").chars(255)


def location(place):
    data = {
        "name": Truncator(place.name).chars(100),
        "address": Truncator(place.address or "Créteil").chars(255),
        "countryCode": "FR",
        "extIds": [{"key": EXT_ID_KEY, "value": f"lieu-{place.pk}"}],
    }
    if place.latitude is not None and place.longitude is not None:
        data["latitude"] = float(place.latitude)
        data["longitude"] = float(place.longitude)
    return data


def openagenda_event(event):
    place = public_place(event)
    url = settings.SITE_URL + event.get_absolute_url()
    text = plain_text(event.description)
    short = " ".join((text or event.action.summary).split())
    long_text = "\n\n".join(part for part in (text, f"Plus d’informations : {url}") if part)
    link = settings.SITE_URL + event.get_registration_url() if event.takes_registrations_on_portal else ""
    registration = [value for value in (link or event.registration_url, event.registration_phone_number()) if value]
    data = {
        "extIds": [{"key": EXT_ID_KEY, "value": str(event.uid)}],
        "title": {"fr": Truncator(event.title).chars(140)},
        "description": {"fr": Truncator(short).chars(200)},
        "longDescription": {"fr": Truncator(long_text).chars(10000)},
        "conditions": {"fr": conditions(event)},
        "keywords": {"fr": [theme.name for theme in event.action.themes.all()]},
        "timings": timings(event),
        "timezone": settings.TIME_ZONE,
        "attendanceMode": 1,
        "status": STATUS.get(event.status, 1),
        "accessibility": {
            code: bool(place is not None and getattr(place, f"serves_{need.value}"))
            for need, code in ACCESSIBILITY.items()
        },
        "registration": registration,
    }
    image = event.image or event.action.image
    if image:
        data["image"] = {"url": settings.SITE_URL + image.url}
    if place is not None:
        data["location"] = location(place)
    return data


def openagenda_events(now=None):
    """The upcoming published events (cancelled ones included, so that OpenAgenda shows them cancelled)."""
    from .opendata import published_events

    events = published_events().prefetch_related("action__themes").upcoming(now)
    return {"events": [openagenda_event(event) for event in events]}
