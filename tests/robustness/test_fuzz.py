"""Property-based tests: arbitrary text, numbers and encodings at every public form and filter.

For every example: no server error (the test client re-raises any exception that escapes a
view), nothing reflected unescaped (a marker holding ``<``, ``"`` and ``'`` never appears as
such in an HTML page), and nothing stored nor mailed from an invalid interest request.
Profiles (number of examples, derandomized in CI) in conftest.py.
"""

import datetime
import operator
import string
from urllib.parse import quote, quote_from_bytes

import pytest
from django.core import mail
from django.http import QueryDict
from hypothesis import example, given
from hypothesis import strategies as st

from actions.enums import ActionStatus
from actions.models import Axis
from events.enums import AccessibilityNeed
from mutuelle.content import create_scale
from mutuelle.forms import InterestRequestForm
from mutuelle.models import InterestRequest
from tests.actions.factories import ActionFactory, AudienceFactory, NeighbourhoodFactory, ThemeFactory
from tests.events.factories import EventFactory, PlaceFactory
from tests.mutuelle.factories import interest_form_data, reset_rate_limits

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------------------------------------
# What is thrown at the site
# ---------------------------------------------------------------------------------------------

# Every code point but the surrogates (which no UTF-8 request can carry): control characters,
# format characters (bidirectional overrides), private use, unassigned…
ANY_CHARACTER = st.characters(exclude_categories=("Cs",))
CONTROL_CHARACTER = st.characters(categories=("Cc", "Cf", "Zl", "Zp"))
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' OR '1'='1",
    "'; DROP TABLE actions_action; --",
    "1' UNION SELECT password FROM auth_user --",
    '" OR ""="',
    "\\'",
    "%",
    "_",
    "%%",
    "\x00",
    "a\x00b",
    "{{ 7|add:7 }}",
    "{% debug %}",
    "${7*7}",
    "../../../etc/passwd",
    "\u202egnp.exe",
    "\ufeff",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂👩🏽‍⚕️",
    "ﷺ" * 20,
    "Ω" * 300,
    "",
    " ",
    "\r\n\t",
]
NUMBERS = [
    "0",
    "-0",
    "-1",
    "+1",
    "1e308",
    "-1e999",
    "1E5",
    "1e-7",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "0x1F",
    "0o17",
    "1_000",
    "١٢",  # Arabic-Indic digits
    "１２",  # full-width digits
    "²",
    "9" * 400,
    "12,5",
    "12.500,50",
    "1 000 000 000 000",
    "3.14159265358979323846264338327950288",
]
DATES = [
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "31/12/2026",
    "2026-1-1",
    "2026-01-01T00:00:00",
    "1969-12-31",
    "-2026-01-01",
]
# Parameters that expect a date or a number get one (or its near miss) half of the time.
DATE_PARAMETERS = {"du", "au", "birth_date"}
NUMBER_PARAMETERS = {"page", "household_size", "yearly_resources", "age"}
# Hypothesis's dates() seldom reaches the ends of the calendar: they are drawn on purpose.
BOUNDARY_DATES = [
    datetime.date.min,
    datetime.date.min + datetime.timedelta(days=1),
    datetime.date.max,
    datetime.date.max - datetime.timedelta(days=1),
    datetime.date(2024, 2, 29),
    datetime.date(1970, 1, 1),
]
any_date = st.one_of(st.sampled_from(BOUNDARY_DATES), st.dates())
dates = st.one_of(
    any_date.map(datetime.date.isoformat),
    any_date.map(lambda day: day.strftime("%d/%m/%Y")),
    st.sampled_from(DATES),
)
date_parameters = st.one_of(any_date.map(datetime.date.isoformat), st.sampled_from(["", *DATES]))
numbers = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats().map(repr),
    st.sampled_from(NUMBERS),
)
long_text = st.builds(operator.mul, st.text(ANY_CHARACTER, min_size=1, max_size=4), st.integers(100, 3000))
arbitrary = st.one_of(
    st.text(ANY_CHARACTER, max_size=40),
    st.text(CONTROL_CHARACTER, min_size=1, max_size=5),
    st.sampled_from(HOSTILE),
    st.sampled_from(DATES),
    numbers,
    long_text,
)
# A marker made to be seen if a page printed it without escaping it.
markers = st.text(string.ascii_letters, min_size=6, max_size=10).map(lambda s: f"<b-{s}\"'>")


@st.composite
def values(draw, marker, name=None, valid=None):
    """One parameter's value: arbitrary, of its kind or valid, with the marker inside now and then."""
    if valid and valid.get(name) and draw(st.booleans()):
        return draw(st.sampled_from(valid[name]))  # valid values beside junk ones reach the queries
    if name in DATE_PARAMETERS and draw(st.booleans()):
        value = draw(dates)
    elif name in NUMBER_PARAMETERS and draw(st.booleans()):
        value = draw(numbers)
    else:
        value = draw(arbitrary)
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(value)))
        value = value[:cut] + marker + value[cut:]
    return value


@st.composite
def queries(draw, names, valid=None):
    """A marker, and parameters among ``names`` (plus an unknown one), sometimes repeated."""
    marker = draw(markers)
    chosen = draw(st.lists(st.sampled_from([*names, "inconnu"]), min_size=1, max_size=len(names) + 1, unique=True))
    params = {name: draw(st.lists(values(marker, name, valid), min_size=1, max_size=2)) for name in chosen}
    return marker, params


# Raw bytes, percent-encoded, or as they are (a latin-1 string is how WSGI hands over bytes),
# and malformed percent escapes.
raw_bytes = st.binary(max_size=40)
broken_escapes = st.sampled_from(["%", "%G1", "%zz", "%C3", "%C3%28", "%FF%FE", "%ED%A0%80", "%F4%90%80%80", "%00"])
raw_values = st.one_of(
    raw_bytes.map(quote_from_bytes),
    raw_bytes.map(lambda b: b.decode("latin-1").replace("&", "").replace("=", "").replace("#", "")),
    broken_escapes,
    st.lists(broken_escapes, min_size=2, max_size=4).map("".join),
)


@st.composite
def raw_queries(draw, names):
    pairs = draw(st.lists(st.tuples(st.sampled_from([*names, "inconnu"]), raw_values), min_size=1, max_size=6))
    return "&".join(f"{name}={value}" for name, value in pairs)


# ---------------------------------------------------------------------------------------------
# The pages and their parameters
# ---------------------------------------------------------------------------------------------

AGENDA_FILTERS = ["q", "periode", "du", "au", "axe", "theme", "public", "quartier", "lieu", "accessibilite", "gratuit"]
FILTERED_PAGES = {
    "/actions/": ["q", "axe", "theme", "public", "quartier", "statut", "page"],
    "/agenda/": [*AGENDA_FILTERS, "page"],
    "/agenda.ics": AGENDA_FILTERS,
    "/recherche/": ["q"],
    "/mutuelle/eligibilite/": ["household_size", "yearly_resources", "age", "receives_rsa"],
}
FORM_URL = "/mutuelle/demande/"
FORM_FIELDS = list(InterestRequestForm.base_fields)


@pytest.fixture
def content():
    """A little of everything that the filters can match; returns valid values of each parameter."""
    theme, audience, neighbourhood = ThemeFactory(), AudienceFactory(), NeighbourhoodFactory()
    place = PlaceFactory(neighbourhood=neighbourhood)
    action = ActionFactory(themes=[theme], audiences=[audience], neighbourhoods=[neighbourhood])
    event = EventFactory(action=action, place=place, audiences=[audience])
    create_scale()
    today = datetime.date.today()
    return {
        "q": [action.title, event.title, "santé", "Créteil"],
        "axe": list(Axis.objects.values_list("slug", flat=True)),
        "theme": [theme.slug],
        "public": [audience.slug],
        "quartier": [neighbourhood.slug],
        "lieu": [place.slug],
        "statut": list(ActionStatus.values),
        "periode": ["semaine", "mois", "passes"],
        "accessibilite": list(AccessibilityNeed.values),
        "gratuit": ["1", "on", "true"],
        "du": [today.isoformat()],
        "au": [(today + datetime.timedelta(days=30)).isoformat()],
        "page": ["1", "2", "last"],
        "household_size": ["1", "3", "20"],
        "yearly_resources": ["0", "12 500", "12500,50"],
        "age": ["0", "42", "120"],
        "receives_rsa": ["on"],
    }


def fresh():
    """Every example starts with empty caches (rate limits) and an empty outbox."""
    reset_rate_limits()
    mail.outbox.clear()


def assert_safe(response, marker=None):
    assert response.status_code < 500
    if marker and response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode("utf-8", "replace")
        assert marker not in body, "valeur renvoyée dans la page sans échappement"


# ---------------------------------------------------------------------------------------------
# Filters and GET forms
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", FILTERED_PAGES)
@given(data=st.data())
def test_filters_never_fail_nor_reflect_unescaped(client, content, url, data):
    fresh()
    marker, params = data.draw(queries(FILTERED_PAGES[url], valid=content), label="paramètres")

    response = client.get(url, params)

    assert_safe(response, marker)
    assert response.status_code in (200, 301, 302, 400, 404)


@pytest.mark.parametrize("url", FILTERED_PAGES)
@given(data=st.data())
def test_broken_encodings_in_the_query_string_never_fail(client, content, url, data):
    fresh()
    query = data.draw(raw_queries(FILTERED_PAGES[url]), label="QUERY_STRING")

    response = client.get(url, QUERY_STRING=query)

    assert_safe(response)
    assert response.status_code in (200, 301, 302, 400, 404)


@pytest.mark.parametrize("url", ["/agenda/", "/agenda.ics"])
@given(du=date_parameters, au=date_parameters, periode=st.sampled_from(["", "semaine", "mois", "passes"]))
# What the fuzzer found once (OverflowError in events/filters.py), run every time.
@example(du="", au="9999-12-31", periode="")  # the day after the last date
@example(du="0001-01-01", au="", periode="")  # its midnight in Paris is before year 1 in UTC (SQLite)
@example(du="9999-12-31", au="0001-01-01", periode="passes")
def test_date_filters_at_their_bounds(client, content, url, du, au, periode):
    response = client.get(url, {"du": du, "au": au, "periode": periode})

    assert_safe(response)
    assert response.status_code in (200, 400)


@given(year=st.integers(0, 9999), month=st.integers(0, 99))
def test_month_calendar_bounds(client, content, year, month):
    fresh()
    response = client.get(f"/agenda/{year:04d}/{month:02d}/")

    assert_safe(response)
    assert response.status_code in (200, 404)
    if not 1 <= month <= 12:
        assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# The interest form
# ---------------------------------------------------------------------------------------------


def post_and_check(client, django_capture_on_commit_callbacks, post, send, marker=None):
    """Send the form; whatever was sent, a request is stored (and mailed) only if the form accepts it.

    Each example comes from a new visitor: the same details sent again from one browser are its
    request « déjà envoyée », not a new one (tests/mutuelle/test_request_journey.py).
    """
    client.cookies.clear()
    form = InterestRequestForm(data=post)
    acceptable = form.is_valid() and not form.honeypot_filled
    before = InterestRequest.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = send()

    assert_safe(response, marker)
    after = InterestRequest.objects.count()
    if acceptable:
        assert response.status_code == 302
        assert after == before + 1
    else:
        assert after == before, "une demande invalide a été enregistrée"
        assert mail.outbox == [], "une demande invalide a envoyé un courriel"
        assert response.status_code in (200, 302)  # 302: the honeypot's feigned success


@given(data=st.data())
def test_interest_form_with_arbitrary_fields(client, django_capture_on_commit_callbacks, data):
    fresh()
    marker = data.draw(markers, label="marqueur")
    post = interest_form_data()
    for name in data.draw(st.lists(st.sampled_from(FORM_FIELDS), min_size=1, unique=True), label="champs"):
        if data.draw(st.booleans(), label=f"retirer {name}") and name != "submission_token":
            post.pop(name)
        else:
            post[name] = data.draw(values(marker, name), label=name)

    post_and_check(client, django_capture_on_commit_callbacks, post, lambda: client.post(FORM_URL, post), marker=marker)


@given(data=st.data())
def test_interest_form_with_broken_encodings_in_the_body(client, django_capture_on_commit_callbacks, data):
    fresh()
    post = interest_form_data()
    broken = {
        name: data.draw(raw_values, label=name)
        for name in data.draw(st.lists(st.sampled_from(FORM_FIELDS), min_size=1, unique=True), label="champs")
    }
    body = "&".join(
        f"{name}={broken[name] if name in broken else quote(value)}" for name, value in post.items()
    ).encode("latin-1", "replace")
    parsed = QueryDict(body)

    post_and_check(
        client,
        django_capture_on_commit_callbacks,
        parsed,
        lambda: client.post(FORM_URL, body, content_type="application/x-www-form-urlencoded"),
    )


@given(marker=markers, text=arbitrary)
def test_rate_limited_form_keeps_the_text_escaped(client, settings, marker, text):
    """The 429 page shows back what was typed: escaped too."""
    fresh()
    settings.MUTUELLE_FORM_FLOOD_RATE = "1/h"  # a form returned with mistakes counts as a post only
    client.post(FORM_URL, {"first_name": "x"})
    post = {**interest_form_data(), "message": text + marker, "last_name": marker}

    response = client.post(FORM_URL, post)

    assert response.status_code == 429
    assert_safe(response, marker)
    assert InterestRequest.objects.count() == 0
