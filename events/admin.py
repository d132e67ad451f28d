import datetime

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from actions.admin import ActionAdmin
from core import dates
from core.admin import (
    ContentHistoryAdmin,
    PreviewAdminMixin,
    PublicationChoiceMixin,
    PublishActionsMixin,
    SaveAsNewMixin,
    SearchableAdminMixin,
    ViewOnSiteColumnMixin,
    plural_fr,
)
from core.dates import french_public_holidays

from . import registration_admin  # noqa: F401 (the registrations' admin registers itself)
from .enums import AccessibilityNeed, EventStatus
from .forms import DuplicateEventForm, dates_list
from .models import Event, EventAttendance, Place, attendance_breakdown_problem
from .registrations import availability, registrants_told_of_changes
from .services import event_duplicate
from .views import EventDetailView, PlaceDetailView


def french_datetime(value, all_day=False):
    """« jeu. 10/12/2026, 19 h » in the site's time zone (« toute la journée » instead of the hour): a list column."""
    local = dates.local(value)
    day = f"{dates.weekday_abbreviation(local)} {local:%d/%m/%Y}"
    return f"{day}, toute la journée" if all_day else f"{day}, {dates.french_time(local)}"


# Places ----------------------------------------------------------------------------------


@admin.register(Place)
class PlaceAdmin(
    PublicationChoiceMixin, PreviewAdminMixin, PublishActionsMixin, ViewOnSiteColumnMixin, ContentHistoryAdmin
):
    list_display = ["name", "neighbourhood", "accessibility_summary", "publication_state", "view_on_site_link"]
    list_select_related = ["neighbourhood"]
    list_filter = [
        "neighbourhood",
        "published",
        *(f"serves_{need.value}" for need in AccessibilityNeed),
    ]
    search_fields = ["name", "slug", "address", "neighbourhood__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["neighbourhood", "actions"]
    readonly_fields = ["created_at", "updated_at"]
    save_on_top = True
    preview_view_class = PlaceDetailView
    fieldsets = [
        ("Identité", {"fields": ["name", "slug", "neighbourhood", "description"]}),
        ("Infos pratiques", {"fields": ["address", "phone", "opening_hours", "actions"]}),
        ("Transports", {"fields": ["public_transport"]}),
        (
            "Accessibilité",
            {
                "fields": [*(f"serves_{need.value}" for need in AccessibilityNeed), "accessibility_notes"],
                "description": "Cochez les handicaps pour lesquels le lieu est adapté, "
                "et précisez ce qu’il faut savoir avant de venir.",
            },
        ),
        (
            "Coordonnées GPS",
            {
                "fields": ["latitude", "longitude"],
                "classes": ["collapse"],
                "description": "Facultatives ; indiquez les deux ou aucune (par exemple 48.790367 et 2.455572).",
            },
        ),
        ("Publication", {"fields": ["published", "publish_at", "unpublish_at", "created_at", "updated_at"]}),
    ]
    published_messages = ("{count} lieu publié sur le site.", "{count} lieux publiés sur le site.")
    unpublished_messages = ("{count} lieu retiré du site.", "{count} lieux retirés du site.")

    @admin.display(description="accessibilité")
    def accessibility_summary(self, obj):
        needs = [label.removeprefix("Handicap ") for label in obj.accessibility_needs]
        return ", ".join(needs) or "—"


# Events ----------------------------------------------------------------------------------


class WhenFilter(admin.SimpleListFilter):
    """Upcoming, past, today, this week — in the site's time zone; an event under way is upcoming."""

    title = "quand"
    parameter_name = "quand"

    def lookups(self, request, model_admin):
        return [
            ("a-venir", "À venir"),
            ("passes", "Passés"),
            ("aujourd-hui", "Aujourd’hui"),
            ("semaine", "Cette semaine"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        today = timezone.localdate(now)
        tz = timezone.get_current_timezone()

        def midnight(day):
            return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)

        monday = today - datetime.timedelta(days=today.weekday())
        match self.value():
            case "a-venir":
                return queryset.upcoming(now)
            case "passes":
                return queryset.past(now)
            case "aujourd-hui":
                return queryset.between(midnight(today), midnight(today + datetime.timedelta(days=1)))
            case "semaine":
                return queryset.between(midnight(monday), midnight(monday + datetime.timedelta(days=7)))
        return None


class ToCompleteFilter(admin.SimpleListFilter):
    """The events of the next 30 days an editor must complete (the dashboard's links lead here)."""

    title = "à compléter (30 prochains jours)"
    parameter_name = "a-completer"
    PLACE, REGISTRATION, ANY = "lieu", "inscription", "tout"

    def lookups(self, request, model_admin):
        return [
            (self.ANY, "Sans lieu ou sans moyen de s’inscrire"),
            (self.PLACE, "Sans lieu"),
            (self.REGISTRATION, "Inscription sans lien, ni téléphone, ni CCAS"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case self.ANY:
                return queryset.starting_soon().incomplete()
            case self.PLACE:
                return queryset.starting_soon().without_place()
            case self.REGISTRATION:
                return queryset.starting_soon().without_registration_details()
        return None


class AttendanceFilter(admin.SimpleListFilter):
    """The events held whose participants are still to be noted (for /resultats/), or already noted."""

    title = "participation"
    parameter_name = "participation"
    TO_RECORD, RECORDED = "a-noter", "notee"

    def lookups(self, request, model_admin):
        return [(self.TO_RECORD, "Tenus, participants à noter"), (self.RECORDED, "Participants notés")]

    def queryset(self, request, queryset):
        match self.value():
            case self.TO_RECORD:
                return queryset.attendance_to_record()
            case self.RECORDED:
                return queryset.filter(attendance__isnull=False)
        return None


HIDDEN_BY_ACTION = "Masqué : action non publiée"


class HiddenByActionFilter(admin.SimpleListFilter):
    """The events published themselves that the public does not see because of their action."""

    title = "visibles sur le site"
    parameter_name = "masque"

    def lookups(self, request, model_admin):
        return [("action", HIDDEN_BY_ACTION)]

    def queryset(self, request, queryset):
        if self.value() == "action":
            return queryset.hidden_by_action()
        return None


class AttendanceInlineFormSet(BaseInlineFormSet):
    """The breakdown by audience must fit the event's total (``attendance_breakdown_problem``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and self.add_prefix(TOTAL_FORM_COUNT) not in self.data:
            # An event form posted without this block (an old tab, a script) leaves the breakdown alone.
            data = self.data.copy()
            data[self.add_prefix(TOTAL_FORM_COUNT)] = data[self.add_prefix(INITIAL_FORM_COUNT)] = "0"
            self.data = data

    def clean(self):
        super().clean()
        counts = [
            form.cleaned_data.get("count")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if problem := attendance_breakdown_problem(self.instance.attendance, counts):
            raise ValidationError(problem)


class EventAttendanceInline(admin.TabularInline):
    model = EventAttendance
    formset = AttendanceInlineFormSet
    fields = ["audience", "count"]
    autocomplete_fields = ["audience"]
    extra = 0
    verbose_name_plural = "participants par public (facultatif, après l’événement)"


@admin.register(Event)
class EventAdmin(
    PublicationChoiceMixin,
    PreviewAdminMixin,
    SaveAsNewMixin,
    SearchableAdminMixin,
    PublishActionsMixin,
    ViewOnSiteColumnMixin,
    ContentHistoryAdmin,
):
    date_hierarchy = "start"
    list_display = [
        "title",
        "start_display",
        "place",
        "action",
        "status",
        "registration",
        "publication_state",
        "view_on_site_link",
    ]
    list_select_related = ["place", "action"]
    list_filter = [
        WhenFilter,
        "status",
        "action__axis",
        ("action", admin.RelatedOnlyFieldListFilter),
        "place",
        "place__neighbourhood",
        "published",
        HiddenByActionFilter,
        "is_free",
        ToCompleteFilter,
        AttendanceFilter,
    ]
    search_fields = ["title", "slug", "description", "place__name", "action__title"]
    ordering = ["-start", "-pk"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["action", "place", "audiences"]
    readonly_fields = ["uid", "sequence", "created_at", "updated_at"]
    save_on_top = True
    preview_view_class = EventDetailView
    inlines = [EventAttendanceInline]
    # Django 6 will assume https for a typed address without a scheme: opt in now (no warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        ("Quoi", {"fields": ["title", "slug", "action", "description"]}),
        (
            "Quand",
            {
                "fields": ["start", "end", "all_day"],
                "description": "Heures de Paris. Pour un événement d’une journée entière, indiquez tout de même "
                "une heure de début et de fin.",
            },
        ),
        ("Où", {"fields": ["place"]}),
        ("Image", {"fields": ["image", "image_alt"], "classes": ["collapse"]}),
        (
            "Pour qui et inscription",
            {
                "fields": [
                    "audiences",
                    "registration",
                    "registration_with_ccas",
                    "registration_url",
                    "registration_phone",
                    "is_free",
                    "price",
                ],
                "description": "Comment s’inscrire : auprès du CCAS (cochez la case : le site affiche le "
                "téléphone, l’adresse et les horaires du CCAS écrits dans « Réglages du site », toujours à "
                "jour), par un lien, ou par le téléphone d’un autre organisateur. Une inscription obligatoire "
                "demande l’un des trois.",
            },
        ),
        (
            "Inscription sur ce site",
            {
                "fields": [
                    "registration_capacity",
                    "registration_opens_at",
                    "registration_closes_at",
                    "registration_max_places",
                    "registration_asks_needs",
                ],
                "description": "Pour « Inscription sur ce site » : le site compte les places, tient la liste "
                "d’attente, envoie la confirmation, le rappel deux jours avant et le lien pour annuler. Si vous "
                "annulez, reportez ou déplacez l’événement, les inscrits sont prévenus par courriel.",
            },
        ),
        ("Statut", {"fields": ["status", "status_note"]}),
        (
            "Après l’événement : participation",
            {
                "fields": ["attendance"],
                "description": "Combien de personnes sont venues. La répartition par public, facultative, se "
                "saisit en bas de la page. Un événement annulé ne compte personne.",
            },
        ),
        ("Publication", {"fields": ["published", "publish_at", "unpublish_at", "created_at", "updated_at"]}),
        (
            "Calendrier technique",
            {
                "fields": ["uid", "sequence"],
                "classes": ["collapse"],
                "description": "Identifiant et version de l’événement dans les agendas des habitants (fichiers "
                ".ics) ; la version augmente d’elle-même quand la date, le lieu ou le statut changent.",
            },
        ),
    ]
    actions = [
        *PublishActionsMixin.actions,
        "cancel_selected",
        "postpone_selected",
        "mark_full_selected",
        "reschedule_selected",
        "duplicate_selected",
    ]
    published_messages = ("{count} événement publié sur le site.", "{count} événements publiés sur le site.")
    unpublished_messages = ("{count} événement retiré du site.", "{count} événements retirés du site.")

    @admin.display(description="publication", ordering="published")
    def publication_state(self, obj):
        """The event's own state, or why the public does not see an event published itself."""
        now = timezone.now()
        if obj.is_public_at(now) and not obj.action.is_public_at(now):
            return HIDDEN_BY_ACTION
        return obj.publication_state(now)

    def save_model(self, request, obj, form, change):
        # Cancelled, postponed or moved: those registered on the site are told (events.registrations).
        with registrants_told_of_changes(obj):
            super().save_model(request, obj, form, change)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if (
            obj is None
            or not obj.takes_registrations_on_portal
            or not request.user.has_perm("events.view_registration")
        ):
            return fieldsets
        return [
            (name, {**options, "fields": [*options["fields"], "registrations_summary"]})
            if name == "Inscription sur ce site"
            else (name, options)
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "registrations_summary"]

    @admin.display(description="inscriptions")
    def registrations_summary(self, obj):
        """Places taken and left, the waiting list, and the links to the list, the sheet and the export."""
        if obj is None or obj.pk is None or not obj.takes_registrations_on_portal:
            return "—"
        counts = availability(obj)
        taken = counts.capacity - counts.left
        list_url = reverse("admin:events_registration_changelist") + f"?event__id__exact={obj.pk}"
        return format_html(
            "{} place(s) prise(s) sur {}, {} restante(s), {} inscription(s) en liste d’attente.<br>"
            '<a href="{}">Voir les inscriptions</a> · <a href="{}">Feuille d’émargement à imprimer</a> · '
            '<a href="{}">Après l’événement : noter les présents</a> · '
            'Exporter : <a href="{}">Excel (XLSX)</a>, <a href="{}">CSV</a>',
            taken,
            counts.capacity,
            counts.left,
            counts.waiting,
            list_url,
            reverse("admin:events_registration_sheet", args=[obj.pk]),
            reverse("admin:events_registration_presence", args=[obj.pk]),
            reverse("admin:events_registration_export", args=[obj.pk, "xlsx"]),
            reverse("admin:events_registration_export", args=[obj.pk, "csv"]),
        )

    @admin.display(description="début", ordering="start")
    def start_display(self, obj):
        return french_datetime(obj.start, obj.all_day)

    # Status changes, object by object (history with the user, calendar SEQUENCE bumped) ------

    @admin.action(description="Annuler les événements sélectionnés", permissions=["change"])
    def cancel_selected(self, request, queryset):
        counted = queryset.filter(attendance__isnull=False)
        if counted_count := counted.count():
            self.message_user(
                request,
                plural_fr(
                    counted_count,
                    "{count} événement a déjà des participants comptés : il n’est pas annulé. "
                    "Videz d’abord son nombre de participants si c’est une erreur.",
                    "{count} événements ont déjà des participants comptés : ils ne sont pas annulés. "
                    "Videz d’abord leur nombre de participants si c’est une erreur.",
                ),
                messages.WARNING,
            )
            queryset = queryset.filter(attendance__isnull=True)
        self._set_status(
            request, queryset, EventStatus.CANCELLED, ("{count} événement annulé.", "{count} événements annulés.")
        )

    @admin.action(description="Reporter les événements sélectionnés", permissions=["change"])
    def postpone_selected(self, request, queryset):
        changed = self._set_status(
            request, queryset, EventStatus.POSTPONED, ("{count} événement reporté.", "{count} événements reportés.")
        )
        if changed:
            self.message_user(
                request,
                "Quand la nouvelle date sera connue, indiquez-la dans « précision sur le statut » "
                "ou modifiez la date de l’événement.",
                messages.INFO,
            )

    @admin.action(description="Marquer comme complets", permissions=["change"])
    def mark_full_selected(self, request, queryset):
        self._set_status(
            request,
            queryset,
            EventStatus.FULL,
            ("{count} événement marqué complet.", "{count} événements marqués complets."),
        )

    @admin.action(description="Remettre au programme (annulation ou report levé)", permissions=["change"])
    def reschedule_selected(self, request, queryset):
        self._set_status(
            request,
            queryset,
            EventStatus.SCHEDULED,
            ("{count} événement remis au programme.", "{count} événements remis au programme."),
        )

    def _set_status(self, request, queryset, status, success_messages):
        field_label = str(Event._meta.get_field("status").verbose_name)
        reason = f"Statut changé depuis la liste : {status.label.lower()}"
        changed = 0
        with transaction.atomic():
            for event in queryset.exclude(status=status):
                event.status = status
                event._history_user = request.user
                event._change_reason = reason
                with registrants_told_of_changes(event):  # those registered on the site are told
                    event.save(update_fields=["status", "updated_at"])  # save() adds the calendar sequence
                self.log_change(request, event, [{"changed": {"fields": [field_label]}}])
                changed += 1
        if changed:
            self.message_user(request, plural_fr(changed, *success_messages), messages.SUCCESS)
        else:
            self.message_user(
                request, f"Rien n’a changé : la sélection avait déjà le statut « {status.label} ».", messages.INFO
            )
        return changed

    # Duplication -----------------------------------------------------------------------------

    @admin.action(description="Dupliquer vers de nouvelles dates", permissions=["add"])
    def duplicate_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request,
                "Pour dupliquer, sélectionnez un seul événement : celui qui sert de modèle aux copies.",
                messages.WARNING,
            )
            return None
        return redirect("admin:events_event_duplicate", queryset.get().pk)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/dupliquer/",
                self.admin_site.admin_view(self.duplicate_view),
                name="events_event_duplicate",
            ),
            *super().get_urls(),
        ]

    def duplicate_view(self, request, object_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        event = self.get_object(request, unquote(object_id))
        if event is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        form = DuplicateEventForm(event, request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            copies = event_duplicate(event=event, days=form.cleaned_data["days"], user=request.user)
            for copy in copies:
                self.log_addition(request, copy, f"Dupliqué depuis « {event} ».")
            self.message_duplicated(request, event, copies)
            return redirect(self.action_changelist_url(event))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Dupliquer « {event} »",
            "subtitle": None,
            "opts": self.opts,
            "original": event,
            "event": event,
            "event_start": french_datetime(event.start, event.all_day),
            "form": form,
            "media": self.media + form.media,
            "has_view_permission": True,
            "max_copies": form.fields["months"].max_value,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/events/event/duplicate.html", context)

    def action_changelist_url(self, event):
        return f"{reverse('admin:events_event_changelist')}?action__id__exact={event.action_id}"

    def message_duplicated(self, request, event, copies):
        days = [timezone.localdate(copy.start) for copy in copies]
        count = len(copies)
        created = plural_fr(count, "{count} copie", "{count} copies") + f" de « {event.title} » "
        created += "créée" if count == 1 else "créées"
        when = f"le {dates_list(days)}" if count == 1 else f"du {dates_list(days[:1])} au {dates_list(days[-1:])}"
        self.message_user(
            request,
            format_html(
                '{}, {}. <a href="{}">Voir les événements de l’action « {} »</a>.',
                created,
                when,
                self.action_changelist_url(event),
                event.action.title,
            ),
            messages.SUCCESS,
        )
        holidays = [day for day in days if day in french_public_holidays(day.year)]
        if holidays:
            self.message_user(
                request,
                f"Attention, jour férié : {dates_list(holidays)}. Vérifiez que le lieu est ouvert, "
                "ou annulez ces dates.",
                messages.WARNING,
            )


# Events on their action's page ---------------------------------------------------------------


class EventInlineFormSet(BaseInlineFormSet):
    """An action form posted without its events block (an old tab, a script) leaves the events alone.

    Django would refuse the whole form for a missing management form; here the missing block
    counts as « no event edited », which is what the sender meant.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and self.add_prefix(TOTAL_FORM_COUNT) not in self.data:
            data = self.data.copy()
            data[self.add_prefix(TOTAL_FORM_COUNT)] = data[self.add_prefix(INITIAL_FORM_COUNT)] = "0"
            self.data = data


class EventInline(admin.TabularInline):
    model = Event
    formset = EventInlineFormSet
    fields = ["title", "slug", "start", "end", "place", "status", "published"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["place"]
    ordering = ["-start", "-pk"]
    extra = 0
    show_change_link = True
    verbose_name_plural = "événements de l’action (les plus lointains d’abord)"


# actions imports no app above it: the agenda adds the action's events through its extension point.
ActionAdmin.add_inline(EventInline)
