"""The events' block of the editors' dashboard (staff/dashboard.py): the events of the next 30 days
to complete. The rule is ``EventQuerySet.incomplete()``; the links lead to the events' list with its
« à compléter » filter (events/admin.py), which asks the same queryset."""

from django.urls import reverse

from core import dates
from core.admin import plural_fr
from staff.dashboard import EDITORS, TABLE_ROWS, Block, Figure, Table, changelist_url, register_dashboard_block

from .models import SOON_DAYS, Event

FILTER = "a-completer"  # events.admin.ToCompleteFilter.parameter_name


def events_to_complete_block(request, now):
    if not request.user.has_perm("events.view_event"):
        return None
    soon = Event.objects.starting_soon(now)
    without_place = soon.without_place().count()
    without_registration = soon.without_registration_details().count()
    title = f"Événements des {SOON_DAYS} prochains jours à compléter"
    if not (without_place or without_registration):
        return Block(
            title=title,
            empty=f"Les événements des {SOON_DAYS} prochains jours ont un lieu et, s’il le faut, "
            "un moyen de s’inscrire.",
        )
    figures = []
    if without_place:
        figures.append(
            Figure(
                text=plural_fr(without_place, "{count} événement sans lieu", "{count} événements sans lieu"),
                count=without_place,
                url=changelist_url(Event, **{FILTER: "lieu"}),
                alert=True,
            )
        )
    if without_registration:
        figures.append(
            Figure(
                text=plural_fr(
                    without_registration,
                    "{count} événement avec inscription mais sans lien, ni téléphone, ni CCAS",
                    "{count} événements avec inscription mais sans lien, ni téléphone, ni CCAS",
                ),
                count=without_registration,
                url=changelist_url(Event, **{FILTER: "inscription"}),
                alert=True,
            )
        )
    rows = []
    for event in soon.incomplete()[:TABLE_ROWS]:
        missing = []
        if event.place_id is None:
            missing.append("le lieu")
        if event.lacks_registration_details:
            missing.append("le moyen de s’inscrire")
        rows.append(
            [
                (dates.short_datetime(event.start), ""),
                (event.title, reverse("admin:events_event_change", args=[event.pk])),
                (" et ".join(missing).capitalize(), ""),
            ]
        )
    total = soon.incomplete().count()
    more = None
    if total > len(rows):
        url = changelist_url(Event, **{FILTER: "tout"})
        more = Figure(text=f"Voir les {total} événements à compléter", count=total, url=url)
    return Block(
        title=title,
        figures=figures,
        table=Table(
            caption="Les prochains événements à compléter (heure de Paris)",
            headers=["Début", "Événement", "À compléter"],
            rows=rows,
            more=more,
        ),
    )


register_dashboard_block(EDITORS, events_to_complete_block, order=30)
