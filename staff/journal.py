"""The administrator's journal: who changed what and when, across every model with a history.

One page of the admin (``/admin/journal/``), for superusers and for staff holding Django's
« voir une entrée du journal » permission (``admin.view_logentry``, the admin's own log: no new
permission to create). It reads the versions django-simple-history keeps for every tracked model
(``core.history``), found through the app registry, not by name: one ``UNION ALL`` of their
common columns, sorted and cut in SQL (a count and a page), then the page's versions read back
model by model (one query per kind present on the page). Bounded whatever the amount of history.

Exports of personal data have no version of their own: whoever exports them (the mutuelle's list
export and « droit d’accès ») writes an entry in Django's admin log (``LogEntry``) whose message
starts with ``EXPORT_MESSAGE_PREFIX``. Those entries join the same ``UNION ALL`` as one more kind
(``EXPORTS``), shown as « Export », filterable like the others; the admin's other log entries
(edits, already kept as versions) are left out.
"""

import datetime

from django import forms
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, IntegerField, Value
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import capfirst

PER_PAGE = 50
OPERATIONS = {"+": "création", "~": "modification", "-": "suppression"}

# The start of the admin log message of every export of personal data (written by the apps that
# export, e.g. mutuelle/services/journal.py): how the journal tells them from the other entries.
EXPORT_MESSAGE_PREFIX = "Export de données personnelles : "
# The journal's kind for those exports (the other kinds are content type ids, never 0) and its
# value in the kind filter.
EXPORTS = 0
EXPORTS_CHOICE = "exports"
EXPORTS_LABEL = "Exports de données personnelles"


def export_message(text):
    """The admin log message of an export of personal data: ``text`` says what, never who it is about."""
    return f"{EXPORT_MESSAGE_PREFIX}{text}"


def export_entries():
    """The admin log entries of exports of personal data."""
    return LogEntry.objects.filter(change_message__startswith=EXPORT_MESSAGE_PREFIX)


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
    kind = forms.ChoiceField(label="Type d’élément", required=False)
    since = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = get_user_model().objects.filter(is_staff=True).order_by("username")
        choices = [(str(ct.pk), capfirst(label)) for ct, label in kinds] + [(EXPORTS_CHOICE, EXPORTS_LABEL)]
        self.fields["kind"].choices = [("", "Tous"), *sorted(choices, key=lambda choice: choice[1].casefold())]


def _filtered(queryset, *, user_field, date_field, person, since, until):
    tz, midnight = timezone.get_default_timezone(), datetime.time()
    if person is not None:
        queryset = queryset.filter(**{user_field: person})
    if since:
        queryset = queryset.filter(**{f"{date_field}__gte": datetime.datetime.combine(since, midnight, tzinfo=tz)})
    if until:
        day_after = until + datetime.timedelta(days=1)
        queryset = queryset.filter(**{f"{date_field}__lt": datetime.datetime.combine(day_after, midnight, tzinfo=tz)})
    return queryset


def journal_rows(*, models_by_type, exports=True, person=None, since=None, until=None):
    """Every version of ``models_by_type`` ({content type id: model}), and every export of personal
    data if ``exports``, newest first, as light rows (id, date, kind)."""
    filters = {"person": person, "since": since, "until": until}
    parts = []
    for type_id, model in models_by_type.items():
        versions = _filtered(
            history_model(model).objects.order_by(), user_field="history_user", date_field="history_date", **filters
        )
        parts.append(
            versions.annotate(journal_kind=Value(type_id, output_field=IntegerField())).values_list(
                "history_id", "history_date", "journal_kind"
            )
        )
    if exports:
        entries = _filtered(export_entries().order_by(), user_field="user", date_field="action_time", **filters)
        parts.append(  # under the versions' column names, so that the union sorts them alike
            entries.annotate(
                history_id=F("id"),
                history_date=F("action_time"),
                journal_kind=Value(EXPORTS, output_field=IntegerField()),
            ).values_list("history_id", "history_date", "journal_kind")
        )
    if not parts:
        return []
    first, *others = parts
    return (
        first.union(*others, all=True).order_by("-history_date", "-history_id")
        if others
        else first.order_by("-history_date", "-history_id")
    )


def admin_opener(request, admin_site):
    """``can_open(model)``: whether the reader may open that model's pages in the admin (its
    history, a request's page). A reader of the journal who may not (the administrator's deputy
    without the mutuelle's permission) sees the object's name without a link to a 403."""
    answers = {}

    def can_open(model):
        if model not in answers:
            model_admin = admin_site._registry.get(model)
            answers[model] = bool(model_admin and model_admin.has_view_or_change_permission(request))
        return answers[model]

    return can_open


def page_entries(rows, models_by_type, can_open=lambda model: True):
    """The page's versions read back, one query per kind on the page, in the page's order; the
    links only to the pages ``can_open`` lets the reader open."""
    wanted = {}
    for history_id, _date, type_id in rows:
        wanted.setdefault(type_id, []).append(history_id)
    found = {}
    for type_id, ids in wanted.items():
        if type_id == EXPORTS:
            for entry in export_entries().filter(pk__in=ids).select_related("user", "content_type"):
                found[type_id, entry.pk] = (None, entry)
            continue
        model = models_by_type[type_id]
        for version in history_model(model).objects.filter(history_id__in=ids).select_related("history_user"):
            found[type_id, version.history_id] = (model, version)
    entries = []
    for history_id, _date, type_id in rows:
        model, version = found[type_id, history_id]
        if type_id == EXPORTS:
            exported_model = version.content_type.model_class() if version.content_type else None
            entries.append(export_row(version, linked=exported_model is not None and can_open(exported_model)))
            continue
        history_url = _history_url(model, version) if can_open(model) else None
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


def _history_url(model, version):
    try:
        return reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[version.history_object.pk]
        )
    except NoReverseMatch:
        return None


def export_row(entry, linked=True):
    """An export of personal data as a journal row: who, when, what (a reference, never a name)."""
    return {
        "date": entry.action_time,
        "user": entry.user,
        "reason": entry.change_message.removeprefix(EXPORT_MESSAGE_PREFIX),
        "kind": "Export",
        "object": entry.object_repr,
        "operation": "export",
        # The request's page, for who may open it (content type joined: no query).
        "history_url": (entry.get_admin_url() or None) if linked else None,
    }


def journal_view(request, admin_site):
    if not can_view_journal(request.user):
        raise PermissionDenied
    models = tracked_models()
    types = ContentType.objects.get_for_models(*models)
    kinds = [(types[model], model._meta.verbose_name_plural) for model in models]
    models_by_type = {types[model].pk: model for model in models}
    form = JournalFilterForm(request.GET or None, kinds=kinds)
    filters = form.cleaned_data if form.is_valid() else {}
    kind, exports = filters.get("kind"), True
    if kind == EXPORTS_CHOICE:
        models_by_type = {}
    elif kind:
        models_by_type, exports = {int(kind): models_by_type[int(kind)]}, False
    rows = journal_rows(
        models_by_type=models_by_type,
        exports=exports,
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
        "entries": page_entries(page.object_list, models_by_type, admin_opener(request, admin_site)),
        "page_range": page.paginator.get_elided_page_range(page.number),
        "query": query.urlencode(),
    }
    return TemplateResponse(request, "admin/journal.html", context)
