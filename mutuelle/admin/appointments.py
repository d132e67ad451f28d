"""The appointments at the permanences in the back-office (issue 15 §3), « Mutuelle » group only.

The agents see the day's appointments per permanence, with the interest request each one names
(linked), mark who came, take an appointment by phone (the notice read to the person), and set
how each permanence takes appointments. Personal data: the same checks as the interest requests
(``mutuelle/permissions.py``: the group on top of the permission). An appointment is never
deleted: it is cancelled (its slot is free again), then anonymised three months after its
permanence. The rules are in ``mutuelle.services.appointments``; this module only calls them.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from core import dates
from core.admin import ContentHistoryAdmin, plural_fr
from core.phones import FrenchPhoneNumberField
from events.enums import RegistrationSource

from ..enums import AppointmentStatus
from ..models import Appointment, Permanence
from ..permissions import is_mutuelle_agent
from ..services import appointments as services

SLOT_SEPARATOR = "|"
SLOT_TAKEN_MEANWHILE = "Cette heure n’est plus libre : reprenez le rendez-vous à une autre heure."


def _slot_choices():
    """The free slots of the permanences to come, grouped by permanence (a select without JavaScript)."""
    groups = []
    for event, slots in services.free_slots_by_permanence(services.upcoming_permanences()):
        place = f" – {event.place.name}" if event.place else ""
        label = f"{dates.french_date(event.start).capitalize()}{place}"
        groups.append((label, [(f"{event.pk}{SLOT_SEPARATOR}{slot.value}", slot.label) for slot in slots]))
    return [("", "---------"), *groups]


class AppointmentAdminForm(forms.ModelForm):
    """The add form is an appointment taken by phone or at the counter: a free slot, the notice read."""

    slot_choice = forms.ChoiceField(
        label="Permanence et heure",
        help_text="Les heures encore libres des prochaines permanences.",
        error_messages={"required": "Choisissez la permanence et l’heure du rendez-vous."},
    )
    notice_read = forms.BooleanField(
        label="J’ai lu à la personne la notice d’information sur ses données",
        help_text="Obligatoire : à quoi servent ses données, qui les voit, combien de temps elles sont gardées, "
        "ses droits (page « Données personnelles », partie « Rendez-vous à une permanence »).",
        error_messages={"required": services.NOTICE_NOT_READ},
    )

    class Meta:
        model = Appointment
        fields = ["first_name", "last_name", "phone", "email", "interest_request"]
        field_classes = {"phone": FrenchPhoneNumberField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields.pop("notice_read", None)
            self.fields.pop("slot_choice", None)
        else:
            self.fields["slot_choice"].choices = _slot_choices()

    def clean_slot_choice(self):
        value = self.cleaned_data["slot_choice"]
        event_pk, _, slot_value = value.partition(SLOT_SEPARATOR)
        event = services.upcoming_permanences().filter(pk=event_pk).first() if event_pk.isdigit() else None
        slot_start = services.slot_from_value(event, slot_value) if event else None
        if event is None or slot_start is None:
            raise ValidationError("Cette heure n’est plus libre : choisissez-en une autre.")
        self.slot = (event, slot_start)
        return value

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("phone") and not cleaned_data.get("email"):
            raise ValidationError("Indiquez au moins un moyen de joindre la personne : téléphone ou courriel.")
        return cleaned_data


class WhenFilter(admin.SimpleListFilter):
    title = "jour"
    parameter_name = "jour"
    TODAY, UPCOMING, PAST = "aujourd-hui", "a-venir", "passes"

    def lookups(self, request, model_admin):
        return [(self.TODAY, "Aujourd’hui"), (self.UPCOMING, "À venir"), (self.PAST, "Passés")]

    def queryset(self, request, queryset):
        now = timezone.now()
        match self.value():
            case self.TODAY:
                return queryset.on_day(timezone.localdate())
            case self.UPCOMING:
                return queryset.filter(slot_start__gte=now)
            case self.PAST:
                return queryset.filter(slot_start__lt=now)
        return None


class MutuelleAgentsOnly:
    """Every page of these admins: a member of « Mutuelle » (or a superuser) with the permission."""

    def has_module_permission(self, request):
        return is_mutuelle_agent(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_mutuelle_agent(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return is_mutuelle_agent(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_mutuelle_agent(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(MutuelleAgentsOnly, ContentHistoryAdmin):
    form = AppointmentAdminForm
    list_display = [
        "slot_time",
        "reference",
        "last_name",
        "first_name",
        "phone_number",
        "request_link",
        "status",
        "permanence_link",
    ]
    list_display_links = ["reference"]
    list_filter = [WhenFilter, "status", ("event", admin.RelatedOnlyFieldListFilter), "source"]
    list_select_related = ["event", "interest_request"]
    search_fields = ["reference", "last_name", "first_name", "email", "request_reference"]
    date_hierarchy = "slot_start"
    ordering = ["slot_start", "seat"]
    list_per_page = 100
    empty_value_display = "—"
    actions = ["mark_came", "mark_no_show", "cancel_selected"]
    raw_id_fields = ["interest_request"]
    history_list_display = ["status"]
    readonly_fields = [
        "reference",
        "event",
        "slot_start",
        "seat",
        "status",
        "request_reference",
        "source",
        "created_by",
        "consent_at",
        "notice_read_at",
        "cancelled_at",
        "attendance_marked_at",
        "confirmation_sent_at",
        "reminder_sent_at",
        "anonymised_at",
        "created_at",
    ]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.anonymised_at:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["slot_choice"]}),
                ("La personne", {"fields": ["first_name", "last_name", "phone", "email", "interest_request"]}),
                ("Son accord", {"fields": ["notice_read"]}),
            ]
        return [
            (None, {"fields": ["reference", "event", "slot_start", "seat", "status"]}),
            ("La personne", {"fields": ["first_name", "last_name", "phone", "email"]}),
            ("Sa demande d’information", {"fields": ["request_reference", "interest_request"]}),
            (
                "Suivi",
                {
                    "fields": [
                        "source",
                        "created_by",
                        "consent_at",
                        "notice_read_at",
                        "created_at",
                        "cancelled_at",
                        "attendance_marked_at",
                        "confirmation_sent_at",
                        "reminder_sent_at",
                        "anonymised_at",
                    ]
                },
            ),
        ]

    @admin.display(description="heure", ordering="slot_start")
    def slot_time(self, obj):
        local = dates.local(obj.slot_start)
        return f"{local:%d/%m/%Y} {dates.french_time(local)}"

    @admin.display(description="téléphone")
    def phone_number(self, obj):
        return str(obj.phone or "") or "—"

    @admin.display(description="demande d’information")
    def request_link(self, obj):
        if obj.interest_request_id:
            return format_html(
                '<a href="{}">{}</a>', obj.interest_request.get_admin_url(), obj.interest_request.reference
            )
        if obj.request_reference:
            return f"{obj.request_reference} (non retrouvée)"
        return "—"

    @admin.display(description="permanence", ordering="event__start")
    def permanence_link(self, obj):
        url = reverse("admin:mutuelle_appointment_changelist") + "?" + urlencode({"event__id__exact": obj.event_id})
        return format_html('<a href="{}">{}</a>', url, dates.french_date(obj.event.start))

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            super().save_model(request, obj, form, change)
            return
        event, slot_start = form.slot
        data = {name: form.cleaned_data.get(name) for name in services.FORM_FIELDS}
        try:
            created = services.appointment_book(
                event=event,
                slot_start=slot_start,
                data=data,
                source=RegistrationSource.STAFF,
                created_by=request.user,
                notice_read=form.cleaned_data.get("notice_read"),
                request=form.cleaned_data.get("interest_request"),
            )
        except (services.SlotTaken, services.AppointmentsClosed) as error:
            raise PermissionDenied(SLOT_TAKEN_MEANWHILE) from error
        obj.pk, obj.reference, obj.status = created.pk, created.reference, created.status
        obj._state.adding = False

    def _mark(self, request, queryset, *, came):
        if not self.has_change_permission(request):
            raise PermissionDenied
        count, refused = 0, 0
        for appointment in queryset.exclude(status=AppointmentStatus.CANCELLED):
            try:
                services.appointment_mark_attendance(appointment=appointment, came=came, user=request.user)
                count += 1
            except ValidationError:
                refused += 1
        done = "venu(e)" if came else "pas venu(e)"
        self.message_user(
            request,
            plural_fr(count, f"{{count}} rendez-vous noté « {done} ».", f"{{count}} rendez-vous notés « {done} »."),
            messages.SUCCESS,
        )
        if refused:
            self.message_user(
                request,
                plural_fr(refused, "{count} rendez-vous laissé tel quel.", "{count} rendez-vous laissés tels quels."),
                messages.WARNING,
            )

    @admin.action(description="Noter : la personne est venue")
    def mark_came(self, request, queryset):
        self._mark(request, queryset, came=True)

    @admin.action(description="Noter : la personne n’est pas venue")
    def mark_no_show(self, request, queryset):
        self._mark(request, queryset, came=False)

    @admin.action(description="Annuler les rendez-vous sélectionnés (l’heure redevient libre)")
    def cancel_selected(self, request, queryset):
        if not self.has_change_permission(request):
            raise PermissionDenied
        count = 0
        for appointment in queryset.filter(status=AppointmentStatus.BOOKED):
            if services.appointment_cancel(appointment=appointment, user=request.user, reason="Annulé par un agent"):
                count += 1
        self.message_user(
            request, plural_fr(count, "{count} rendez-vous annulé.", "{count} rendez-vous annulés."), messages.SUCCESS
        )


class AppointmentInline(admin.TabularInline):
    """On an interest request's page: the appointments linked to it, read only (each opens its own page)."""

    model = Appointment
    fk_name = "interest_request"
    fields = ["appointment_link", "slot_time", "status"]
    readonly_fields = ["appointment_link", "slot_time", "status"]
    extra = 0
    can_delete = False
    verbose_name = "rendez-vous à une permanence"
    verbose_name_plural = "rendez-vous aux permanences"

    @admin.display(description="référence")
    def appointment_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_admin_url(), obj.reference)

    @admin.display(description="heure")
    def slot_time(self, obj):
        return f"{dates.french_date(obj.slot_start)}, {dates.french_time(obj.slot_start)}"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return is_mutuelle_agent(request.user) and request.user.has_perm("mutuelle.view_appointment")


class PermanenceAdminForm(forms.ModelForm):
    class Meta:
        model = Permanence
        fields = ["event", "takes_appointments", "slot_minutes", "advisers"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "event" in self.fields:
            self.fields["event"].queryset = services.permanences().order_by("-start")


@admin.register(Permanence)
class PermanenceAdmin(MutuelleAgentsOnly, ContentHistoryAdmin):
    form = PermanenceAdminForm
    list_display = ["__str__", "event_start", "takes_appointments", "slot_minutes", "advisers", "appointments_link"]
    list_select_related = ["event"]
    ordering = ["-event__start"]

    @admin.display(description="date", ordering="event__start")
    def event_start(self, obj):
        return dates.french_date(obj.event.start)

    @admin.display(description="rendez-vous")
    def appointments_link(self, obj):
        url = reverse("admin:mutuelle_appointment_changelist") + "?" + urlencode({"event__id__exact": obj.event_id})
        return format_html('<a href="{}">Voir les rendez-vous</a>', url)
