"""The registrations in the back-office (issue 15 §2): per event, places taken and left, the needs,
the waiting list, a printable sign-in sheet, an export, a registration taken by phone; after the
event, who came (« Noter les présents ») and the event's attendance from it; a person's right of
access to everything held on their registrations.

Personal data: only those with ``events.view_registration`` see these pages (the group
« Inscriptions aux événements », and superusers), not every editor of « Rédaction ». A
registration is never deleted: it is cancelled (its places go to the waiting list), and
anonymised three months after its event (``purge_event_registrations``). The rules are in
``events.registrations``; this module only calls them.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from core import dates
from core.admin import ContentHistoryAdmin, plural_fr
from core.exports import EXPORT_FORMATS, export_response

from . import registrations as services
from .enums import RegistrationNeed, RegistrationSource, RegistrationStatus
from .models import Event, Registration
from .resources import RegistrationResource

EXPORT_PERMISSION = "events.export_registration"


class RegistrationAdminForm(forms.ModelForm):
    """The add form is a registration taken by phone or at the counter: the notice read to the person."""

    notice_read = forms.BooleanField(
        label="J’ai lu à la personne la notice d’information sur ses données",
        help_text="Obligatoire : à quoi servent ses données, qui les voit, combien de temps elles sont gardées, "
        "ses droits (page « Données personnelles », partie « Inscription à un événement »).",
        error_messages={"required": services.NOTICE_NOT_READ},
    )

    class Meta:
        model = Registration
        fields = [
            "event",
            "first_name",
            "last_name",
            "phone",
            "email",
            "places",
            *(f"needs_{need.value}" for need in RegistrationNeed),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields.pop("notice_read", None)
        if "event" in self.fields:
            self.fields["event"].queryset = Event.objects.filter(registration="sur_le_site").order_by("-start")

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("phone") and not cleaned_data.get("email"):
            raise ValidationError("Indiquez au moins un moyen de joindre la personne : téléphone ou courriel.")
        return cleaned_data


class PresenceForm(forms.Form):
    """One choice per registration: not noted, nobody came, or how many of its places came."""

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        for registration in registrations:
            choices = [("", "Pas encore noté"), ("0", "Absent(e)")]
            if registration.places == 1:
                choices.append(("1", "Présent(e)"))
            else:
                choices += [
                    (
                        str(count),
                        f"{count} personne{'s' if count > 1 else ''} venue{'s' if count > 1 else ''} "
                        f"sur {registration.places}",
                    )
                    for count in range(1, registration.places + 1)
                ]
            self.fields[self.field_name(registration)] = forms.TypedChoiceField(
                label=f"{registration.last_name} {registration.first_name}",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial="" if registration.places_attended is None else str(registration.places_attended),
            )

    @staticmethod
    def field_name(registration):
        return f"inscription-{registration.pk}"

    def rows(self):
        """(registration, bound field) for the template's table."""
        return [(registration, self[self.field_name(registration)]) for registration in self.registrations]

    def marks(self):
        return {
            registration.pk: self.cleaned_data[self.field_name(registration)] for registration in self.registrations
        }


class AttendanceFromPresenceForm(forms.Form):
    walk_ins = forms.IntegerField(
        label="Personnes venues sans inscription",
        min_value=0,
        max_value=10000,
        required=False,
        help_text="Comptées à la main le jour même ; laissez vide s’il n’y en a pas. "
        "Elles s’ajoutent aux inscrits venus.",
    )
    replace = forms.BooleanField(
        label="Remplacer le nombre déjà noté",
        required=False,
        help_text="À cocher seulement si le nombre de participants déjà noté sur l’événement est faux.",
    )


@admin.register(Registration)
class RegistrationAdmin(ContentHistoryAdmin):
    form = RegistrationAdminForm
    list_display = [
        "reference",
        "last_name",
        "first_name",
        "event_link",
        "places",
        "status_with_rank",
        "needs_display",
        "source",
        "created_at",
    ]
    list_filter = ["status", ("event", admin.RelatedOnlyFieldListFilter), "source"]
    list_select_related = ["event"]
    search_fields = ["reference", "last_name", "first_name", "email"]
    ordering = ["event", "pk"]
    actions = ["cancel_selected", "personal_data_selected"]
    readonly_fields = [
        "places_attended",
        "personal_data_link",
        "reference",
        "status",
        "source",
        "created_by",
        "consent_at",
        "notice_read_at",
        "promoted_at",
        "cancelled_at",
        "confirmation_sent_at",
        "reminder_sent_at",
        "anonymised_at",
        "created_at",
    ]
    history_list_display = ["status"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["reference"]
        # Who holds which places changes through the services only (no overbooking).
        return [*self.readonly_fields, "event", "places"]

    def get_fieldsets(self, request, obj=None):
        needs = [f"needs_{need.value}" for need in RegistrationNeed]
        if obj is None:
            return [
                (None, {"fields": ["event"]}),
                ("La personne", {"fields": ["first_name", "last_name", "phone", "email", "places", *needs]}),
                ("Son accord", {"fields": ["notice_read"]}),
            ]
        return [
            (None, {"fields": ["reference", "event", "status", "places", "places_attended"]}),
            ("La personne", {"fields": ["first_name", "last_name", "phone", "email", *needs]}),
            (
                "Suivi",
                {
                    "fields": [
                        "source",
                        "created_by",
                        "consent_at",
                        "notice_read_at",
                        "created_at",
                        "promoted_at",
                        "cancelled_at",
                        "confirmation_sent_at",
                        "reminder_sent_at",
                        "anonymised_at",
                        "personal_data_link",
                    ]
                },
            ),
        ]

    def has_delete_permission(self, request, obj=None):
        return False  # cancelled, then anonymised; never deleted

    @admin.display(description="événement", ordering="event__start")
    def event_link(self, obj):
        url = reverse("admin:events_registration_changelist") + "?" + urlencode({"event__id__exact": obj.event_id})
        local = dates.local(obj.event.start)
        return format_html('<a href="{}">{} ({})</a>', url, obj.event.title, local.strftime("%d/%m/%Y"))

    @admin.display(description="statut", ordering="status")
    def status_with_rank(self, obj):
        if obj.status == RegistrationStatus.WAITING:
            return f"{obj.get_status_display()} ({services.waiting_rank(obj)}e)"
        return obj.get_status_display()

    @admin.display(description="besoins")
    def needs_display(self, obj):
        return ", ".join(obj.needs) or "—"

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            super().save_model(request, obj, form, change)
            return
        data = {name: form.cleaned_data.get(name) for name in services.FORM_FIELDS}
        try:
            created = services.registration_create(
                event=form.cleaned_data["event"],
                data=data,
                source=RegistrationSource.STAFF,
                created_by=request.user,
                notice_read=form.cleaned_data.get("notice_read"),
            )
        except services.RegistrationClosed as error:
            raise PermissionDenied("Cet événement ne prend pas d’inscription sur le site.") from error
        except services.TooManyPlaces as error:
            raise PermissionDenied("Trop de places demandées pour une inscription à cet événement.") from error
        obj.pk, obj.reference, obj.status = created.pk, created.reference, created.status
        obj._state.adding = False
        if created.status == RegistrationStatus.WAITING:
            self.message_user(
                request,
                f"L’événement est complet : la personne est sur la liste d’attente, "
                f"{services.waiting_rank(created)}e. Dites-le-lui.",
                messages.WARNING,
            )

    @admin.action(description="Annuler les inscriptions sélectionnées (les places vont à la liste d’attente)")
    def cancel_selected(self, request, queryset):
        if not self.has_change_permission(request):
            raise PermissionDenied
        count = promoted = 0
        for registration in queryset.exclude(status=RegistrationStatus.CANCELLED):
            promoted += len(
                services.registration_cancel(
                    registration=registration, user=request.user, reason="Annulée par un agent"
                )
            )
            count += 1
        self.message_user(
            request,
            plural_fr(count, "{count} inscription annulée.", "{count} inscriptions annulées.")
            + (
                f" {plural_fr(promoted, '{count} personne', '{count} personnes')} de la liste d’attente "
                "a (ont) reçu une place et en est (sont) prévenue(s)."
                if promoted
                else ""
            ),
            messages.SUCCESS,
        )

    # The person's right of access: everything held on their registrations ---------------------------

    def has_personal_data_permission(self, request):
        return self.has_view_permission(request) and request.user.has_perm(EXPORT_PERMISSION)

    @admin.display(description="droit d’accès")
    def personal_data_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">Toutes les données de cette personne (ses inscriptions, leur historique)</a>',
            reverse("admin:events_registration_personal_data", args=[obj.pk]),
        )

    @admin.action(
        description="Données de la personne, toutes ses inscriptions (droit d’accès)", permissions=["personal_data"]
    )
    def personal_data_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request,
                "Sélectionnez une seule inscription : celle de la personne qui exerce son droit.",
                messages.WARNING,
            )
            return None
        return redirect("admin:events_registration_personal_data", queryset.get().pk)

    def _person(self, request, object_id):
        if not self.has_personal_data_permission(request):
            raise PermissionDenied
        registration = self.get_object(request, unquote(object_id))
        if registration is None:
            raise Http404("Inscription introuvable.")
        registrations = list(services.registrations_of_person(registration))
        return registration, registrations

    def personal_data_view(self, request, object_id):
        """Everything held on the person of one registration, all their registrations found by e-mail or
        phone, with their history: a page to print and hand them (GDPR art. 15), journaled."""
        registration, registrations = self._person(request, object_id)
        data = services.registration_personal_data(
            registration=registration, registrations=registrations, french_dates=True
        )
        services.registration_access_journal(user=request.user, registrations=registrations, what="page à imprimer")
        context = {
            "original": registration,
            "opts": self.opts,
            "exported_at": data["exporté le"],
            "controller": data["responsable du traitement"],
            "entries": data["inscriptions"],
        }
        return TemplateResponse(request, "admin/events/registration/personal_data.html", context)

    def personal_data_json_view(self, request, object_id):
        """The same as a JSON file, for the person to take elsewhere (GDPR articles 15 and 20)."""
        registration, registrations = self._person(request, object_id)
        data = services.registration_personal_data(registration=registration, registrations=registrations)
        services.registration_access_journal(user=request.user, registrations=registrations, what="fichier JSON")
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="donnees-{registration.reference}.json"'
        response["Cache-Control"] = "no-store"
        return response

    # After the event: who came, and the event's attendance from it ----------------------------------

    def presence_view(self, request, event_id):
        """The registrations of one event with a choice each (came, did not come, how many of its places),
        then a button that reports the people who came into the event's attendance."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        event = get_object_or_404(Event.objects.select_related("place"), pk=event_id)
        if not event.takes_registrations_on_portal:
            raise Http404("Cet événement ne prend pas d’inscription sur le site.")
        registrations = services.presence_rows(event)
        can_note = event.counts_attendance
        presence_form = PresenceForm(registrations=registrations)
        attendance_form = AttendanceFromPresenceForm()
        if request.method == "POST" and can_note:
            if "_presence" in request.POST:
                presence_form = PresenceForm(request.POST, registrations=registrations)
                if presence_form.is_valid():
                    try:
                        changed = services.registrations_mark_presence(
                            event=event, marks=presence_form.marks(), user=request.user
                        )
                    except ValidationError as error:
                        presence_form.add_error(None, error)
                    else:
                        self.message_user(
                            request,
                            plural_fr(changed, "{count} présence notée.", "{count} présences notées.")
                            if changed
                            else "Rien n’a changé.",
                            messages.SUCCESS if changed else messages.INFO,
                        )
                        return redirect(request.path)
            elif "_attendance" in request.POST:
                attendance_form = AttendanceFromPresenceForm(request.POST)
                if attendance_form.is_valid():
                    try:
                        attendance = services.event_attendance_from_presence(
                            event=event,
                            user=request.user,
                            walk_ins=attendance_form.cleaned_data["walk_ins"] or 0,
                            replace=attendance_form.cleaned_data["replace"],
                        )
                    except ValidationError as error:
                        attendance_form.add_error(
                            "replace" if isinstance(error, services.AttendanceAlreadyRecorded) else None, error
                        )
                    else:
                        self.message_user(
                            request,
                            f"La participation de l’événement est de {attendance} personne(s). "
                            "Elle reste modifiable sur la page de l’événement.",
                            messages.SUCCESS,
                        )
                        return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Noter les présents : {event.title}",
            "subtitle": None,
            "opts": self.opts,
            "event": event,
            "can_note": can_note,
            "presence_form": presence_form,
            "attendance_form": attendance_form,
            "totals": services.presence_total(registrations),
            "has_view_permission": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/events/registration/presence.html", context)

    # The sign-in sheet and the export, per event -----------------------------------------------

    def get_urls(self):
        return [
            path(
                "evenement/<int:event_id>/emargement/",
                self.admin_site.admin_view(self.sign_in_sheet_view),
                name="events_registration_sheet",
            ),
            path(
                "evenement/<int:event_id>/presence/",
                self.admin_site.admin_view(self.presence_view),
                name="events_registration_presence",
            ),
            path(
                "<path:object_id>/donnees-personnelles/",
                self.admin_site.admin_view(self.personal_data_view),
                name="events_registration_personal_data",
            ),
            path(
                "<path:object_id>/donnees-personnelles.json",
                self.admin_site.admin_view(self.personal_data_json_view),
                name="events_registration_personal_data_json",
            ),
            path(
                "evenement/<int:event_id>/export.<slug:extension>",
                self.admin_site.admin_view(self.export_view),
                name="events_registration_export",
            ),
            *super().get_urls(),
        ]

    def _event_for_export(self, request, event_id):
        if not (self.has_view_permission(request) and request.user.has_perm(EXPORT_PERMISSION)):
            raise PermissionDenied
        return get_object_or_404(Event.objects.select_related("place"), pk=event_id)

    def sign_in_sheet_view(self, request, event_id):
        """A page to print for the day: who is coming, their places and needs, a column to sign."""
        event = self._event_for_export(request, event_id)
        registrations = list(event.registrations.active().order_by("last_name", "first_name", "pk"))
        confirmed = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
        waiting = sorted((r for r in registrations if r.status == RegistrationStatus.WAITING), key=lambda r: r.pk)
        needs = {
            need.label: sum(r.places for r in confirmed if getattr(r, f"needs_{need.value}"))
            for need in RegistrationNeed
        }
        context = {
            **self.admin_site.each_context(request),
            "title": f"Feuille d’émargement : {event.title}",
            "event": event,
            "confirmed": confirmed,
            "waiting": waiting,
            "availability": services.availability(event),
            "needs": {label: count for label, count in needs.items() if count},
            "printed_at": timezone.localtime(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/events/registration/sign_in_sheet.html", context)

    def export_view(self, request, event_id, extension):
        """The event's registrations as XLSX or as CSV for French Excel (``core.exports``)."""
        if extension not in EXPORT_FORMATS:
            raise Http404("Format d’export inconnu.")
        event = self._event_for_export(request, event_id)
        registrations = list(event.registrations.active().order_by("pk"))
        dataset = RegistrationResource().export(registrations)
        response = export_response(dataset, extension, f"inscriptions-{event.slug}")
        self.log_change(request, event, f"Export des inscriptions ({extension.upper()}) de l’événement {event.pk}.")
        return response
