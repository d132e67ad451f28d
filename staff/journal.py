"""The administrator's journal: who changed what and when, across every model with a history.

One page of the admin (``/admin/journal/``), for superusers and for staff holding Django's
« voir une entrée du journal » permission (``admin.view_logentry``, the admin's own log: no new
permission to create). It reads the versions django-simple-history keeps for every tracked model
(``core.history``), found through the app registry, not by name: one ``UNION ALL`` of their
common columns, sorted and cut in SQL (a count and a page), then the page's versions read back
model by model (one query per kind present on the page). Bounded whatever the amount of history.

Exports of personal data have no log model of their own: the mutuelle's « droit d’accès » export
writes an entry in the admin log, not a version, so it is not listed here.
"""

import datetime

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import IntegerField, Value
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import capfirst

PER_PAGE = 50
OPERATIONS = {"+": "création", "~": "modification", "-": "suppression"}


def can_view_journal(user):
    return user.is_active and user.is_staff and (user.is_superuser or user.has_perm("admin.view_logentry"))


def tracked_models():
    """The models whose changes django-simple-history keeps, sorted by their French name."""
    models = [
        model
        for model in apps.get_models()
        if getattr(model._meta, "simple_history_manager_attribute", None) and not model._meta.proxy
    ]
    return sorted(models, key=lambda model: str(model._meta.verbose_name_plural).casefold())


def history_model(model):
    return getattr(model, model._meta.simple_history_manager_attribute).model


class JournalFilterForm(forms.Form):
    person = forms.ModelChoiceField(
        label="Personne", queryset=get_user_model().objects.none(), required=False, empty_label="Toutes"
    )
    kind = forms.TypedChoiceField(label="Type d’élément", required=False, coerce=int, empty_value=None)
    since = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = get_user_model().objects.filter(is_staff=True).order_by("username")
        self.fields["kind"].choices = [("", "Tous"), *((ct.pk, capfirst(label)) for ct, label in kinds)]


def journal_rows(*, models_by_type, person=None, since=None, until=None):
    """Every version of ``models_by_type`` ({content type id: model}), newest first, as light rows."""
    tz, midnight = timezone.get_default_timezone(), datetime.time()
    parts = []
    for type_id, model in models_by_type.items():
        versions = history_model(model).objects.order_by()
        if person is not None:
            versions = versions.filter(history_user=person)
        if since:
            versions = versions.filter(history_date__gte=datetime.datetime.combine(since, midnight, tzinfo=tz))
        if until:
            day_after = until + datetime.timedelta(days=1)
            versions = versions.filter(history_date__lt=datetime.datetime.combine(day_after, midnight, tzinfo=tz))
        parts.append(
            versions.annotate(journal_kind=Value(type_id, output_field=IntegerField())).values_list(
                "history_id", "history_date", "journal_kind"
            )
        )
    if not parts:
        return []
    first, *others = parts
    return (
        first.union(*others, all=True).order_by("-history_date", "-history_id")
        if others
        else first.order_by("-history_date", "-history_id")
    )


def page_entries(rows, models_by_type):
    """The page's versions read back, one query per kind on the page, in the page's order."""
    wanted = {}
    for history_id, _date, type_id in rows:
        wanted.setdefault(type_id, []).append(history_id)
    found = {}
    for type_id, ids in wanted.items():
        model = models_by_type[type_id]
        for version in history_model(model).objects.filter(history_id__in=ids).select_related("history_user"):
            found[type_id, version.history_id] = (model, version)
    entries = []
    for history_id, _date, type_id in rows:
        model, version = found[type_id, history_id]
        try:
            history_url = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[version.history_object.pk]
            )
        except NoReverseMatch:
            history_url = None
        entries.append(
            {
                "date": version.history_date,
                "user": version.history_user,
                "reason": version.history_change_reason,
                "kind": capfirst(model._meta.verbose_name),
                "object": str(version.history_object),  # no query (.instance reads the excluded fields)
                "operation": OPERATIONS.get(version.history_type, version.history_type),
                "history_url": history_url,
            }
        )
    return entries


def journal_view(request, admin_site):
    if not can_view_journal(request.user):
        raise PermissionDenied
    models = tracked_models()
    types = ContentType.objects.get_for_models(*models)
    kinds = [(types[model], model._meta.verbose_name_plural) for model in models]
    models_by_type = {types[model].pk: model for model in models}
    form = JournalFilterForm(request.GET or None, kinds=kinds)
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("kind"):
        models_by_type = {filters["kind"]: models_by_type[filters["kind"]]}
    rows = journal_rows(
        models_by_type=models_by_type,
        person=filters.get("person"),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **admin_site.each_context(request),
        "title": "Journal des modifications",
        "form": form,
        "page_obj": page,
        "entries": page_entries(page.object_list, models_by_type),
        "page_range": page.paginator.get_elided_page_range(page.number),
        "query": query.urlencode(),
    }
    return TemplateResponse(request, "admin/journal.html", context)
