"""The mutuelle agents' back-office: the queue of interest requests, their follow-up and export.

Personal data: only members of « Mutuelle » and superusers see these pages (the group's
permissions, and a group check on top of them). A request is never deleted — it is closed, or
anonymised by the retention command or on the person's request. Nothing here writes a name,
a phone number or an address to a log; the admin log and the history keep references only.
"""

import json
import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.decorators.debug import sensitive_post_parameters
from import_export.admin import ExportMixin
from import_export.formats.base_formats import XLSX

from core.admin import ContentHistoryAdmin, plural_fr
from core.admin_params import is_valid_value

from ..enums import RequestSource, RequestStatus
from ..models import QUEUE_ORDERING, SEARCH_FIELDS, FollowUpNote, InterestRequest
from ..permissions import can_erase_personal_data, can_export_personal_data, is_mutuelle_agent, mutuelle_agents
from ..resources import FrenchExcelCSV, InterestRequestResource
from ..services.followup import check_assignee, note_add, request_assign, request_set_status
from ..services.journal import request_access_journal, request_journal, requests_export_journal
from ..services.requests import CALL_BACK_DELAY, request_prepare_agent_entry
from ..services.retention import ERASE_REASON, request_erase, request_personal_data
from .appointments import AppointmentInline
from .forms import (
    CONTACT_FIELDS,
    PERSON_FIELDS,
    SITUATION_FIELDS,
    FollowUpNoteForm,
    InterestRequestAdminForm,
    RequestsExportForm,
    agent_label,
)

logger = logging.getLogger(__name__)


# List filters --------------------------------------------------------------------------------


class MyRequestsFilter(admin.SimpleListFilter):
    title = "mes demandes"
    parameter_name = "mes"

    def lookups(self, request, model_admin):
        return [("oui", "Les demandes qui me sont assignées")]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(assigned_to=request.user)
        return None


class StatusFilter(admin.SimpleListFilter):
    """The statuses; without a choice, the queue (``InterestRequest.objects.queue()``): an
    anonymised request has left it, and is found again under « Anonymisée » or its status."""

    title = "statut"
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        return RequestStatus.choices

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset.queue()
        if value not in RequestStatus.values:
            return queryset.none()
        return queryset.filter(status=value)


class CallBackFilter(admin.SimpleListFilter):
    """New requests by the promised call-back time (InterestRequest.objects: the rule's one home)."""

    title = "délai de rappel (nouvelles demandes)"
    parameter_name = "rappel"
    OVERDUE, DUE_TODAY = "en-retard", "aujourd-hui"

    def lookups(self, request, model_admin):
        return [
            (self.OVERDUE, f"Délai de {CALL_BACK_DELAY} dépassé"),
            (self.DUE_TODAY, "À rappeler aujourd’hui (dernier jour du délai)"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case self.OVERDUE:
                return queryset.call_back_overdue()
            case self.DUE_TODAY:
                return queryset.call_back_due_today()
        return None


class AssignedToFilter(admin.SimpleListFilter):
    title = "agent chargé"
    parameter_name = "agent"
    UNASSIGNED = "aucun"

    def lookups(self, request, model_admin):
        # The agents, and anyone who still has requests (an agent who left the team).
        users = (
            get_user_model()
            .objects.filter(Q(pk__in=mutuelle_agents().values("pk")) | Q(mutuelle_requests__isnull=False))
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        return [(self.UNASSIGNED, "Non assignée"), *((str(user.pk), agent_label(user)) for user in users)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.UNASSIGNED:
            return queryset.filter(assigned_to__isnull=True)
        if not value:
            return None
        # A user's number as the database holds it: « ² » passes str.isdigit() but not int(), and
        # 20 digits overflow SQLite's integers. No agent has any other number: no request then.
        if not is_valid_value(get_user_model()._meta.pk, value):
            return queryset.none()
        return queryset.filter(assigned_to_id=value)


# The change form's fieldsets ----------------------------------------------------------------------

# First: what to do next. The notes come right after it (the change_form template).
NEXT_STEP_FIELDS = ["possible_duplicate", "status", "assigned_to", "created_at", "last_contact_at"]
# Last, folded: the dates and facts the workflow, the public form and the mails record.
TECHNICAL_FIELDS = [
    "reference",
    "source",
    "created_by",
    "consent_at",
    "notice_read_at",
    "closed_at",
    "confirmation_sent_at",
    "notification_sent_at",
    "updated_at",
    "anonymised_at",
]
FOLLOW_UP_FIELDS = [*NEXT_STEP_FIELDS, *TECHNICAL_FIELDS]
# Facts the workflow or the public form records: shown, never typed.
ALWAYS_READ_ONLY = [
    "possible_duplicate",
    "reference",
    "created_at",
    "notice_read_at",
    "created_by",
    "consent_at",
    "last_contact_at",
    "closed_at",
    "confirmation_sent_at",
    "notification_sent_at",
    "updated_at",
    "anonymised_at",
]


# The notes inline ------------------------------------------------------------------------------


class FollowUpNoteInline(admin.TabularInline):
    """Dated notes by their author. A note is added, never edited or deleted."""

    model = FollowUpNote
    form = FollowUpNoteForm
    fields = ["text", "contact_noted", "contact_at", "author_name", "created_at"]
    readonly_fields = ["author_name", "created_at"]
    extra = 1
    verbose_name = "note de suivi"
    verbose_name_plural = "notes de suivi (les plus récentes d’abord)"
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 50})}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    @admin.display(description="auteur")
    def author_name(self, note):
        return agent_label(note.author) if note.author else "—"

    @admin.display(description="contact noté", boolean=True)
    def contact_noted(self, note):
        """How a saved note shows it (a new note has the form's checkbox instead)."""
        return note.is_contact

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        if obj is not None and obj.anonymised_at:
            return False
        return is_mutuelle_agent(request.user) and super().has_add_permission(request, obj)

    def has_view_permission(self, request, obj=None):
        return is_mutuelle_agent(request.user) and super().has_view_permission(request, obj)


# The admin ---------------------------------------------------------------------------------------


@admin.register(InterestRequest)
class InterestRequestAdmin(ExportMixin, ContentHistoryAdmin):
    form = InterestRequestAdminForm
    inlines = [FollowUpNoteInline, AppointmentInline]
    list_display = [
        "reference_and_flag",
        "person",
        "phone_number",
        "contact_preference",
        "status",
        "waiting_since",
        "assigned_agent",
    ]
    list_display_links = ["reference_and_flag"]
    list_filter = [
        MyRequestsFilter,
        StatusFilter,
        CallBackFilter,
        "source",
        AssignedToFilter,
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["assigned_to"]
    search_fields = SEARCH_FIELDS  # shows the search box; the search is InterestRequest.objects.search()
    search_help_text = (
        "Référence (avec ou sans tirets), nom, prénom, téléphone (avec ou sans espaces) ou adresse électronique."
    )
    date_hierarchy = "created_at"
    ordering = QUEUE_ORDERING  # the order of InterestRequest.objects.queue()
    list_per_page = 50
    empty_value_display = "—"
    save_on_top = True
    actions = [
        "assign_to_me",
        "mark_to_call_back",
        "mark_contacted",
        "mark_appointment",
        "mark_membership",
        "mark_dropped",
        "mark_duplicate",
        "export_personal_data",
        "erase_personal_data",
    ]
    # Export (django-import-export): XLSX first, then a CSV for French Excel; the list as filtered; no import.
    resource_classes = [InterestRequestResource]
    formats = [XLSX, FrenchExcelCSV]
    export_form_class = RequestsExportForm
    to_encoding = FrenchExcelCSV.ENCODING  # the BOM lets Excel read the accents of a CSV file

    class Media:
        css = {"all": ["admin/mutuelle/queue.css"]}

    # Who may see and do what ---------------------------------------------------------------------

    def has_module_permission(self, request):
        return is_mutuelle_agent(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_mutuelle_agent(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return is_mutuelle_agent(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.anonymised_at:
            return False  # nothing left to work on: read only
        return is_mutuelle_agent(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # closed or anonymised, never deleted

    def has_export_permission(self, request):
        return can_export_personal_data(request.user)

    def has_erase_permission(self, request):
        return can_erase_personal_data(request.user)

    # The queue --------------------------------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).with_possible_duplicate()

    @admin.display(description="référence", ordering="reference")
    def reference_and_flag(self, obj):
        if obj.possible_duplicate_of:
            return format_html(
                '{}<span class="possible-duplicate"><strong>Doublon possible</strong> ({})</span>',
                obj.reference,
                obj.possible_duplicate_of,
            )
        return obj.reference

    @admin.display(description="personne", ordering="last_name")
    def person(self, obj):
        return f"{obj.last_name} {obj.first_name}"

    @admin.display(description="téléphone")
    def phone_number(self, obj):
        return str(obj.phone) if obj.phone else "—"

    @admin.display(description="à contacter")
    def contact_preference(self, obj):
        return format_html("{}<br>{}", obj.get_contact_method_display(), obj.get_contact_time_display())

    @admin.display(description="doublon possible")
    def possible_duplicate(self, obj):
        if not getattr(obj, "possible_duplicate_of", None):
            return "Non : ni ce téléphone ni cette adresse dans les 90 jours précédents."
        search = (
            reverse("admin:mutuelle_interestrequest_changelist") + "?" + urlencode({"q": obj.possible_duplicate_of})
        )
        return format_html(
            "<strong>Oui</strong> : même téléphone ou même adresse que la demande "
            '<a href="{}">{}</a>, reçue dans les 90 jours précédents.',
            search,
            obj.possible_duplicate_of,
        )

    @admin.display(description="agent chargé", ordering="assigned_to__first_name")
    def assigned_agent(self, obj):
        return agent_label(obj.assigned_to) if obj.assigned_to else "—"

    @admin.display(description="à traiter depuis", ordering="created_at")
    def waiting_since(self, obj):
        if obj.is_closed:
            return "—"
        days = (timezone.localdate() - timezone.localdate(obj.created_at)).days
        return "aujourd’hui" if days <= 0 else plural_fr(days, "{count} jour", "{count} jours")

    def get_search_results(self, request, queryset, search_term):
        return queryset.search(search_term), False

    # The form ---------------------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # a request taken by phone or at the counter
            return [
                ("Personne", {"fields": PERSON_FIELDS}),
                ("Contact", {"fields": CONTACT_FIELDS}),
                ("Situation", {"fields": SITUATION_FIELDS}),
                ("Suivi", {"fields": ["source", "status", "assigned_to", "notice_read"]}),
            ]
        return [
            (
                "Prochaine étape",
                {
                    "fields": NEXT_STEP_FIELDS,
                    "description": "Le dernier contact est daté par « contact noté » sur une note, ou au passage en "
                    "« contactée », « rendez-vous fixé » ou « adhésion » ; la clôture, au passage en « adhésion », "
                    "« sans suite » ou « doublon ».",
                },
            ),
            ("Personne", {"fields": PERSON_FIELDS}),
            ("Contact", {"fields": CONTACT_FIELDS}),
            ("Situation", {"fields": SITUATION_FIELDS}),
            ("Dates et suivi technique", {"fields": TECHNICAL_FIELDS, "classes": ["collapse"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if self._is_history_view(request) or obj.anonymised_at:
            return [*PERSON_FIELDS, *CONTACT_FIELDS, *SITUATION_FIELDS, *FOLLOW_UP_FIELDS]
        readonly = list(ALWAYS_READ_ONLY)
        if obj.source == RequestSource.WEBSITE:
            readonly.append("source")
        return readonly

    @staticmethod
    def _is_history_view(request):
        match = getattr(request, "resolver_match", None)
        return bool(match and match.url_name and match.url_name.endswith("_simple_history"))

    def get_changeform_initial_data(self, request):
        return {"source": RequestSource.PHONE, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if not change:
            request_prepare_agent_entry(
                interest_request=obj, agent=request.user, notice_read=form.cleaned_data.get("notice_read")
            )
        # The service reads the previous status from the database: the form has already set the new one.
        request_set_status(interest_request=obj, status=obj.status, user=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not FollowUpNote:
            return super().save_formset(request, form, formset, change)
        # New notes only (old ones are read only), each through the service; what the admin log needs.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for note_form in formset.extra_forms:
            if not note_form.has_changed() or not note_form.cleaned_data:
                continue
            contact_at = None
            if note_form.cleaned_data.get("contact_noted"):
                contact_at = note_form.cleaned_data.get("contact_at") or timezone.now()
            note = note_add(
                interest_request=form.instance,
                author=request.user,
                text=note_form.cleaned_data["text"],
                contact_at=contact_at,
            )
            formset.new_objects.append(note)
        return None

    # A server error's report (mail to the ADMINS) must not carry what the agent typed about the person.
    @method_decorator(sensitive_post_parameters())
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "has_personal_data_export_permission": obj is not None and self.has_export_permission(request),
            "has_erase_permission": obj is not None and not obj.anonymised_at and self.has_erase_permission(request),
            "journal": request_journal(interest_request=obj) if obj is not None else [],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # History: read only (a revert could bring back data erased since) ----------------------------------

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    # Bulk actions, object by object (history with the user, admin log) --------------------------------

    @admin.action(description="M’assigner ces demandes", permissions=["change"])
    def assign_to_me(self, request, queryset):
        try:
            check_assignee(request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.WARNING)
            return
        changed = 0
        for obj in queryset.filter(anonymised_at__isnull=True).select_related("assigned_to"):
            if request_assign(
                interest_request=obj, agent=request.user, user=request.user, reason="Assignation depuis la liste"
            ):
                self.log_change(request, obj, [{"changed": {"fields": ["agent chargé"]}}])
                changed += 1
        if changed:
            self.message_user(
                request,
                plural_fr(changed, "{count} demande vous est assignée.", "{count} demandes vous sont assignées."),
                messages.SUCCESS,
            )
        else:
            self.message_user(request, "Rien n’a changé : ces demandes vous étaient déjà assignées.", messages.INFO)

    @admin.action(description="Marquer « à rappeler »", permissions=["change"])
    def mark_to_call_back(self, request, queryset):
        self._set_status(request, queryset, RequestStatus.TO_CALL_BACK)

    @admin.action(description="Marquer « contactée »", permissions=["change"])
    def mark_contacted(self, request, queryset):
        self._set_status(request, queryset, RequestStatus.CONTACTED)

    @admin.action(description="Marquer « rendez-vous fixé »", permissions=["change"])
    def mark_appointment(self, request, queryset):
        self._set_status(request, queryset, RequestStatus.APPOINTMENT)

    @admin.action(description="Marquer « adhésion » (clôture)", permissions=["change"])
    def mark_membership(self, request, queryset):
        self._set_status(request, queryset, RequestStatus.MEMBERSHIP)

    @admin.action(description="Classer « sans suite » (clôture)", permissions=["change"])
    def mark_dropped(self, request, queryset):
        self._set_status(request, queryset, RequestStatus.DROPPED)

    @admin.action(description="Marquer « doublon » (clôture)", permissions=["change"])
    def mark_duplicate(self, request, queryset):
        self._set_status(request, queryset, RequestStatus.DUPLICATE)

    def _set_status(self, request, queryset, status):
        field_label = str(self.opts.get_field("status").verbose_name)
        reason = f"Statut changé depuis la liste : {status.label.lower()}"
        changed = refused = 0
        for obj in queryset.filter(anonymised_at__isnull=True).exclude(status=status):
            try:
                request_set_status(interest_request=obj, status=status, user=request.user, reason=reason)
            except ValidationError:
                refused += 1  # the workflow does not allow it from this request's status
                continue
            self.log_change(request, obj, [{"changed": {"fields": [field_label]}}])
            changed += 1
        if changed:
            self.message_user(
                request,
                plural_fr(changed, "{count} demande", "{count} demandes") + f" : statut « {status.label} ».",
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                plural_fr(refused, "{count} demande n’a pas changé", "{count} demandes n’ont pas changé")
                + f" : le suivi ne permet pas de passer de leur statut à « {status.label} » "
                "(une demande close se rouvre d’abord en « À rappeler »).",
                messages.WARNING,
            )
        elif not changed:
            self.message_user(
                request, f"Rien n’a changé : la sélection avait déjà le statut « {status.label} ».", messages.INFO
            )

    # The person's rights: access (export of everything held) and erasure ------------------------------

    @admin.action(description="Exporter les données de la personne (droit d’accès)", permissions=["export"])
    def export_personal_data(self, request, queryset):
        obj = self._single(request, queryset)
        if obj is None:
            return None
        return redirect("admin:mutuelle_interestrequest_personal_data", obj.pk)

    @admin.action(description="Effacer à la demande de la personne", permissions=["erase"])
    def erase_personal_data(self, request, queryset):
        obj = self._single(request, queryset)
        if obj is None:
            return None
        return redirect("admin:mutuelle_interestrequest_erase", obj.pk)

    def _single(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request,
                "Sélectionnez une seule demande : celle de la personne qui exerce son droit.",
                messages.WARNING,
            )
            return None
        return queryset.get()

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/donnees-personnelles/",
                self.admin_site.admin_view(self.personal_data_view),
                name="{}_{}_personal_data".format(*info),
            ),
            path(
                "<path:object_id>/donnees-personnelles.json",
                self.admin_site.admin_view(self.personal_data_json_view),
                name="{}_{}_personal_data_json".format(*info),
            ),
            path(
                "<path:object_id>/effacer/",
                self.admin_site.admin_view(self.erase_view),
                name="{}_{}_erase".format(*info),
            ),
            *super().get_urls(),
        ]

    def _get_request_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return None, self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return obj, None

    def personal_data_view(self, request, object_id):
        """Everything held on the person (request, notes, history) as a page to print and hand them (GDPR art. 15).

        A page of its own, without the admin's menus: what is printed is what the person reads.
        """
        if not self.has_export_permission(request):
            raise PermissionDenied
        obj, response = self._get_request_or_404(request, object_id)
        if obj is None:
            return response
        data = request_personal_data(interest_request=obj, french_dates=True)
        request_access_journal(user=request.user, interest_request=obj, what="page à imprimer")
        context = {
            "original": obj,
            "opts": self.opts,
            "exported_at": data["exporté le"],
            "controller": data["responsable du traitement"],
            "request_data": data["demande"],
            "notes": data["notes de suivi"],
            "appointments": data["rendez-vous"],
            "versions": data["historique de la demande"],
        }
        return TemplateResponse(request, "admin/mutuelle/interestrequest/personal_data.html", context)

    def personal_data_json_view(self, request, object_id):
        """The same as a JSON file, for the person to take elsewhere (GDPR articles 15 and 20)."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        obj, response = self._get_request_or_404(request, object_id)
        if obj is None:
            return response
        data = request_personal_data(interest_request=obj)
        request_access_journal(user=request.user, interest_request=obj, what="fichier JSON")
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="donnees-{obj.reference}.json"'
        response["Cache-Control"] = "no-store"
        return response

    def erase_view(self, request, object_id):
        """Confirmation, then anonymisation of the request, its notes and its history (GDPR article 17)."""
        if not self.has_erase_permission(request):
            raise PermissionDenied
        obj, response = self._get_request_or_404(request, object_id)
        if obj is None:
            return response
        change_url = reverse("admin:mutuelle_interestrequest_change", args=[obj.pk])
        if obj.anonymised_at:
            self.message_user(request, f"La demande {obj.reference} est déjà anonymisée.", messages.INFO)
            return redirect(change_url)
        if request.method == "POST":
            request_erase(interest_request=obj, user=request.user)
            self.log_change(request, obj, f"{ERASE_REASON}.")
            logger.info(
                "Demande mutuelle n° %s effacée à la demande de la personne (agent n° %s)", obj.pk, request.user.pk
            )
            self.message_user(
                request,
                f"Les données personnelles de la demande {obj.reference} sont effacées, historique et notes compris.",
                messages.SUCCESS,
            )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Effacer les données de la demande {obj.reference}",
            "subtitle": None,
            "opts": self.opts,
            "original": obj,
            "has_view_permission": True,
            "notes_count": obj.notes.count(),
            "history_count": obj.history.count(),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/mutuelle/interestrequest/erase.html", context)

    # Export ----------------------------------------------------------------------------------------

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).select_related("assigned_to", "created_by")

    def get_export_filename(self, request, queryset, file_format):
        return f"demandes-mutuelle-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        requests_export_journal(
            user=request.user, interest_requests=queryset, file_format=file_format.get_title().upper()
        )
        logger.info("Export des demandes mutuelle (%s) par l’agent n° %s", file_format.get_title(), request.user.pk)
        return data
