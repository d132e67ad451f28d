"""What an admin page does with a query it cannot answer: a 400 or Django's ``?e=1``, never a 500.

Django's admin redirects most junk in a change list's query to ``?e=1`` (« paramètres incorrects »),
but not all of it. What reached a 500, on PostgreSQL or SQLite (issue 9 §4):

- a NUL byte in a filter (``?status=%00``): PostgreSQL refuses it;
- any lookup on a model's own fields, which Django accepts and the database then fails on:
  ``?id__regex=(``, ``?name__range=x``, ``?id__in=99999999999999999999`` (SQLite),
  ``?title__search=x`` (SQLite), ``?ip_address=abc`` (PostgreSQL's inet), ``?created_at__year=9…9``;
- dates off Python's calendar: a date hierarchy year of 9999 (its end is in year 10 000), a date
  filter or a hierarchy on year 1 (its midnight in Paris is before year 1 in UTC, on SQLite);
- a search of a thousand words on an admin without ``SearchableAdminMixin``: deeper than SQLite's
  expressions may go;
- an action's selection, or an editable list's rows, by keys no object can have (``abc``, 20 digits);
- the export of a list (django-import-export), which builds the list from the same query but does
  not catch the redirect to ``?e=1``;
- an add form pre-filled from the query with a key that is not one (``?axis=abc``), or with a date
  and time (``?start=2026-01-01``).

``CreteilClsAdminSite.admin_view`` wraps every admin page, Django's and the packages' included,
with ``checked_view``:

- everywhere: a NUL byte in a parameter's name or value, in the query string or the form data,
  answers 400 (``BadRequest``, « Requête invalide »). Two exceptions: the search of a list, which
  Django's search form already refuses with a message (the list then shows everything), and which
  is cut at 200 characters as the site's other searches are; ``_changelist_filters`` (the list's
  query kept for the way back), checked on the list it leads to. Other control characters pass:
  neither PostgreSQL nor the filters choke on them (the property-based tests throw them at every list).
- on a change list, once the user may see it: a parameter that none of its links holds (its
  filters, date hierarchy, search, ordering, page, popups) is treated as Django treats a wrong
  lookup, with a redirect to ``?e=1``; a date off the calendar in a date filter or the hierarchy, or
  a selection by impossible keys, answers 400.
- on an export: the same, with a 400 where the list would redirect.
- on an add form, which Django pre-fills from the query: a key of the wrong type for a relation,
  or a date and time (the admin's widget cannot split a text), answers 400.
"""

import datetime
import re
from functools import wraps

from django.contrib.admin import ModelAdmin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IS_FACETS_VAR, IS_POPUP_VAR, TO_FIELD_VAR, IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.contrib.admin.widgets import url_params_from_lookup_dict
from django.core.exceptions import BadRequest, FieldDoesNotExist, ValidationError
from django.db.models import DateField, DateTimeField, Field, ForeignKey, ManyToManyField
from django.http import HttpResponseRedirect

from core.search import MAX_QUERY_LENGTH

# Kept for the way back to a filtered list: checked on that list, when it is used.
PRESERVED_FILTERS = "_changelist_filters"
# The change list's own parameters (django.contrib.admin.views.main), and the way back, which the
# export ignores and the list takes for a wrong lookup (?e=1).
CHANGELIST_VARIABLES = {
    ALL_VAR,
    ORDER_VAR,
    PAGE_VAR,
    SEARCH_VAR,
    ERROR_FLAG,
    IS_FACETS_VAR,
    IS_POPUP_VAR,
    TO_FIELD_VAR,
    PRESERVED_FILTERS,
}
# The views that build a change list from the query: Django's list, and django-import-export's export;
# and the add form, which Django pre-fills from the query.
LIST_VIEW = "changelist_view"
EXPORT_VIEW = "export_action"
ADD_VIEW = "add_view"
# A day whose midnight is a day in every time zone: year 1 in Paris is before year 1 in UTC.
FIRST_YEAR, LAST_YEAR = datetime.MINYEAR + 1, datetime.MAXYEAR - 1


def is_valid_value(field, value):
    """Whether ``value`` (text from a query) is one ``field`` can hold: a key of its type, within the
    database's range (the field's validators hold the integer bounds), so that looking it up cannot fail."""
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


def refuse(reason, name):
    # The parameter's name, not its value, goes to the log: a search may hold a person's name.
    raise BadRequest(f"Requête invalide : {reason} ({name[:50]!r})")


def checked_view(view, admin_view):
    """``admin_view(view)`` (the admin's login and permission check) behind the checks of its query.

    The search is bounded and NUL refused first, for everyone; a list's or an add form's own rules
    run once the user is known to be allowed on the admin and on the model, so that a page they may
    not see stays a 403 whatever its query.
    """
    model_admin = getattr(view, "__self__", None)
    name = view.__name__ if isinstance(model_admin, ModelAdmin) else None
    is_list = name in (LIST_VIEW, EXPORT_VIEW)
    if is_list:
        view = with_changelist_checks(view, model_admin)
    elif name == ADD_VIEW:
        view = with_initial_checks(view, model_admin)
    protected = admin_view(view)

    @wraps(protected)
    def view_with_checked_parameters(request, *args, **kwargs):
        if is_list:
            request.GET = bounded_search(request.GET)
        check_parameters(request, allowed=(SEARCH_VAR,) if is_list else ())
        return protected(request, *args, **kwargs)

    return view_with_checked_parameters


def with_changelist_checks(view, model_admin):
    is_export = view.__name__ == EXPORT_VIEW

    @wraps(view)
    def changelist_with_checked_parameters(request, *args, **kwargs):
        if not model_admin.has_view_or_change_permission(request):
            return view(request, *args, **kwargs)  # Django's 403
        filters = filter_parameters(model_admin, request)
        unknown = unknown_parameter(model_admin, request, filters)
        if unknown is not None:
            if is_export:
                refuse("filtre inconnu", unknown)
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")  # as Django answers a wrong lookup
        check_changelist_values(model_admin, request, filters)
        try:
            return view(request, *args, **kwargs)
        except IncorrectLookupParameters:  # the list catches it (?e=1), the export lets it through
            refuse("filtre invalide", ", ".join(request.GET))

    return changelist_with_checked_parameters


def with_initial_checks(view, model_admin):
    @wraps(view)
    def add_form_with_checked_initial_values(request, *args, **kwargs):
        if request.method == "GET" and model_admin.has_add_permission(request):
            check_initial_values(model_admin, request)
        return view(request, *args, **kwargs)

    return add_form_with_checked_initial_values


# Every admin page ----------------------------------------------------------------------------


def check_parameters(request, allowed=()):
    """Refuse a NUL byte in any parameter's name or value, in the query string or the form data.

    ``allowed``: the parameters whose view refuses a NUL itself (a list's search).
    """
    parameters = [request.GET]
    if request.method == "POST":
        parameters.append(request.POST)
    for data in parameters:
        for name, values in data.lists():
            if name == PRESERVED_FILTERS or name in allowed:
                continue
            if "\x00" in name or any("\x00" in value for value in values):
                refuse("caractère nul", name)


def bounded_search(query):
    """The query with its search cut at 200 characters, as every search of the site is."""
    values = query.getlist(SEARCH_VAR)
    if all(len(value) <= MAX_QUERY_LENGTH for value in values):
        return query
    query = query.copy()
    query.setlist(SEARCH_VAR, [value[:MAX_QUERY_LENGTH] for value in values])
    query._mutable = False
    return query


# Change lists --------------------------------------------------------------------------------


def unknown_parameter(model_admin, request, filters):
    """The first parameter that none of the list's own links holds (``filters``: filter_parameters), if any."""
    known = {
        *CHANGELIST_VARIABLES,
        *filters,
        *date_hierarchy_parameters(model_admin),
    }
    popup_lookups = popup_parameters(model_admin.model)
    for name, values in request.GET.lists():
        if name in known:
            continue
        if name not in popup_lookups or any(value != popup_lookups[name] for value in values):
            return name
    return None


def filter_parameters(model_admin, request):
    """The parameters of the list filters: name → the field whose values they hold (None: a filter's own).

    Read from the configuration, without running the filters (their choices cost queries), as
    Django's filters name them: a relation by its target's key (``axis__id__exact``: an exact lookup
    on an integer key, which Django bounds); any other field by itself (all values), ``__exact``
    (choices, booleans), ``__gte`` and ``__lt`` (dates); ``__isnull`` and ``__isempty`` for all.
    """
    parameters = {}
    for item in model_admin.get_list_filter(request):
        if callable(item):  # a filter class: a SimpleListFilter's own parameter, its queryset() reads it
            # Another kind of ListFilter would need its names here (test_admin_fuzz.py says so).
            parameters[getattr(item, "parameter_name", None)] = None
            continue
        field_path = item[0] if isinstance(item, (list, tuple)) else item
        if isinstance(field_path, Field):
            field, field_path = field_path, field_path.name
        else:
            field = get_fields_from_path(model_admin.model, field_path)[-1]
        if field.is_relation:
            parameters[f"{field_path}__{field.target_field.name}__exact"] = field.target_field
        else:
            for name in (field_path, f"{field_path}__exact", f"{field_path}__gte", f"{field_path}__lt"):
                parameters[name] = field
        parameters[f"{field_path}__isnull"] = parameters[f"{field_path}__isempty"] = None
    return parameters


def popup_parameters(model):
    """The lookups of a raw-id popup for a foreign key with ``limit_choices_to`` (Django allows those)."""
    parameters = {}
    for lookup in model._meta.related_fkey_lookups:
        parameters.update(url_params_from_lookup_dict(lookup() if callable(lookup) else lookup))
    return parameters


def date_hierarchy_parameters(model_admin):
    if not model_admin.date_hierarchy:
        return []
    return [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]


def check_changelist_values(model_admin, request, filters):
    """Dates within the calendar, selections by keys of the right type; Django answers the rest with ``?e=1``."""
    for name, field in filters.items():
        if isinstance(field, DateField):
            for value in request.GET.getlist(name):
                check_date(name, value, field)
    if model_admin.date_hierarchy:
        check_date_hierarchy(request, model_admin.date_hierarchy)
    if request.method == "POST":
        check_selected_objects(model_admin, request)


def check_date(name, value, field):
    try:
        day = field.to_python(value)
    except ValidationError:
        return  # not a date: Django redirects to ?e=1
    if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
        refuse("date hors du calendrier", name)


def check_date_hierarchy(request, field_path):
    """The day the hierarchy starts from, and the one after its period, must be days Python can hold.

    Django reads the last value of each part, builds the first day with ``datetime`` and catches a
    ``ValueError`` (``?e=1``), but neither an ``OverflowError`` (a 20-digit month) nor the end of a
    period in year 10 000 (``ValueError`` outside its ``try``), nor a year 1 that SQLite cannot convert.
    """
    parts = [request.GET.getlist(f"{field_path}__{part}") for part in ("year", "month", "day")]
    if not parts[0]:
        return  # without a year, Django reads month and day as plain lookups (?e=1 if wrong)
    try:
        year, month, day = (int(values[-1]) if values else 1 for values in parts)
    except ValueError:
        return  # Django redirects to ?e=1
    name = f"{field_path}__year"
    try:
        datetime.date(year, month, day)
    except ValueError:
        return  # Django redirects to ?e=1
    except OverflowError:
        refuse("date hors du calendrier", name)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        refuse("date hors du calendrier", name)


def check_selected_objects(model_admin, request):
    """The objects of an action, and the rows of an editable list, named by keys of the right type."""
    pk = model_admin.opts.pk
    editable_row = re.compile(rf"form-\d+-{re.escape(pk.name)}")
    for name, values in request.POST.lists():
        if name != ACTION_CHECKBOX_NAME and not editable_row.fullmatch(name):
            continue
        if not all(is_valid_value(pk, value) for value in values):
            refuse("objet inconnu", name)


# Add forms -----------------------------------------------------------------------------------


def check_initial_values(model_admin, request):
    """An add form pre-filled from the query (``?axis=3``, ``?themes=1,2``): keys of the right type, no date-time.

    Django hands the values to the form as they are (``get_changeform_initial_data``): an
    autocomplete looks the keys up (``abc`` fails, 20 digits overflow SQLite), and the admin's
    date-and-time widget cannot split a text (``?start=2026-01-01`` fails on any value).
    """
    for name, value in request.GET.items():  # Django reads the last value of each
        try:
            field = model_admin.opts.get_field(name)
        except FieldDoesNotExist:
            continue  # not a field: the form ignores it
        if value == "":
            continue
        if isinstance(field, (ForeignKey, ManyToManyField)):
            keys = value.split(",") if isinstance(field, ManyToManyField) else [value]
            # Django leaves an empty key out.
            if not all(is_valid_value(field.target_field, key) for key in keys if key != ""):
                refuse("objet inconnu", name)
        elif isinstance(field, DateTimeField):
            refuse("date et heure non pré-remplissables", name)
