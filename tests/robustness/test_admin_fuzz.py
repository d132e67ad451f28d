"""Property-based tests of the admin's change lists: junk in a query is a 400 or ``?e=1``, never a 500 (issue 9 §4).

Every model registered in the admin, each staff role: a verified superuser (every list), a verified
« Mutuelle » agent (the interest requests; 403 on the content and the accounts) and a « Rédaction »
editor (the content; 403 on the requests and the accounts). The parameters are each list's own —
its filters' names (from its change list's filter specs), the date hierarchy, search, ordering,
page, popups — and an unknown one; the values are test_fuzz.py's junk (arbitrary text, broken
encodings, NUL, huge numbers, dates off the calendar) beside the filters' valid values. For every
example: no server error (the test client re-raises what escapes a view), nothing reflected
unescaped, and an answer among 200, 302 (Django's ``?e=1``), 400 and 403 — a 400 for a NUL byte, a
403 for a list the role may not see. Then each finding alone (every one failed before the fix, on
SQLite, PostgreSQL or both): NUL in a filter, long searches, lookups no link holds, dates off the
calendar, the export, actions on impossible keys, add forms pre-filled from the query; and the
lists' own links, which the checks must never refuse. The checks themselves:
core/admin_params.py. Profiles (number of examples, derandomized in CI) in conftest.py.
"""

from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib import admin
from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.contrib.auth.models import Group, User
from django.core.exceptions import BadRequest
from django.db.models import DateTimeField
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from actions.models import Action, Axis
from core.admin_params import (
    PRESERVED_FILTERS,
    check_changelist_values,
    check_parameters,
    filter_parameters,
    unknown_parameter,
)
from events.models import Event
from mutuelle.content import create_scale
from mutuelle.models import InterestRequest
from partners.models import Partner
from tests.actions.factories import ActionFactory, AudienceFactory, NeighbourhoodFactory, ThemeFactory
from tests.events.factories import EventFactory
from tests.helpers import h1s_of
from tests.mutuelle.factories import AgentFactory, InterestRequestFactory
from tests.robustness.test_fuzz import arbitrary, assert_safe, dates, markers, numbers, raw_values
from tests.staff.helpers import verified_login

pytestmark = [
    pytest.mark.django_db,
    # A date typed by hand in a date filter has no time zone: Django warns, then reads it in the
    # site's (production only logs the warning). What matters here is what comes after.
    pytest.mark.filterwarnings(r"ignore:DateTimeField .* received a naive datetime:RuntimeWarning"),
]

ROLES = ["superuser", "agent", "redaction"]
MODEL_ADMINS = dict(admin.site._registry)
MODELS = sorted(MODEL_ADMINS, key=lambda model: model._meta.label)
# Pages that build a change list from the query: every list, and the export of those that have one.
LISTS = [(model, "changelist") for model in MODELS] + [
    (model, "export") for model in MODELS if hasattr(MODEL_ADMINS[model], "export_action")
]
# The change list's own parameters, with values its links hold.
CHANGELIST_PARAMETERS = {
    SEARCH_VAR: ["santé", "Fatoumata", "06 12 34", "DM-2026"],
    ORDER_VAR: ["1", "-2.1"],
    PAGE_VAR: ["1", "2"],
    ALL_VAR: [""],
    ERROR_FLAG: [],
    "_popup": ["1"],
    "_to_field": ["id"],
    "_facets": ["True"],
}
ANSWERS = (200, 302, 400, 403)
DATE_PARTS = ("year", "month", "day")

# What is thrown at each list beside its own parameters' values.
HUGE = "9" * 20  # beyond 64 bits: PostgreSQL's bigint and SQLite's integers
NASTY_VALUES = [
    "\x00",
    "a\x00b",
    "inconnu",
    "2",
    "abc",
    HUGE,
    "9" * 400,
    "²",
    "-1",
    "0001-01-01",
    "9999-12-31",
    "1e30",
    "NaN",
    "(",
    "",
    "\x01",
    "Ω" * 1001,
]
NASTY_QUERIES = [
    {"status": "\x00"},  # issue 9 §4: a 500 on PostgreSQL
    {"\x00": "1"},
    {SEARCH_VAR: "a\x00b"},
    {SEARCH_VAR: '"'},
    {ORDER_VAR: "-0.-1.1e5.."},
    {ORDER_VAR: HUGE},
    {PAGE_VAR: HUGE},
    {PAGE_VAR: "abc"},
    {ALL_VAR: "\x01"},
    {ERROR_FLAG: "1"},
    {"_popup": "inconnu"},
    {"_to_field": "password", "_popup": "1"},
    {"_facets": "1", SEARCH_VAR: "x"},
    {"id__exact": HUGE},
    {"id__in": HUGE},
    {"id__regex": "("},
    {"id__range": "x"},
    {"inconnu": "1"},
    {"path_info": "\x00"},
]


def list_url(model, view="changelist"):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")


@pytest.fixture
def content():
    """A little of everything, so that every filter has choices (relations, agents, dates)."""
    theme, audience, neighbourhood = ThemeFactory(), AudienceFactory(), NeighbourhoodFactory()
    action = ActionFactory(themes=[theme], audiences=[audience], neighbourhoods=[neighbourhood])
    EventFactory(action=action)
    InterestRequestFactory(assigned_to=AgentFactory())
    create_scale()
    attempt = {"user_agent": "Firefox", "ip_address": "192.0.2.1", "username": "agent", "path_info": "/admin/"}
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**attempt)


def list_parameters(model, user):
    """The list's own parameter names, each with the valid values its links hold (its filters' choices…)."""
    model_admin = MODEL_ADMINS[model]
    request = RequestFactory().get(list_url(model))
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    valid = {}
    for spec in changelist.filter_specs:
        for name in spec.expected_parameters():
            valid.setdefault(name, [])
        for choice in spec.choices(changelist):
            for name, values in QueryDict(choice["query_string"].removeprefix("?")).lists():
                valid.setdefault(name, []).extend(values)
    if model_admin.date_hierarchy:
        for part, values in {"year": ["2026", "1970"], "month": ["2", "12"], "day": ["28", "1"]}.items():
            valid[f"{model_admin.date_hierarchy}__{part}"] = values
    return valid


@pytest.fixture
def parameters(content, admin_user):
    return {model: list_parameters(model, admin_user) for model in MODELS}


@pytest.fixture
def staff_user(role, admin_user, editor):
    return {"superuser": admin_user, "agent": AgentFactory(), "redaction": editor}[role]


@pytest.fixture
def staff_client(client, role, staff_user):
    assert client.raise_request_exception  # a view's exception fails the test, as a 500 would
    if role == "redaction":
        client.force_login(staff_user)  # no phone enrolled: no token needed
    else:
        verified_login(client, staff_user)
    return client


@pytest.fixture
def visible_lists(rf, staff_user):
    request = rf.get("/admin/")
    request.user = staff_user
    return [(model, view) for model, view in LISTS if MODEL_ADMINS[model].has_view_or_change_permission(request)]


def draw_list(data, visible_lists):
    """A list the role may see half of the time (the others are a 403 whatever the query)."""
    return data.draw(st.one_of(st.sampled_from(visible_lists), st.sampled_from(LISTS)), label="liste")


def assert_shows(response, status):
    """The answer ``status`` with what it shows: the French 400 page, Django's ``?e=1``, or a page with its heading."""
    assert response.status_code == status
    if status == 400:
        assert h1s_of(response.content.decode()) == ["Cette adresse ne peut pas être lue"]
    elif status == 302:
        assert response["Location"].endswith("?e=1")
    else:
        [heading] = h1s_of(response.content.decode())
        assert heading


def assert_answered(response, marker=None, params=None, visible=True):
    """No error, nothing reflected; and, given the query, a 400 for a NUL, a 403 for a list the role may not see."""
    assert_safe(response, marker)
    assert response.status_code in ANSWERS
    if params is not None and nul_outside_the_search(params):
        assert response.status_code == 400
    elif not visible:
        assert response.status_code == 403


def nul_outside_the_search(params):
    """Whether a NUL byte is in a parameter other than the search (Django's form refuses it) or the way back."""
    return any(
        "\x00" in text
        for name, values in params.items()
        if name not in (SEARCH_VAR, PRESERVED_FILTERS)
        for text in (name, *(values if isinstance(values, list) else [values]))
    )


# Hypothesis: one test per role, the list drawn ---------------------------------------------------

admin_values = st.one_of(
    arbitrary,
    numbers,
    dates,
    st.sampled_from(NASTY_VALUES),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


@st.composite
def admin_queries(draw, valid):
    """A marker, and some of the list's parameters (and an unknown one), each with valid or junk values."""
    marker = draw(markers)
    valid = {**CHANGELIST_PARAMETERS, **valid}
    names = [*valid, "inconnu"]
    params = {}
    for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=5, unique=True)):
        values = []
        for _ in range(draw(st.integers(1, 2))):
            if valid.get(name) and draw(st.integers(0, 2)):  # valid two times out of three: junk among them
                values.append(draw(st.sampled_from(valid[name])))
                continue
            value = draw(admin_values)
            if draw(st.booleans()):
                cut = draw(st.integers(0, len(value)))
                value = value[:cut] + marker + value[cut:]
            values.append(value)
        params[name] = values
    return marker, params


@pytest.mark.parametrize("role", ROLES)
@given(data=st.data())
def test_changelists_answer_junk_without_error(staff_client, visible_lists, parameters, role, data):
    model, view = draw_list(data, visible_lists)
    marker, params = data.draw(admin_queries(parameters[model]), label="paramètres")

    response = staff_client.get(list_url(model, view), params)

    assert_answered(response, marker, params, visible=(model, view) in visible_lists)


@pytest.mark.parametrize("role", ROLES)
@given(data=st.data())
def test_changelists_answer_broken_encodings_without_error(staff_client, visible_lists, parameters, role, data):
    model, view = draw_list(data, visible_lists)
    names = [*parameters[model], *CHANGELIST_PARAMETERS, "inconnu"]
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(names), raw_values), min_size=1, max_size=6), label="paires")
    query = "&".join(f"{name}={value}" for name, value in pairs)

    response = staff_client.get(list_url(model, view), QUERY_STRING=query)

    params = dict(QueryDict(query.encode("iso-8859-1")).lists())  # as Django reads the query string
    assert_answered(response, params=params, visible=(model, view) in visible_lists)


# Every list, a fixed set of nasty queries ----------------------------------------------------------


def nasty_queries(model_admin, valid):
    """The fixed queries, each filter parameter with a nasty value and a huge one, the date hierarchy at its bounds."""
    queries = [*NASTY_QUERIES]
    for index, name in enumerate(valid):
        queries.append({name: [NASTY_VALUES[index % len(NASTY_VALUES)], HUGE]})
    if model_admin.date_hierarchy:
        queries += [
            {f"{model_admin.date_hierarchy}__{part}": value for part, value in zip(DATE_PARTS, date, strict=False)}
            for date in [
                ("99999",),
                ("9999",),  # its end is in year 10 000
                ("9999", "12"),
                ("9999", "12", "31"),
                ("1", "1", "1"),  # its midnight in Paris is before year 1 in UTC
                ("0",),
                ("2026", "13"),
                ("2026", "2", "30"),
                ("١٩٧٠",),
                ("2026", HUGE),
                ("-5",),
            ]
        ]
        queries += [{f"{model_admin.date_hierarchy}__{part}": HUGE} for part in DATE_PARTS[1:]]  # without a year
    return queries


@pytest.mark.parametrize(("model", "view"), LISTS, ids=[f"{model._meta.label}-{view}" for model, view in LISTS])
@pytest.mark.parametrize("role", ["superuser"])
def test_every_list_answers_nasty_queries_without_error(staff_client, content, admin_user, model, view):
    for params in nasty_queries(MODEL_ADMINS[model], list_parameters(model, admin_user)):
        response = staff_client.get(list_url(model, view), params)

        assert_answered(response, params=params)


# The findings, one by one ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["superuser", "agent"])
@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("status=%00", 400),  # issue 9 §4: a 500 on PostgreSQL
        ("status__exact=%00", 400),
        ("mes=%00", 400),
        ("q=%00", 200),  # Django's search form refuses it, with a message
        ("q=06%0012", 200),
        ("agent=%C2%B2", 200),  # « ² » passes str.isdigit() but not int(): a 500 everywhere
        (f"agent={HUGE}", 200),  # beyond SQLite's integers: a 500 there
    ],
)
def test_nul_in_the_requests_filters_is_a_bad_request(staff_client, content, query, status):
    response = staff_client.get(f"{list_url(InterestRequest)}?{query}")

    assert_shows(response, status)


@pytest.mark.parametrize("role", ["superuser"])
@pytest.mark.parametrize(
    ("model", "query"),
    [
        (Group, "q=" + "a+" * 1500),  # 1 500 words: deeper than SQLite's expressions may go (a 500 there)
        (Axis, "q=" + "a+" * 1500),
        (AccessAttempt, "q=192.168%00"),  # Django's search form refuses a NUL
        (Action, "q=" + "é" * 3000),
    ],
)
def test_every_search_is_bounded(staff_client, content, model, query):
    response = staff_client.get(f"{list_url(model)}?{query}")

    assert response.status_code == 200
    assert "\x00" not in response.context["cl"].query
    assert len(response.context["cl"].query) <= 200


@pytest.mark.parametrize("role", ["superuser"])
@pytest.mark.parametrize(
    ("model", "query"),
    [
        (Group, "id__regex=("),  # invalid pattern: a 500 on both databases
        (Partner, "name__range=x"),  # a string taken for a pair: a 500 on both
        (Action, f"id__in={HUGE}"),  # beyond SQLite's integers
        (Event, "search_text__search=x"),  # no full-text search on SQLite
        (AccessAttempt, "ip_address=abc"),  # not an address: PostgreSQL's inet refuses it
        (User, f"last_login__year={HUGE}"),  # OverflowError
        (Event, "created_at=0001-01-01"),  # before year 1 in UTC (SQLite)
        (Action, "inconnu=1"),  # Django's own answer, unchanged
        (Partner, "order__gt=abc"),
    ],
)
def test_lookups_that_no_link_holds_redirect_as_wrong_ones(staff_client, content, model, query):
    """Django accepts any lookup on a model's own fields; the lists accept their links' only."""
    response = staff_client.get(f"{list_url(model)}?{query}")

    assert response.status_code == 302
    assert response["Location"] == f"{list_url(model)}?e=1"


@pytest.mark.parametrize("role", ["superuser"])
@pytest.mark.parametrize(
    ("model", "query", "status"),
    [
        (InterestRequest, "created_at__year=9999", 400),  # its end is in year 10 000: a 500 on both
        (InterestRequest, "created_at__year=9999&created_at__month=12", 400),
        (InterestRequest, f"created_at__year=2026&created_at__month={HUGE}", 400),
        (Event, "start__year=1&start__month=1&start__day=1", 400),  # before year 1 in UTC (SQLite)
        (AccessLog, "attempt_time__gte=0001-01-01", 400),
        (InterestRequest, "created_at__year=9998&created_at__month=12&created_at__day=31", 200),
        (InterestRequest, "created_at__year=2026&created_at__month=2&created_at__day=30", 302),  # Django's ?e=1
        (InterestRequest, "created_at__year=deux-mille", 302),
    ],
)
def test_dates_off_the_calendar_are_refused(staff_client, content, model, query, status):
    assert_shows(staff_client.get(f"{list_url(model)}?{query}"), status)


@pytest.mark.parametrize("role", ["agent"])
@pytest.mark.parametrize(
    "query",
    [
        "inconnu=1",
        "created_at__gte=abc",
        "created_at__year=2026&created_at__month=2&created_at__day=30",
        "status__exact=%00",
    ],
)
def test_export_refuses_what_the_list_redirects(staff_client, content, query):
    """The export builds the list from the query but does not catch its redirect to ``?e=1``: a 500 before."""
    response = staff_client.get(f"{list_url(InterestRequest, 'export')}?{query}")

    assert_shows(response, 400)


@pytest.mark.parametrize("role", ["superuser"])
@pytest.mark.parametrize("model", MODELS, ids=[model._meta.label for model in MODELS])
def test_actions_on_junk_selections_are_refused(rf, staff_client, admin_user, content, model):
    """An action's selection, or an editable list's rows, by keys that no object can have (a 500 before)."""
    model_admin = MODEL_ADMINS[model]
    request = rf.get(list_url(model))
    request.user = admin_user
    action = next(iter(model_admin.get_actions(request)), "delete_selected")
    for selected in ["abc", HUGE, "", "1\x00"]:
        post = {"action": action, "index": "0", "_selected_action": selected}

        assert_shows(staff_client.post(list_url(model), post), 400)
        if model_admin.list_editable:
            rows = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": selected, "_save": "1"}
            assert_shows(staff_client.post(list_url(model), rows), 400)


@pytest.mark.parametrize("role", ["superuser", "redaction"])
def test_nul_in_any_admin_page_is_a_bad_request(staff_client, content, role):
    """Not only the lists: a form, an autocomplete, a page's query."""
    action = Action.objects.get()
    change = reverse("admin:actions_action_change", args=[action.pk])
    autocomplete = {"app_label": "actions", "model_name": "action", "field_name": "themes", "term": "\x00"}

    assert staff_client.get(reverse("admin:autocomplete"), autocomplete).status_code == 400
    assert staff_client.get(change, {PRESERVED_FILTERS: "status__exact=\x00"}).status_code == 200  # checked on the list
    assert staff_client.post(change, {"title": "Nouveau\x00titre"}).status_code == 400
    assert Action.objects.get().title == action.title


@pytest.mark.parametrize("role", ["superuser"])
@pytest.mark.parametrize(
    ("model", "query", "status"),
    [
        (Action, "axis=abc", 400),  # the autocomplete looks the key up: a 500 on both databases
        (Action, f"lead_partner={HUGE}", 400),  # beyond SQLite's integers
        (Action, "themes={theme},abc", 400),
        (Event, "start=2026-01-01+10%3A00", 400),  # the admin's widget cannot split a text: a 500 on any value
        (Action, "title=Bonjour&axis={axis}&themes={theme},&_popup=1", 200),
        (Action, "axis=&inconnu=%01", 200),
    ],
)
def test_add_forms_prefilled_from_the_query(staff_client, content, model, query, status):
    query = query.format(axis=Axis.objects.first().pk, theme=Action.objects.get().themes.get().pk)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")

    assert_shows(staff_client.get(f"{url}?{query}"), status)


@pytest.mark.parametrize("role", ["superuser"])
@pytest.mark.parametrize("model", MODELS, ids=[model._meta.label for model in MODELS])
def test_every_add_form_answers_junk_without_error(staff_client, content, model):
    """Each relation and date of each add form pre-filled with junk; every other field at once."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    fields = [field for field in model._meta.get_fields() if field.concrete or field.many_to_many]
    special = [field for field in fields if field.is_relation or isinstance(field, DateTimeField)]
    queries = [{field.name: value} for field in special for value in ("abc", HUGE, "2026-01-01 10:00")]
    queries.append({field.name: "abc" for field in fields if field not in special})

    for params in queries:
        response = staff_client.get(url, params)

        assert_safe(response)
        assert response.status_code in (200, 400, 403), params


# What the lists' own links hold is never refused -------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=[model._meta.label for model in MODELS])
def test_every_filter_link_passes_the_checks(rf, admin_user, content, model):
    """The checks name each list's parameters without running its filters: they must agree with them."""
    model_admin = MODEL_ADMINS[model]
    request = rf.get(list_url(model))
    request.user = admin_user
    changelist = model_admin.get_changelist_instance(request)
    links = [choice["query_string"] for spec in changelist.filter_specs for choice in spec.choices(changelist)]
    if model_admin.date_hierarchy:
        field = model_admin.date_hierarchy
        links.append(f"?{urlencode({f'{field}__year': 2026, f'{field}__month': 2, f'{field}__day': 28})}")
    links.append(f"?{urlencode({SEARCH_VAR: 'santé', ORDER_VAR: '-1.2', PAGE_VAR: '2', '_facets': 'True'})}")

    for link in links:
        request = rf.get(f"{list_url(model)}{link}")
        request.user = admin_user
        filters = filter_parameters(model_admin, request)
        assert unknown_parameter(model_admin, request, filters) is None, link
        check_changelist_values(model_admin, request, filters)  # raises BadRequest if refused


@pytest.mark.parametrize(
    ("method", "data", "refused"),
    [
        ("get", {"status": "a\x00b"}, True),
        ("get", {"status\x00": "a"}, True),
        ("post", {"message": "a\x00b"}, True),
        ("post", {"a\x00b": "texte"}, True),
        ("get", {"status": "\x01\x1b\x7f\t"}, False),  # other control characters choke nothing
        ("post", {"message": "collé de Word\x0b, ligne\r\nsuivante"}, False),
        ("get", {PRESERVED_FILTERS: "status__exact=\x00"}, False),  # checked on the list it leads to
    ],
)
def test_nul_is_refused_in_names_and_values(rf, method, data, refused):
    request = getattr(rf, method)("/admin/", data)

    if refused:
        with pytest.raises(BadRequest):
            check_parameters(request)
    else:
        check_parameters(request)
