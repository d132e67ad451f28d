"""What the content admins of every app share (the admin site itself is staff/admin_site.py).

Mixins for the apps' own ``admin.py``: a « Voir sur le site » column, accent-insensitive search,
bulk publish / unpublish actions that leave a history record per object, « Enregistrer comme
nouvel élément » with a free slug, and the history in French.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import ManyToManyField, Q
from django.http import Http404
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from core import dates
from core.admin_params import is_valid_value
from core.glossary import GlossaryTerm
from core.publication import DRAFT_LABEL, PUBLISHED_HELP, PUBLISHED_LABEL
from core.search import clean_query
from core.site_settings import SiteSettings
from core.slugs import unique_slug
from core.synonyms import Synonym


def plural_fr(count, singular, plural):
    """French rule: 0 and 1 take the singular."""
    return (singular if count <= 1 else plural).format(count=count)


class FrenchHistoryContextHelper(HistoricalRecordContextHelper):
    """Values of the history's « what changed » column as an editor reads them.

    « oui » / « non » rather than True / False, choice labels rather than stored codes,
    French dates, « — » for an empty value.
    """

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if isinstance(field, ManyToManyField):
            return super().prepare_delta_change_value(change, value)
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return "oui" if value else "non"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime.datetime):
            return dates.french_datetime(value)
        if isinstance(value, datetime.date):
            return dates.french_date(value, weekday=False)
        return value


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
        changed = 0
        with transaction.atomic():
            for obj in queryset.filter(published=not published):
                obj.published = published
                obj._history_user = request.user
                obj._change_reason = reason
                obj.save(update_fields=update_fields)
                self.log_change(request, obj, [{"changed": {"fields": [field_label]}}])
                changed += 1
        if not changed:
            already = "déjà publiée" if published else "déjà hors ligne"
            self.message_user(request, f"Rien n’a changé : la sélection était {already}.", messages.INFO)
            return
        singular, plural = self.published_messages if published else self.unpublished_messages
        self.message_user(request, plural_fr(changed, singular, plural), messages.SUCCESS)


# The glossary (core/glossary.py), edited by the « Rédaction » group.


class PublicationChoiceMixin:
    """The publication of an action, event, partner or place as a plain choice, and its state in the list.

    « Brouillon (pas visible sur le site) » or « Publié », as two radio buttons: a new object is a
    draft until the editor chooses. The rule itself is the model's (core/publication.py).
    """

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

    The list stays a list (of one row), as every admin list is: the generic checks of the admin
    pages open it like the others.
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

    def has_delete_permission(self, request, obj=None):
        return False


# The search's synonyms, kept by the editors (core/synonyms.py) -------------------------------------


@admin.register(Synonym)
class SynonymAdmin(ContentHistoryAdmin):
    list_display = ["term", "equivalents", "updated_at"]
    search_fields = ["term", "equivalents"]
    fields = ["term", "equivalents"]
