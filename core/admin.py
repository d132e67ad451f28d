"""What the content admins of every app share (the admin site itself is staff/admin_site.py).

Mixins for the apps' own ``admin.py``: a « Voir sur le site » column, accent-insensitive search,
bulk publish / unpublish actions that leave a history record per object, « Enregistrer comme
nouvel élément » with a free slug, « Prévisualiser » the unsaved changes, and the history in French.
"""

import datetime
import difflib
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import transaction
from django.db.models import ManyToManyField, Q
from django.forms.formsets import all_valid
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

from core import dates
from core.admin_params import is_valid_value
from core.cache import changes_no_content
from core.glossary import GlossaryTerm
from core.history import automatic_fields, changed_by_q, one_version, system_fields
from core.preview import chosen_relations
from core.publication import (
    DRAFT_LABEL,
    PUBLISHED_HELP,
    PUBLISHED_LABEL,
    draft_q,
    not_public_after_publishing,
    scheduled_change_q,
)
from core.rich_text import plain_text
from core.rich_text_fields import RichTextField
from core.search import clean_query
from core.site_settings import SiteSettings
from core.slugs import unique_slug
from core.synonyms import Synonym


def plural_fr(count, singular, plural):
    """French rule: 0 and 1 take the singular."""
    return (singular if count <= 1 else plural).format(count=count)


class FrenchHistoryContextHelper(HistoricalRecordContextHelper):
    """Values of the history's « what changed » column as an editor reads them.

    « oui » / « non » rather than True / False, choice labels rather than stored codes, French
    dates in Paris time (``core.dates``: an event moved from 14 h to 14 h 30 reads so, winter and
    summer alike), « — » for an empty value. Values are whole (never cut), the words that changed
    in a text marked (``<del>`` / ``<ins>``); a relation reads « Ajouté : « Seniors » ; retiré : « Parents » »
    (each name quoted: « Parents, enfants » is one name).
    """

    def context_for_delta_changes(self, delta):
        context = []
        for change in delta.changes:
            field = self.model._meta.get_field(change.field)
            if isinstance(field, ManyToManyField):
                added, removed = self.relation_change(field, change)
                context.append({"field": capfirst(field.verbose_name), "added": added, "removed": removed})
                continue
            old = self.prepare_delta_change_value(change, change.old)
            new = self.prepare_delta_change_value(change, change.new)
            old, new = marked_difference(str(old), str(new))
            context.append({"field": capfirst(field.verbose_name), "old": old, "new": new})
        return context

    @staticmethod
    def relation_change(field, change):
        """The names added and removed, sorted (``diff_against`` gives the through rows' objects)."""
        name = get_m2m_reverse_field_name(field)
        old = {str(row[name]) for row in change.old}
        new = {str(row[name]) for row in change.new}
        return sorted(new - old, key=str.casefold), sorted(old - new, key=str.casefold)

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return "oui" if value else "non"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(field, RichTextField):
            # The words the editor typed, not the HTML the editor stores (« <p>… »).
            return plain_text(value) or "—"
        if isinstance(value, datetime.datetime):
            return dates.french_datetime(value)
        if isinstance(value, datetime.date):
            return dates.french_date(value, weekday=False)
        return value


def marked_difference(old, new):
    """``old`` and ``new`` whole and escaped, the words removed in ``<del>``, those added in ``<ins>``."""
    old_words, new_words = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    old_html, new_html = [], []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old_words[i1:i2]), "".join(new_words[j1:j2])
        if tag == "equal":
            old_html.append(escape(removed))
            new_html.append(escape(added))
            continue
        if removed:
            old_html.append(format_html("<del>{}</del>", removed))
        if added:
            new_html.append(format_html("<ins>{}</ins>", added))
    return mark_safe("".join(old_html)), mark_safe("".join(new_html))  # noqa: S308 - every piece escaped above


def date_column(field_name, description):
    """A change-list column showing a date field as « 1er avril 2025 » (core/dates.py), sortable by it.

    Django's own column writes « 1 avril 2025 » (its French format has no « 1er »).
    """

    @admin.display(description=description, ordering=field_name, empty_value="—")
    def column(obj):
        value = getattr(obj, field_name)
        return dates.french_date(value, weekday=False) if value else None

    column.__name__ = f"{field_name}_display"
    return column


class ContentHistoryAdmin(SimpleHistoryAdmin):
    """Base of every content admin: django-simple-history's « Historique », in French."""

    object_history_list_template = "admin/history/object_history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return FrenchHistoryContextHelper(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """What each version changed, without the fields the system sets (``core.history.system_fields``).

        A date the system wrote, the search index or the last-modified date are not the person's
        change: they are left out of their version (a version without a user, the system's, shows
        the dates it wrote). The versions are compared by the page's queryset order (newest first);
        the oldest of a page is compared with none.
        """
        by_a_person, by_the_system = sorted(system_fields(self.model)), sorted(automatic_fields(self.model))
        previous = None
        for current in historical_records:
            if previous is not None:
                excluded = by_a_person if previous.history_user_id else by_the_system
                delta = previous.diff_against(current, excluded_fields=excluded, foreign_keys_are_objs=True)
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def save_related(self, request, form, formsets, change):
        # One save is one version: the relations go into the version save_model() wrote.
        with one_version(form.instance):
            super().save_related(request, form, formsets, change)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The version is a number in the address: anything else is no version (a 404), not a 500.
        if not is_valid_value(self.model.history.model._meta.pk, version_id):
            raise Http404("Version inconnue")
        return super().history_form_view(request, object_id, version_id, extra_context)


class SaveAsNewMixin:
    """« Enregistrer comme nouvel élément » (``save_as``) for a model with a unique ``slug``.

    The copy is posted with its original's slug, which is taken: it gets the next free one
    (``-2``, ``-3``…) and the editor is told which. A slug typed by the editor and still free is
    kept. The copy's other errors are shown on its form, as for any new object.
    """

    save_as = True

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        if request.method != "POST" or "_saveasnew" not in request.POST or "slug" not in form_class.base_fields:
            return form_class
        queryset = self.model._default_manager.all()

        class SaveAsNewForm(form_class):
            renamed_slug = None  # (the slug posted, the one the copy gets)

            def clean_slug(self):
                posted = self.cleaned_data["slug"]
                slug = unique_slug(queryset, posted)
                if slug != posted:
                    self.renamed_slug = (posted, slug)
                return slug

        return SaveAsNewForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        renamed = getattr(form, "renamed_slug", None)
        if renamed:
            self.message_user(
                request,
                f"L’adresse « {renamed[0]} » est déjà prise (par l’original) : la copie a reçu l’adresse "
                f"« {renamed[1]} ». Vous pouvez la changer.",
                messages.INFO,
            )


class PreviewAdminMixin:
    """« Prévisualiser » on the change and add forms: the public page with the form's unsaved changes.

    ``preview_view_class`` is the public page's view (``core.views.PreviewableViewMixin``). The
    button (templates/admin/submit_line.html) posts the form, in a new tab named « apercu », to
    ``<id>/apercu/`` (``apercu/`` from the add form): the form and its inlines are validated as a
    save would validate them, nothing is saved (core/preview.py), and the tab shows the public
    page, or what to correct in the form. For who may change the object (add one, from the add
    form); POST only, with the form's CSRF token. The page is never cached, nor indexed.
    """

    preview_view_class = None

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_preview"
        view = self.admin_site.admin_view(changes_no_content(self.preview_view))
        return [
            path("apercu/", view, name=name),
            path("<path:object_id>/apercu/", view, name=name),
            *super().get_urls(),
        ]

    def preview_url(self, obj=None):
        args = [] if obj is None or obj.pk is None else [quote(obj.pk)]
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_preview"
        return reverse(name, args=args, current_app=self.admin_site.name)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        allowed = self.has_change_permission(request, obj) if obj is not None else self.has_add_permission(request)
        if allowed and not context.get("is_popup"):
            context["preview_url"] = self.preview_url(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def preview_view(self, request, object_id=None):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = None
        if object_id is None:
            if not self.has_add_permission(request):
                raise PermissionDenied
        else:
            obj = self.get_object(request, unquote(object_id))
            if obj is None:
                raise Http404("Élément inconnu")
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
        change = obj is not None
        # The files sent with the form are not read: the preview writes none (the saved image shows).
        form = self.get_form(request, obj, change=change)(request.POST, instance=obj)
        formsets, _inlines = self._create_formsets(request, form.instance, change=change)
        form_valid = form.is_valid()
        if all_valid(formsets) and form_valid:
            response = self.preview_view_class.render_preview(
                request,
                form.instance,
                chosen_relations(form),
                unsaved_preview={"files_ignored": any(request.FILES.values())},
            )
        else:
            response = self.preview_errors_response(request, obj, form, formsets)
        response["X-Robots-Tag"] = "noindex"
        patch_cache_control(response, private=True, no_store=True)
        return response

    def preview_errors_response(self, request, obj, form, formsets):
        """What to correct in the form before it can be previewed (the page in the preview tab)."""
        problems = [*self._form_problems(form)]
        for formset in formsets:
            name = capfirst(formset.model._meta.verbose_name)
            problems.extend((name, error) for error in formset.non_form_errors())
            for number, inline_form in enumerate(formset.forms, start=1):
                problems.extend(self._form_problems(inline_form, f"{name} n° {number} – "))
        context = {
            **self.admin_site.each_context(request),
            "title": "Aperçu impossible : le formulaire contient des erreurs",
            "subtitle": None,
            "opts": self.opts,
            "original": obj,
            "problems": problems,
            "has_view_permission": self.has_view_permission(request, obj),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/preview_errors.html", context)

    @staticmethod
    def _form_problems(form, prefix=""):
        """[(what, message)] of ``form``'s errors, each under its field's label."""
        for name, errors in form.errors.items():
            field = form.fields.get(name)
            what = capfirst(field.label) if field is not None and field.label else "Formulaire"
            if name == NON_FIELD_ERRORS:
                what = "Formulaire"
            for error in errors:
                yield f"{prefix}{what}", error


class ViewOnSiteColumnMixin:
    """A « Voir sur le site » link in the change list (the change form has Django's own button).

    Unpublished objects are shown to staff by the public detail views, so the link doubles
    as a preview.
    """

    @admin.display(description="sur le site")
    def view_on_site_link(self, obj):
        return format_html(
            '<a href="{}">Voir<span class="visually-hidden"> « {} »</span> sur le site</a>',
            obj.get_absolute_url(),
            obj,
        )


class LabelledListEditableMixin:
    """The fields of ``list_editable`` named for screen readers, with the row they belong to.

    Django names a list's columns in the table's head only: a screen reader meets « 10, zone de
    saisie » without knowing what it orders (WCAG 1.3.1 and 4.1.2, axe's « label »).
    """

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class LabelledForm(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for field in self.fields.values():
                    field.widget.attrs.setdefault("aria-label", f"{capfirst(field.label)} ({self.instance})")

        return LabelledForm


class SearchableAdminMixin:
    """Admin search that also uses the portal's full-text search (accents, case and plurals ignored).

    Django's ``icontains`` search stays (it matches slugs and partial words); the model's
    ``search()`` is added to it, so « sante » finds « Santé » on SQLite and PostgreSQL alike.
    """

    def get_search_results(self, request, queryset, search_term):
        search_term = clean_query(search_term)  # bounded, and no NUL (PostgreSQL rejects it)
        if not search_term:
            return queryset, False
        manager = self.model._default_manager
        default_matches, _ = super().get_search_results(request, manager.all(), search_term)
        text_matches = manager.search(search_term)
        return queryset.filter(Q(pk__in=default_matches.values("pk")) | Q(pk__in=text_matches.values("pk"))), False


class PublishActionsMixin:
    """Bulk « Publier la sélection » / « Dépublier la sélection » for models with a ``published`` flag.

    ``QuerySet.update()`` would bypass django-simple-history: each object is saved instead, so
    it gets its own history record with the acting user, and an entry in the admin log.
    Subclasses give the French messages (the past participle agrees with the model's gender).
    """

    actions = ["publish_selected", "unpublish_selected"]
    published_messages = ("{count} élément publié sur le site.", "{count} éléments publiés sur le site.")
    unpublished_messages = ("{count} élément retiré du site.", "{count} éléments retirés du site.")

    @admin.action(description="Publier la sélection", permissions=["change"])
    def publish_selected(self, request, queryset):
        self._set_published(request, queryset, published=True)

    @admin.action(description="Dépublier la sélection", permissions=["change"])
    def unpublish_selected(self, request, queryset):
        self._set_published(request, queryset, published=False)

    def _set_published(self, request, queryset, *, published):
        opts = self.model._meta
        update_fields = ["published", *(f.name for f in opts.concrete_fields if getattr(f, "auto_now", False))]
        reason = "Publication groupée" if published else "Dépublication groupée"
        field_label = str(opts.get_field("published").verbose_name)
        changed = []
        with transaction.atomic():
            for obj in queryset.filter(published=not published):
                obj.published = published
                obj._history_user = request.user
                obj._change_reason = reason
                obj.save(update_fields=update_fields)
                self.log_change(request, obj, [{"changed": {"fields": [field_label]}}])
                changed.append(obj)
        # « Publié » with a « retirer le » passed or a « publier le » to come: not on the site (yet).
        hidden = not_public_after_publishing(queryset) if published else []
        hidden_pks = {obj.pk for obj, _ in hidden}
        visible = [obj for obj in changed if obj.pk not in hidden_pks]
        if visible:
            singular, plural = self.published_messages if published else self.unpublished_messages
            self.message_user(request, plural_fr(len(visible), singular, plural), messages.SUCCESS)
        if hidden:
            self.message_user(request, self.hidden_message(hidden), messages.WARNING)
        elif not changed:
            already = "déjà publiée" if published else "déjà hors ligne"
            self.message_user(request, f"Rien n’a changé : la sélection était {already}.", messages.INFO)

    @staticmethod
    def hidden_message(hidden):
        names = " ; ".join(f"« {obj} » ({state[0].lower()}{state[1:]})" for obj, state in hidden)
        return (
            plural_fr(
                len(hidden),
                "{count} élément choisi n’est pas visible sur le site à cause de ses dates : ",
                "{count} éléments choisis ne sont pas visibles sur le site à cause de leurs dates : ",
            )
            + names
            + ". Changez « publier le » ou « retirer le » sur leur fiche pour les montrer."
        )


# The glossary (core/glossary.py), edited by the « Rédaction » group.


class PublicationFilter(admin.SimpleListFilter):
    """What waits for the editors (the dashboard's links lead here): drafts, theirs, scheduled changes."""

    title = "à suivre"
    parameter_name = "publication"
    DRAFTS, MY_DRAFTS, SCHEDULED = "brouillons", "mes-brouillons", "programmes"

    def lookups(self, request, model_admin):
        return [
            (self.DRAFTS, "Brouillons"),
            (self.MY_DRAFTS, "Mes brouillons (créés ou modifiés par moi)"),
            (self.SCHEDULED, "Publication ou retrait programmé"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case self.DRAFTS:
                return queryset.filter(draft_q())
            case self.MY_DRAFTS:
                return queryset.filter(draft_q(), changed_by_q(queryset.model, request.user))
            case self.SCHEDULED:
                return queryset.filter(scheduled_change_q())
        return None


class PublicationChoiceMixin:
    """The publication of an action, event, partner or place as a plain choice, and its state in the list.

    « Brouillon (pas visible sur le site) » or « Publié », as two radio buttons: a new object is a
    draft until the editor chooses. The rule itself is the model's (core/publication.py). The list
    gets the « à suivre » filter (``PublicationFilter``) after its own.
    """

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), PublicationFilter]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "published":
            return forms.TypedChoiceField(
                label="Publication",
                choices=[(False, DRAFT_LABEL), (True, PUBLISHED_LABEL)],
                coerce=lambda value: value in (True, "True"),
                widget=forms.RadioSelect,
                initial=False,
                help_text=PUBLISHED_HELP,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="publication", ordering="published")
    def publication_state(self, obj):
        return obj.publication_state()


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(ContentHistoryAdmin):
    list_display = ["term", "expansion", "slug", "updated_at"]
    search_fields = ["term", "expansion", "variants", "definition"]
    prepopulated_fields = {"slug": ["term"]}
    readonly_fields = ["updated_at"]
    fields = ["term", "slug", "expansion", "variants", "definition", "updated_at"]


@admin.register(SiteSettings)
class SiteSettingsAdmin(ContentHistoryAdmin):
    """The site's settings: one row, edited in place; never added twice, never deleted.

    The admin's link (« Réglages du site ») opens the form itself: the list of one row redirects
    to that row's form, or to the add form while no one has saved the settings yet (the pages
    show the defaults until then). The list's own filters and popups have nothing to offer here.
    """

    list_display = ["__str__", "city_name", "ccas_name", "updated_at"]

    fieldsets = [
        ("La ville", {"fields": ["city_name", "logo", "logo_alt"]}),
        (
            "Le service Prévention-Santé du CCAS",
            {
                "description": "Affiché sur toutes les pages (pied de page) et sur la page Contact.",
                "fields": ["ccas_name", "ccas_address", "ccas_opening_hours", "ccas_phone", "ccas_email"],
            },
        ),
        (
            "Mentions légales",
            {
                "description": "La loi demande de nommer l’éditeur du site, le directeur de la publication et "
                "l’hébergeur (nom, adresse, téléphone). Ce qui est laissé vide s’affiche « à confirmer ».",
                "fields": [
                    "publisher_name",
                    "publisher_address",
                    "publisher_phone",
                    "publication_director",
                    "host_name",
                    "host_address",
                    "host_phone",
                ],
            },
        ),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = SiteSettings.objects.only("pk").first()
        if row is not None:
            return redirect(self._admin_url("change", row.pk))
        if self.has_add_permission(request):
            return redirect(self._admin_url("add"))
        return super().changelist_view(request, extra_context)

    def _admin_url(self, view, *args):
        return reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{view}", args=args)

    def has_delete_permission(self, request, obj=None):
        return False


# The search's synonyms, kept by the editors (core/synonyms.py) -------------------------------------


@admin.register(Synonym)
class SynonymAdmin(ContentHistoryAdmin):
    list_display = ["term", "equivalents", "updated_at"]
    search_fields = ["term", "equivalents"]
    fields = ["term", "equivalents"]
