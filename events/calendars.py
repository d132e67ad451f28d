"""The agenda for calendars and feed readers: iCalendar files (RFC 5545) and the RSS feed.

- ``/agenda/<slug>.ics``: one event, to download and add to a calendar;
- ``/agenda.ics``: the upcoming events, with the same filters as ``/agenda/``, for a live
  subscription (cancelled events stay in it with ``STATUS:CANCELLED`` so that subscribed
  calendars drop them);
- ``/flux/agenda/``: the next events as RSS.

All three answer conditional GETs (ETag and Last-Modified), so that calendar applications
polling the feed every few hours cost one small query when nothing changed.
"""

import datetime
import functools
import hashlib
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Count, Max, Subquery
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.http.request import split_domain_port
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import escape, format_html
from django.views.decorators.http import condition, require_safe

from actions.models import Action
from core.cache import PublicPageMixin, public_page
from core.fragments import Fragments, row_key
from core.rich_text import clean_html, plain_text
from core.site_settings import get_site_settings

from .enums import EventStatus, Registration
from .filters import EventFilter
from .formatting import event_when, french_date, french_time, last_day
from .models import Event, Place

# The columns the calendars and the RSS feed show (``_vevent``, ``UpcomingEventsFeed``): not the
# search columns (a tsvector on PostgreSQL), the images, the actions' and places' texts.
SHOWN_COLUMNS = (
    *("uid", "slug", "title", "description", "start", "end", "all_day", "status", "status_note", "sequence"),
    *("created_at", "updated_at", "is_free", "price"),
    *("registration", "registration_url", "registration_phone", "registration_with_ccas"),
    *("place__name", "place__address", "place__latitude", "place__longitude"),
    *("action__title", "action__axis__name"),
)

PRODID = "-//CCAS de Créteil//Agenda du CLS//FR"
CALENDAR_NAME = "Agenda du CLS de Créteil"
TZID = "Europe/Paris"
# The next 200 events: ten months of a busy year, and a file a phone downloads quickly.
FEED_SIZE = 200
RSS_SIZE = 50
# Calendar applications should not poll more often than this (RFC 7986 REFRESH-INTERVAL).
REFRESH_INTERVAL = datetime.timedelta(hours=6)
# Changes whenever the layout of the files changes, so that cached copies are not reused.
FORMAT_VERSION = "2"

ICAL_STATUS = {
    EventStatus.SCHEDULED: "CONFIRMED",
    EventStatus.FULL: "CONFIRMED",
    EventStatus.POSTPONED: "TENTATIVE",
    EventStatus.CANCELLED: "CANCELLED",
}
TITLE_PREFIX = {
    EventStatus.CANCELLED: "[ANNULÉ] ",
    EventStatus.POSTPONED: "[REPORTÉ] ",
    EventStatus.FULL: "[COMPLET] ",
}


# French wording comes from events.formatting (shared with the pages).


def _french_start(event):
    """« samedi 14 mars 2026 à 10 h », for the RSS titles."""
    if event.all_day:
        return french_date(event.start)
    return f"{french_date(event.start)} à {french_time(event.start)}"


def _location(event):
    place = event.place
    if place is None:
        return ""
    return ", ".join(part for part in (place.name, place.address) if part)


def _registration(event, site_settings):
    if event.registration == Registration.NONE:
        return Registration.NONE.label
    if event.registration == Registration.ON_PORTAL:
        return f"{event.get_registration_display()} : {settings.SITE_URL}{event.get_registration_url()}"
    phone = event.registration_phone_number(site_settings)
    if event.registration_with_ccas:
        phone = f"auprès du CCAS au {phone}"
    means = " ou ".join(part for part in (event.registration_url, phone) if part)
    return f"{event.get_registration_display()} : {means}" if means else event.get_registration_display()


def _settings_stamps():
    """The CCAS phone that the files give (« auprès du CCAS ») and when the site's settings changed.

    In the ETags and the Last-Modified dates: a calendar that polls gets the new number once
    the settings change, not a « 304 Not Modified ».
    """
    site_settings = get_site_settings()
    return site_settings.phone, site_settings.updated_at


def _price(event):
    return "Gratuit" if event.is_free else f"Payant ({event.price})"


def _status_line(event):
    if event.status == EventStatus.SCHEDULED:
        return ""
    line = f"Événement {event.get_status_display().lower()}"
    return f"{line} : {event.status_note}" if event.status_note else f"{line}."


# iCalendar ---------------------------------------------------------------------------------


def _uid_host(request):
    """The host part of the UIDs: the site's domain, without a port."""
    host = request.get_host()
    return split_domain_port(host)[0] or host


def _description(event, url, site_settings):
    """What the calendar entry says: the event, then how to join it, then the link back."""
    # The description is the editor's rich text: a calendar shows text, links as « text (address) ».
    intro = [line for line in (_status_line(event), plain_text(event.description, links=True)) if line]
    details = [f"Quand : {event_when(event)}"]
    if event.place is not None:
        details.append(f"Où : {_location(event)}")
    details += [
        f"Inscription : {_registration(event, site_settings)}",
        f"Tarif : {_price(event)}",
        f"Action : {event.action.title}",
        f"Plus d’informations : {url}",
    ]
    return "\n\n".join(part for part in ("\n\n".join(intro), "\n".join(details)) if part)


def _vevent(event, request, host, site_settings):
    url = request.build_absolute_uri(event.get_absolute_url())
    vevent = icalendar.Event()
    vevent.add("UID", f"{event.uid}@{host}")
    # DTSTAMP, CREATED and LAST-MODIFIED come from the database so that the same content
    # gives the same bytes (and ETag); icalendar converts them to UTC.
    vevent.add("DTSTAMP", event.updated_at)
    vevent.add("CREATED", event.created_at)
    vevent.add("LAST-MODIFIED", event.updated_at)
    vevent.add("SEQUENCE", event.sequence)
    if event.all_day:
        # Whole days: VALUE=DATE, and DTEND is the day after the last one (exclusive).
        vevent.add("DTSTART", timezone.localtime(event.start).date())
        vevent.add("DTEND", last_day(event.start, event.end) + datetime.timedelta(days=1))
        vevent.add("TRANSP", "TRANSPARENT")
    else:
        # Local wall time with TZID=Europe/Paris (the VTIMEZONE is in the calendar).
        vevent.add("DTSTART", timezone.localtime(event.start))
        vevent.add("DTEND", timezone.localtime(event.end))
    vevent.add("STATUS", ICAL_STATUS.get(event.status, "CONFIRMED"))
    vevent.add("SUMMARY", TITLE_PREFIX.get(event.status, "") + event.title)
    vevent.add("DESCRIPTION", _description(event, url, site_settings))
    location = _location(event)
    if location:
        vevent.add("LOCATION", location)
        place = event.place
        if place.latitude is not None and place.longitude is not None:
            vevent.add("GEO", (float(place.latitude), float(place.longitude)))
    vevent.add("URL", url)
    vevent.add("CATEGORIES", [event.action.axis.name])
    vevent.add("CLASS", "PUBLIC")
    return vevent


# Each event's VEVENT, as bytes, under everything it is computed from (core/fragments.py): the rows
# of the event, its place, its action and its axis, the CCAS phone of « auprès du CCAS », the address
# of the site (absolute links, UID). An edit to an event, or to its place or action, changes its key.
# A thousand (a few kilobytes each, key and bytes, per worker): the 200 of the feed and those of its
# usual filters, and the events' own files.
VEVENTS = Fragments(max_entries=1000)
CALENDAR_END = b"END:VCALENDAR\r\n"


def _vevent_ical(event, request, host, site_settings, site_key):
    """``_vevent(…).to_ical()``, kept by its inputs: a calendar of 200 events mostly reuses them.

    ``site_key``: what the VEVENT shows besides the rows (``_site_key``). The rows' loaded columns
    only: a column ``_vevent`` read while deferred would cost a query per event, which the tests of
    the number of queries would show.
    """
    key = (site_key, row_key(event), row_key(event.place), row_key(event.action), row_key(event.action.axis))
    return VEVENTS.get(key, lambda: _vevent(event, request, host, site_settings).to_ical())


def _site_key(request, host, site_settings):
    """What every VEVENT shows besides its rows: the address of the site, the CCAS phone, the time zone."""
    return (
        FORMAT_VERSION,
        host,
        request.build_absolute_uri("/"),
        settings.SITE_URL,
        timezone.get_current_timezone_name(),
        site_settings.phone,
    )


@functools.lru_cache(maxsize=16)
def _vtimezone_ical(first_year, last_year):
    """The Europe/Paris VTIMEZONE from ``first_year`` to the end of ``last_year``, as bytes."""
    return icalendar.Timezone.from_tzid(
        TZID, first_date=datetime.date(first_year, 1, 1), last_date=datetime.date(last_year + 1, 1, 1)
    ).to_ical()


def _vtimezone(events):
    """The Europe/Paris VTIMEZONE, covering the years of the events (or this year)."""
    years = [timezone.localdate().year]
    for event in events:
        years += [timezone.localtime(event.start).year, timezone.localtime(event.end).year]
    return _vtimezone_ical(min(years), max(years))


def calendar_ical(events, request, *, name=None, description=None, subscription=False):
    """An iCalendar (VCALENDAR) of ``events``, as bytes: one VTIMEZONE for Europe/Paris and a VEVENT each.

    What icalendar writes for the calendar with these components (its properties, then its
    components in order), from pieces kept by their inputs: the VTIMEZONE by its years, each
    VEVENT by its event's rows (``_vevent_ical``).
    """
    events = list(events)
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    # One line each: icalendar does not escape a line break in a calendar's own properties, and the
    # name may hold what a visitor typed in the agenda's search (``?q=a%0Ab``).
    if name:
        name = " ".join(name.split())
        calendar.add("NAME", name)
        calendar.add("X-WR-CALNAME", name)
    if description:
        calendar.add("X-WR-CALDESC", " ".join(description.split()))
    calendar.add("X-WR-TIMEZONE", TZID)
    if subscription:
        calendar.add("REFRESH-INTERVAL", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("X-PUBLISHED-TTL", "PT6H")
        calendar.add("SOURCE", request.build_absolute_uri(), parameters={"VALUE": "URI"})
    head = calendar.to_ical()
    host = _uid_host(request)
    site_settings = get_site_settings()  # once for all the events: the CCAS phone of « auprès du CCAS »
    site_key = _site_key(request, host, site_settings)
    return b"".join(
        [
            head.removesuffix(CALENDAR_END),
            _vtimezone(events),
            *(_vevent_ical(event, request, host, site_settings, site_key) for event in events),
            CALENDAR_END,
        ]
    )


def _ics_response(content, *, filename, attachment):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _etag(*parts):
    return hashlib.sha256("|".join(str(part) for part in (FORMAT_VERSION, *parts)).encode()).hexdigest()[:32]


def _newest(*stamps):
    stamps = [stamp for stamp in stamps if stamp is not None]
    return max(stamps) if stamps else None


def _latest_change(model):
    """The latest « modifié le » of a model's rows: the last entry of its index on ``updated_at``."""
    return Subquery(model._base_manager.order_by("-updated_at").values("updated_at")[:1])


def _freshness(events):
    """One query telling whether a list of ``events`` may have changed.

    The count of listed events changes when one is added, removed, unpublished or over; the
    newest modification among all events, actions and places catches edits, including those
    that take an event out of the list (unpublishing it or its action). The site's settings
    (cached, no query) give the CCAS phone of the events « auprès du CCAS ». The count reads the
    listed events only (an index on the published ones); each newest modification is one step in
    an index on ``updated_at``: a few milliseconds at 10,000 events, where the count and the
    maxima over a join of every event, action and place took 50. An empty list has no maxima: its
    calendar then changes only with the count and the site's settings.
    """
    stamps = events.order_by().aggregate(
        count=Count("pk"),
        events=Max(_latest_change(Event)),
        actions=Max(_latest_change(Action)),
        places=Max(_latest_change(Place)),
    )
    stamps["ccas_phone"], stamps["settings"] = _settings_stamps()
    return stamps, _newest(stamps["events"], stamps["actions"], stamps["places"], stamps["settings"])


def _conditional(request, view, *, etag, last_modified):
    """Run ``view`` under Django's conditional GET (304 when the client's copy is current)."""
    return condition(etag_func=lambda request: etag, last_modified_func=lambda request: last_modified)(view)(request)


@public_page(shows=("events", "actions"))
@require_safe
def event_ics(request, slug):
    """One published event as an iCalendar file to download (« Ajouter à mon agenda »)."""
    event = (
        Event.objects.published()
        .for_cards()
        .only(*SHOWN_COLUMNS, "action__updated_at", "place__updated_at")  # and the dates of the ETag
        .filter(slug=slug)
        .first()
    )
    if event is None:
        raise Http404("Aucun événement publié à cette adresse.")
    ccas_phone, settings_changed = _settings_stamps()
    last_modified = _newest(
        event.updated_at, event.action.updated_at, event.place and event.place.updated_at, settings_changed
    )
    # The year: the VTIMEZONE covers this year too.
    etag = _etag(request.get_host(), event.uid, event.sequence, last_modified, timezone.localdate().year, ccas_phone)

    def respond(request):
        return _ics_response(calendar_ical([event], request), filename=f"{event.slug}.ics", attachment=True)

    return _conditional(request, respond, etag=etag, last_modified=last_modified)


def _filter_hint(filterset):
    """« Axe : Santé mentale ; Gratuit uniquement », what the feed is filtered on."""
    hints = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", False):
            continue
        field = filterset.form.fields[name]
        if value is True:
            hints.append(str(field.label))
            continue
        if isinstance(value, datetime.date):
            shown = french_date(value, weekday=False)
        elif hasattr(field, "choices") and not hasattr(field, "queryset"):
            shown = dict(field.choices).get(value, value)
        elif hasattr(field, "label_from_instance"):
            shown = field.label_from_instance(value)  # as the page's filter names it
        else:
            shown = value
        hints.append(f"{field.label} : {shown}")
    return " ; ".join(hints)


def _invalid_filters(request, filterset):
    lines = ["Les filtres demandés pour le flux de l’agenda ne sont pas valides :"]
    for name, errors in filterset.errors.items():
        field = filterset.form.fields.get(name)
        label = f"{field.label} : " if field is not None else ""
        lines += [f"- {label}{error}" for error in errors]
    agenda = request.build_absolute_uri(reverse("events:list"))
    lines.append(f"Les filtres possibles sont ceux de la page de l’agenda : {agenda}")
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@public_page(shows=("events", "actions"))
@require_safe
def agenda_ics(request):
    """The upcoming events as an iCalendar feed to subscribe to, filtered as /agenda/ is."""
    data = request.GET.copy()
    # A subscription follows what is coming: « événements passés » makes no sense here, the
    # feed ignores it (the page's « S'abonner » link may carry it).
    if data.get("periode") == "passes":
        del data["periode"]
    filterset = EventFilter(data, queryset=Event.objects.published().for_cards(), request=request)
    if not filterset.is_valid():
        return _invalid_filters(request, filterset)
    events = filterset.qs
    stamps, last_modified = _freshness(events)
    etag = _etag(
        request.get_host(),
        sorted(data.lists()),
        timezone.localdate(),  # « cette semaine », « ce mois-ci » move with the date
        *stamps.values(),
    )

    def respond(request):
        hint = _filter_hint(filterset)
        content = calendar_ical(
            events.only(*SHOWN_COLUMNS)[:FEED_SIZE],
            request,
            name=f"{CALENDAR_NAME} – {hint}" if hint else CALENDAR_NAME,
            description=(
                "Les prochains événements du Contrat local de santé de Créteil. Votre agenda "
                "se met à jour tout seul : les changements et les annulations y apparaissent."
            ),
            subscription=True,
        )
        return _ics_response(content, filename="agenda-cls-creteil.ics", attachment=False)

    return _conditional(request, respond, etag=etag, last_modified=last_modified)


# RSS ---------------------------------------------------------------------------------------


class UpcomingEventsFeed(PublicPageMixin, Feed):
    shows = ("events", "actions")
    title = "Agenda du CLS de Créteil"
    link = reverse_lazy("events:list")
    description = "Les prochains événements du Contrat local de santé de Créteil."

    def __call__(self, request, *args, **kwargs):
        stamps, last_modified = _freshness(self._upcoming())
        etag = _etag(request.get_host(), *stamps.values())
        parent = super().__call__

        def respond(request):
            response = parent(request, *args, **kwargs)
            # The syndication view dates the feed by its newest item only; the conditional
            # GET below dates it by any change (an unpublished event too).
            del response.headers["Last-Modified"]
            return response

        return _conditional(request, respond, etag=etag, last_modified=last_modified)

    def _upcoming(self):
        return Event.objects.published().upcoming().for_cards()

    def get_object(self, request, *args, **kwargs):
        # The feed's « object »: the site's settings, read once for all the items.
        return get_site_settings()

    def items(self, site_settings):
        events = list(self._upcoming().only(*SHOWN_COLUMNS)[:RSS_SIZE])
        for event in events:
            event.registration_text = _registration(event, site_settings)
        return events

    def item_title(self, item):
        # Escaped, as Django's own default title is: some readers render titles as HTML too.
        return escape(f"{_french_start(item)} – {TITLE_PREFIX.get(item.status, '')}{item.title}")

    def item_description(self, item):
        parts = []
        status = _status_line(item)
        if status:
            parts.append(format_html("<p><strong>{}</strong></p>", status))
        parts.append(format_html("<p>Quand : {}</p>", event_when(item)))
        if item.place is not None:
            parts.append(format_html("<p>Où : {}</p>", _location(item)))
        parts.append(format_html("<p>Inscription : {}<br>Tarif : {}</p>", item.registration_text, _price(item)))
        # RSS descriptions are HTML: the editor's text goes in sanitised, as on the event's page.
        description = clean_html(item.description)
        if description:
            parts.append(description)
        return "".join(parts)

    def item_guid(self, item):
        # Stable even if the slug changes, like the calendars' UID.
        return f"urn:uuid:{item.uid}"

    def item_guid_is_permalink(self, item):
        return False

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.action.axis.name]


class _SiteAddress:
    """What ``build_calendar`` reads of a request, from SITE_URL: a mail has no request."""

    def get_host(self):
        return urlsplit(settings.SITE_URL).netloc

    def build_absolute_uri(self, location):
        return settings.SITE_URL + location


def event_ics_bytes(event):
    """The event's iCalendar file, as ``/agenda/<slug>.ics`` serves it, for a mail's attachment."""
    return calendar_ical([event], _SiteAddress())
