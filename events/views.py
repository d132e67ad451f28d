"""The public agenda: the list of events, the month calendar, one event, one place."""

import calendar
import datetime
import json
import re
from collections import Counter
from itertools import groupby
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from actions.models import Action, Axis, Indicator, Neighbourhood, progress_rows
from core import dates, page_extras
from core.cache import PublicPageMixin, public_page
from core.fragments import Fragments
from core.links import slug_path
from core.rich_text import plain_text
from core.views import (
    BreadcrumbsMixin,
    ForgivingPaginationMixin,
    PreviewableViewMixin,
    PublishedOrStaffPreviewMixin,
    can_preview,
)
from partners.models import Partner

from . import formatting, registrations
from .enums import EventStatus, Period
from .filters import EventFilter, ResultsFilter
from .models import Event, Place
from .periods import months_between

MIN_YEAR, MAX_YEAR = 2000, 2100
# The periods offered as one-tap choices above the agenda's results.
QUICK_PERIODS = (Period.TODAY, Period.WEEK, Period.WEEKEND, Period.MONTH)
UPCOMING_EVENTS_AT_PLACE = 20
# Events listed for one day of the month calendar, in its cell and in the day-by-day list.
MAX_EVENTS_PER_DAY = 5
# Read for every event of the month: an index holds them (PostgreSQL, migration 0019).
MONTH_EVENT_FIELDS = ("id", "title", "slug", "start", "end", "all_day", "status", "place_id")
ORGANIZER = "CCAS de Créteil – service Prévention-Santé"

SCHEMA_STATUS = {
    EventStatus.SCHEDULED: "https://schema.org/EventScheduled",
    EventStatus.FULL: "https://schema.org/EventScheduled",
    EventStatus.POSTPONED: "https://schema.org/EventPostponed",
    EventStatus.CANCELLED: "https://schema.org/EventCancelled",
}


def _month_url(year, month):
    """The month calendar's URL, or None outside the years the calendar shows."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    return reverse("events:month", kwargs={"year": year, "month": month})


def _shift_month(year, month, delta):
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


class EventListView(PublicPageMixin, BreadcrumbsMixin, ForgivingPaginationMixin, FilterView):
    """``/agenda/``: upcoming events (or past ones with ``?periode=passes``), filterable, by day."""

    shows = ("events", "actions")

    filterset_class = EventFilter
    template_name = "events/event_list.html"
    paginate_by = 20
    context_object_name = "events"

    def get_now(self):
        return timezone.now()

    def get_queryset(self):
        return (
            Event.objects.published()
            .for_cards()
            .without_long_texts()
            .with_audiences()
            .select_related("place__neighbourhood")
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["now"] = self.now = self.get_now()
        return kwargs

    def pagination_parameters(self):
        # Only the filters' own parameters travel on (never junk, never the page number).
        query = self.request.GET.copy()
        for key in list(query):
            if key not in self.filterset.base_filters:
                del query[key]
        return query

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shows_past = self.filterset.shows_past
        query = context["pagination_query"]
        # « Past events » is a view of the agenda rather than a filter: it stays when filters are cleared.
        context["is_filtered"] = any(
            any(value for value in query.getlist(key) if (key, value) != ("periode", "passes")) for key in query
        )
        context["active_filter_count"] = sum(
            1 for key in query if any(value for value in query.getlist(key) if (key, value) != ("periode", "passes"))
        )
        context["shows_past"] = shows_past
        context["date_range"] = date_range = self.filterset.date_range
        period_days = None if shows_past else self.filterset.period_days
        if period_days:
            context["period_label"] = Period(self.filterset.form.cleaned_data["periode"]).label
            context["period_range"] = (period_days[0], period_days[1] - datetime.timedelta(days=1))
        context["quick_choices"] = self.quick_choices(query)
        context["quartier_choices"] = self.quartier_choices(query)
        context["days"] = self.group_by_day(context["events"], shows_past, date_range)

        upcoming = query.copy()
        upcoming.pop("periode", None)
        past = upcoming.copy()
        past["periode"] = "passes"
        list_url = reverse("events:list")
        context["upcoming_url"] = f"{list_url}?{upcoming.urlencode()}" if upcoming else list_url
        context["past_url"] = f"{list_url}?{past.urlencode()}"

        # A subscription is to what is coming: the past-events switch is left out.
        feed = reverse("events:feed_ics") + (f"?{upcoming.urlencode()}" if upcoming else "")
        context["feed_url"] = feed
        context["webcal_url"] = f"webcal://{self.request.get_host()}{feed}"

        context["calendar_months"] = self.calendar_months(context.get("period_range"), date_range)
        return context

    def calendar_months(self, period_range, date_range):
        """[(label, url)] of the month calendars of the days the list shows: this month without
        dates; the weekend's month for « Ce week-end », and both months of a weekend across two."""
        today = timezone.localdate(self.now, timezone.get_default_timezone())
        if period_range:
            first, last = period_range
            first = min(max(first, today), last)  # a period lists what is not over yet
        elif date_range:
            first, last = date_range
        else:
            first = last = today
        return [
            (dates.french_month(year, month), url)
            for year, month in months_between(first, last)
            if (url := _month_url(year, month)) is not None
        ]

    def choice_url(self, query, **params):
        """The agenda's URL with the current filters and ``params`` set, at its results."""
        query = query.copy()
        if "periode" in params:
            for key in ("periode", "du", "au"):
                query.pop(key, None)
        for key, value in params.items():
            query[key] = value
        return f"{reverse('events:list')}?{query.urlencode()}#resultats"

    def quick_choices(self, query):
        """[(label, url, is_current)]: the agenda's one-tap filters, added to those already chosen."""
        choices = [("periode", period) for period in QUICK_PERIODS] + [("gratuit", "1")]
        labels = {**{period.value: period.label for period in QUICK_PERIODS}, "1": "Gratuit"}
        return [
            (labels[value], self.choice_url(query, **{key: value}), value in query.getlist(key))
            for key, value in choices
        ]

    def quartier_choices(self, query):
        """[(name, url, is_current)]: the quartiers where upcoming events take place."""
        neighbourhoods = Event.objects.published().upcoming(self.now).neighbourhoods()
        current = query.get("quartier")
        return [
            (neighbourhood.name, self.choice_url(query, quartier=neighbourhood.slug), neighbourhood.slug == current)
            for neighbourhood in neighbourhoods
        ]

    def group_by_day(self, events, shows_past, date_range=None):
        """[(date, [events])]: an event under way is listed under today (or under the first day asked
        for), not under its first day."""
        first_day = date_range[0] if date_range else timezone.localdate(self.now, timezone.get_default_timezone())

        def day(event):
            start = dates.local(event.start).date()
            return start if shows_past else max(start, first_day)

        return [(date, list(group)) for date, group in groupby(events, key=day)]

    def get_breadcrumbs(self):
        if self.filterset.shows_past:
            return [("Agenda", reverse("events:list")), ("Événements passés", None)]
        return [("Agenda", None)]


class MonthEvent(NamedTuple):
    """What the month calendar shows of an event (a cell, a line of the day-by-day list)."""

    slug: str
    title: str
    status: str
    place_name: str | None

    @property
    def status_label(self):
        return EventStatus(self.status).label

    @property
    def url(self):
        return slug_path("events:detail", self.slug)  # as Event.get_absolute_url


# The month's days, as HTML, kept by what they show (core/fragments.py): the date, whether it is
# today, its events shown (slug, title, status, place, hours) and how many it has. An edit to an
# event changes the key of the days that show it only; a busy month then renders a few days, not 30.
# A thousand (a few kilobytes each, per worker): the cells and lists of a year and a half of months.
MONTH_DAYS = Fragments(max_entries=1000)


def _month_day_html(template_name, day):
    """A day of the month (``events/includes/month_cell.html`` or ``month_day.html``), kept by its content."""
    key = (template_name, day["date"], day["is_today"], tuple(day["events"]), day["count"])
    return MONTH_DAYS.get(key, lambda: render_to_string(template_name, {"day": day}))


@public_page(shows=("events", "actions"))
def month_view(request, year, month):
    """``/agenda/<yyyy>/<mm>/``: the month as a table, one cell a day, one link an event.

    A day shows its first MAX_EVENTS_PER_DAY events, then a link to the agenda filtered on that day.
    """
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        raise Http404("Mois inconnu")
    # A busy month has thousands of events, most of them only counted: rows stay tuples.
    queryset = Event.objects.published().in_month(year, month)
    rows = list(queryset.values_list(*MONTH_EVENT_FIELDS, "place__name", named=True))
    today = timezone.localdate(timezone.now(), timezone.get_default_timezone())
    shown, counts = {}, Counter()
    for row in rows:
        for day in formatting.days_covered(row.start, row.end):
            if (day.year, day.month) == (year, month):
                counts[day] += 1
                if counts[day] <= MAX_EVENTS_PER_DAY:
                    event = MonthEvent(row.slug, row.title, row.status, row.place__name)
                    shown.setdefault(day, []).append((event, formatting.hours_on(row, day)))

    list_url = reverse("events:list")
    days = {}
    for day, day_events in shown.items():
        params = {"du": day.isoformat(), "au": day.isoformat()}
        days[day] = {
            "date": day,
            "events": day_events,
            "count": counts[day],
            "hidden": counts[day] - len(day_events),
            "is_today": day == today,
            "list_url": f"{list_url}?{urlencode(params)}",
        }
        days[day]["html"] = _month_day_html("events/includes/month_day.html", days[day])

    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells = []
        for day in week:
            cell = {"in_month": day.month == month, **days.get(day, {"date": day, "events": [], "count": 0})}
            cell["is_today"] = day == today
            if cell["in_month"]:
                cell["html"] = _month_day_html("events/includes/month_cell.html", cell)
            cells.append(cell)
        weeks.append(cells)
    previous, following = _shift_month(year, month, -1), _shift_month(year, month, 1)
    label = dates.french_month(year, month)
    context = {
        "year": year,
        "month": month,
        "month_label": label,
        "weeks": weeks,
        "weekdays": dates.week_days(),
        "days": [days[day] for day in sorted(days)],
        "event_count": len(rows),
        "previous_url": _month_url(*previous),
        "previous_label": dates.french_month(*previous),
        "next_url": _month_url(*following),
        "next_label": dates.french_month(*following),
        "is_current_month": (today.year, today.month) == (year, month),
        "breadcrumbs": [("Agenda", reverse("events:list")), (label.capitalize(), None)],
    }
    return render(request, "events/month.html", context)


def _postal_address(address):
    """schema.org PostalAddress from « 1 place Salvador-Allende, 94000 Créteil »."""
    match = re.match(r"^(?P<street>.*?)[,\s]+(?P<code>\d{5})\s+(?P<city>[^,]+)$", address.strip())
    if match:
        return {
            "@type": "PostalAddress",
            "streetAddress": match["street"],
            "postalCode": match["code"],
            "addressLocality": match["city"].strip(),
            "addressCountry": "FR",
        }
    return {"@type": "PostalAddress", "streetAddress": address, "addressLocality": "Créteil", "addressCountry": "FR"}


def _price_amount(price):
    match = re.search(r"\d+(?:[.,]\d{1,2})?", price)
    return match.group().replace(",", ".") if match else None


def event_json_ld(event, url):
    """The schema.org ``Event`` of an event page, as a dict."""
    if event.all_day:
        start = dates.local(event.start).date().isoformat()
        end = formatting.last_day(event.start, event.end).isoformat()
    else:
        start = dates.local(event.start).isoformat()
        end = dates.local(event.end).isoformat()
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": plain_text(event.description) or event.action.summary,
        "url": url,
        "startDate": start,
        "endDate": end,
        "eventStatus": SCHEMA_STATUS.get(event.status, SCHEMA_STATUS[EventStatus.SCHEDULED]),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "isAccessibleForFree": event.is_free,
        "inLanguage": "fr",
        "organizer": {"@type": "Organization", "name": ORGANIZER, "url": settings.SITE_URL + "/"},
    }
    if event.place is not None:
        location = {"@type": "Place", "name": event.place.name, "address": _postal_address(event.place.address)}
        if event.place.latitude is not None and event.place.longitude is not None:
            location["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": float(event.place.latitude),
                "longitude": float(event.place.longitude),
            }
        data["location"] = location
    offer = {
        "@type": "Offer",
        "url": event.registration_url or url,
        "availability": "https://schema.org/SoldOut"
        if event.status == EventStatus.FULL
        else "https://schema.org/InStock",
        "priceCurrency": "EUR",
    }
    price = "0" if event.is_free else _price_amount(event.price)
    if price is not None:
        offer["price"] = price
    if not event.is_free:
        offer["description"] = event.price
    data["offers"] = offer
    return data


def json_ld_script_content(data):
    """JSON for a ``<script type="application/ld+json">``: <, > and & escaped so it cannot end the script."""
    text = json.dumps(data, ensure_ascii=False, indent=None)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 — JSON whose <, > and & are escaped above.


# The name of the event's page for the apps that add to it (core/page_extras.py).
EVENT_PAGE = "events.event_detail"


class EventDetailView(
    PublicPageMixin, PreviewableViewMixin, BreadcrumbsMixin, PublishedOrStaffPreviewMixin, DetailView
):
    """``/agenda/<slug>/``: what, when, where, for whom, how to join; JSON-LD and Open Graph."""

    template_name = "events/event_detail.html"
    context_object_name = "event"
    shows = ("events", "actions", "partners", "glossary")

    def get_queryset(self):
        return Event.objects.select_related(
            "place__neighbourhood", "action__axis", "action__lead_partner"
        ).prefetch_related(
            "audiences",
            "action__audiences",
            Prefetch("action__partners", queryset=Partner.objects.published()),
        )

    def get_object(self, queryset=None):
        event = super().get_object(queryset)
        if not event.action.is_public and not can_preview(self.request):
            raise Http404("Action non publiée")
        return event

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.object
        url = settings.SITE_URL + event.get_absolute_url()
        phrase = formatting.event_when(event)
        context["when"] = phrase
        context["partners"] = self.partners(event.action)
        context["absolute_url"] = url
        json_ld = event_json_ld(event, url)
        if event.takes_registrations_on_portal:
            # The places left (one query); a registration renews the « events » pages (events.registrations).
            context["availability"] = counts = registrations.availability(event)
            json_ld["offers"]["url"] = settings.SITE_URL + event.get_registration_url()
            if counts.is_full:
                json_ld["offers"]["availability"] = "https://schema.org/SoldOut"
        context["json_ld"] = json_ld_script_content(json_ld)
        # What the apps above add to the page (core/page_extras.py): a permanence's appointment slots.
        context["page_extras"] = page_extras.extras(EVENT_PAGE, event)
        where = f" – {event.place.name}" if event.place else ""
        summary = Truncator(" ".join(plain_text(event.description).split())).chars(160)
        context["meta_description"] = f"{phrase.capitalize()}{where}. {summary}".strip()
        context["og_description"] = f"{phrase.capitalize()}{where}."
        return context

    @staticmethod
    def partners(action):
        """The action's published partners, its lead partner first."""
        partners = list(action.partners.all())
        lead = action.lead_partner
        if lead is not None and lead.is_public:
            partners = [lead] + [partner for partner in partners if partner.pk != lead.pk]
        return partners

    def get_breadcrumbs(self):
        return [("Agenda", reverse("events:list")), (self.object.title, None)]


class PlaceDetailView(
    PublicPageMixin, PreviewableViewMixin, BreadcrumbsMixin, PublishedOrStaffPreviewMixin, DetailView
):
    """``/lieux/<slug>/``: where it is, how to get there, its accessibility, its next events."""

    template_name = "events/place_detail.html"
    context_object_name = "place"
    shows = ("events", "actions", "glossary")

    def get_queryset(self):
        return Place.objects.select_related("neighbourhood")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        place = self.object
        events = list(
            place.events.published()
            .upcoming()
            .for_cards()
            .without_long_texts()
            .with_audiences()
            .select_related("place__neighbourhood")[: UPCOMING_EVENTS_AT_PLACE + 1]
        )
        context["upcoming_events"] = events[:UPCOMING_EVENTS_AT_PLACE]
        context["has_more_events"] = len(events) > UPCOMING_EVENTS_AT_PLACE
        context["place_actions"] = place.actions.published()
        return context

    def get_breadcrumbs(self):
        return [("Agenda", reverse("events:list")), (self.object.name, None)]


# Results ---------------------------------------------------------------------------------


class ResultsView(PublicPageMixin, BreadcrumbsMixin, TemplateView):
    """``/resultats/``: what the contract achieves: the axes' progress, the events held and the people
    who came, by quartier and by year; filtered by year and axis (a GET form, no script needed).

    Counts only what the public sees: published actions, published events of published actions.
    """

    template_name = "events/results.html"
    shows = ("events", "actions")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = Event.objects.published().held()
        filterset = ResultsFilter(self.request.GET or None, queryset=events)
        axis, year = filterset.chosen("axe"), filterset.chosen("annee")
        held = filterset.qs
        actions = Action.objects.published()
        if axis:
            actions = actions.filter(axis=axis)
            events = events.filter(action__axis=axis)

        by_axis = actions.progress_by_axis()
        axes = [axis] if axis else list(Axis.objects.all())
        empty = dict.fromkeys(("total", "on_track", "late", "done", "abandoned", "not_assessed"), 0)
        context["axis_rows"] = [(each, by_axis.get(each.pk, empty)) for each in axes]
        context["progress_rows"] = progress_rows(actions.progress_counts())
        context["indicators"] = Indicator.objects.of_published_actions().filter(action__in=actions).summary()

        context["totals"] = held.attendance_totals()
        by_neighbourhood = held.attendance_by("neighbourhood")
        names = Neighbourhood.objects.in_bulk([row["key"] for row in by_neighbourhood if row["key"]])
        context["neighbourhood_rows"] = sorted(
            ({**row, "neighbourhood": names.get(row["key"])} for row in by_neighbourhood),
            key=lambda row: (row["neighbourhood"] is None, row["neighbourhood"].name if row["neighbourhood"] else ""),
        )
        context["neighbourhood_chart"] = [
            (row["neighbourhood"].name if row["neighbourhood"] else "Sans quartier", row["participants"])
            for row in context["neighbourhood_rows"]
        ]
        # By year: every year, whatever the year chosen (the axis chosen still applies).
        context["year_rows"] = events.attendance_by("year")
        context["year_chart"] = [(str(row["key"]), row["participants"]) for row in context["year_rows"]]
        context.update(filter=filterset, axis=axis, year=year, is_filtered=bool(axis or year))
        context["past_events_url"] = f"{reverse('events:list')}?periode={Period.PAST}"
        return context

    def get_breadcrumbs(self):
        return [("Résultats du CLS", None)]
