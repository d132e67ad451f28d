"""Open data (/donnees/) and the API (/api/): schemas, no leak, query budgets, throttle, cache."""

import csv
import datetime
import io
import json

import pytest
from django.core.cache import caches
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from frictionless import Schema
from frictionless.resources import TableResource

from actions.enums import IndicatorDirection, ProgressStatus
from actions.models import Indicator, Milestone
from actions.opendata import ACTIONS
from core import cache as page_cache
from core.opendata import Column, Dataset, datasets, get_dataset, updated_at
from events.enums import AccessibilityNeed, EventStatus, Registration
from events.models import EventAttendance
from events.openagenda import openagenda_event, timings
from partners.opendata import PARTNERS
from tests.actions.factories import ActionFactory, AudienceFactory, NeighbourhoodFactory, ThemeFactory
from tests.events.factories import EventFactory, PlaceFactory
from tests.helpers import paris_datetime
from tests.mutuelle.factories import FollowUpNoteFactory, InterestRequestFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

SLUGS = [
    "actions",
    "indicateurs",
    "jalons",
    "evenements",
    "participation",
    "participation-par-public",
    "lieux",
    "partenaires",
]
SECRET = "Secret-ne-pas-publier"


@pytest.fixture(autouse=True)
def fresh_stores():
    caches["pages"].clear()
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()


def make_results(action, audience, *, title="Personnes dépistées", event=None):
    """An indicator and a milestone of ``action``; ``event``'s attendance, with its breakdown by ``audience``."""
    today = timezone.localdate()
    Indicator.objects.create(
        action=action,
        name=title,
        unit="personnes",
        direction=IndicatorDirection.UP,
        baseline_value=10,
        baseline_date=today - datetime.timedelta(days=400),
        target_value="120.50",
        target_date=today + datetime.timedelta(days=300),
        latest_value=60,
        latest_date=today - datetime.timedelta(days=10),
        source="Bilan du CCAS",
    )
    Milestone.objects.create(action=action, what=title, planned_date=today, done_date=today)
    if event is not None:
        event.attendance = 25
        event.save()
        EventAttendance.objects.create(event=event, audience=audience, count=12)


def past_event(days=10, **kwargs):
    start = timezone.now() - datetime.timedelta(days=days)
    return EventFactory(start=start, end=start + datetime.timedelta(hours=2), **kwargs)


def make_public_content(n=1):
    """``n`` of each: published actions with tags and partners, events (past and upcoming), places,
    indicators, milestones, an event held with its attendance."""
    theme, audience, quartier = ThemeFactory(), AudienceFactory(), NeighbourhoodFactory()
    lead = PartnerFactory(is_signatory=True, address="Hôtel de Ville\nplace Salvador-Allende\n94000 Créteil")
    created = []
    for i in range(n):
        place = PlaceFactory(neighbourhood=quartier, latitude="48.790000", longitude="2.455000", serves_moteur=True)
        action = ActionFactory(
            themes=[theme], audiences=[audience], neighbourhoods=[quartier], partners=[lead], lead_partner=lead
        )
        place.actions.add(action)
        EventFactory(action=action, place=place, registration=Registration.RECOMMENDED, registration_with_ccas=True)
        EventFactory(
            action=action,
            place=place,
            start=timezone.now() - datetime.timedelta(days=30 + i),
            end=timezone.now() - datetime.timedelta(days=30 + i) + datetime.timedelta(hours=2),
            status=EventStatus.CANCELLED,
            is_free=False,
            price="5 €",
        )
        action.progress = ProgressStatus.ONGOING
        action.save()
        make_results(action, audience, event=past_event(days=10 + i, action=action, place=place))
        created.append(action)
    return created


def make_hidden_content():
    """Everything the public must never see, each named with SECRET."""
    now = timezone.now()
    later, earlier = now + datetime.timedelta(days=3), now - datetime.timedelta(days=3)
    hidden_partner = PartnerFactory(name=f"{SECRET} partenaire brouillon", published=False)
    public_action = ActionFactory(
        partners=[hidden_partner], lead_partner=hidden_partner, contact_name=f"{SECRET} Mme Agent"
    )
    hidden_place = PlaceFactory(name=f"{SECRET} lieu brouillon", published=False)
    hidden_place.actions.add(public_action)
    draft_action = ActionFactory(title=f"{SECRET} action brouillon", published=False)
    scheduled_action = ActionFactory(title=f"{SECRET} action programmée", publish_at=later)
    withdrawn_action = ActionFactory(
        title=f"{SECRET} action retirée", publish_at=earlier - datetime.timedelta(days=1), unpublish_at=earlier
    )
    PartnerFactory(name=f"{SECRET} partenaire programmé", publish_at=later)
    PlaceFactory(name=f"{SECRET} lieu retiré", unpublish_at=earlier, publish_at=earlier - datetime.timedelta(days=1))
    EventFactory(title=f"{SECRET} événement brouillon", action=public_action, published=False)
    EventFactory(title=f"{SECRET} événement programmé", action=public_action, publish_at=later)
    EventFactory(title=f"{SECRET} événement d’une action brouillon", action=draft_action)
    EventFactory(title=f"{SECRET} événement d’une action programmée", action=scheduled_action)
    EventFactory(title=f"{SECRET} événement d’une action retirée", action=withdrawn_action)
    # An event of a public action at an unpublished place: the place is not named.
    EventFactory(title="Événement public", action=public_action, place=hidden_place)
    # Results: of a draft action, of unpublished or cancelled events.
    secret_audience = AudienceFactory(name=f"{SECRET} public")
    for action in (draft_action, scheduled_action, withdrawn_action):
        make_results(action, secret_audience, title=f"{SECRET} indicateur", event=past_event(action=action))
    make_results(
        public_action,
        secret_audience,
        title="Indicateur public",
        event=past_event(action=public_action, published=False),
    )
    cancelled = past_event(action=public_action, status=EventStatus.CANCELLED, title="Rendez-vous annulé")
    EventAttendance.objects.create(event=cancelled, audience=secret_audience, count=3)
    request = InterestRequestFactory(first_name=SECRET, last_name=SECRET, email="secret.personne@example.org")
    FollowUpNoteFactory(interest_request=request, text=SECRET)
    return {"hidden_partner": hidden_partner, "hidden_place": hidden_place, "public_action": public_action}


def every_public_url():
    urls = [
        "/donnees/",
        "/donnees/datapackage.json",
        "/donnees/evenements-openagenda.json",
        "/api/",
        "/api/openapi.json",
    ]
    for slug in SLUGS:
        urls += [f"/donnees/{slug}.csv", f"/donnees/{slug}.json", f"/donnees/{slug}.schema.json", f"/api/{slug}/"]
    urls += ["/api/evenements/?periode=passes", "/api/actions/?taille=200"]
    return urls


def validate(client, slug, fmt):
    """frictionless's validation of one served file against the served Table Schema; returns its errors."""
    schema = json.loads(client.get(f"/donnees/{slug}.schema.json").content)
    assert [error.message for error in Schema.metadata_validate(schema)] == []
    # The served descriptor as it is, but its links to the other datasets, checked with the package's.
    table_schema = {key: value for key, value in schema.items() if key != "foreignKeys"}
    content = client.get(f"/donnees/{slug}.{fmt}").content
    resource = TableResource(data=content, format=fmt, schema=Schema.from_descriptor(table_schema))
    report = resource.validate()
    return report.flatten(["rowNumber", "fieldName", "type", "note"]), resource


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_every_file_validates_against_its_schema(client, slug, fmt):
    make_public_content(3)
    make_hidden_content()
    errors, _ = validate(client, slug, fmt)
    assert errors == []


def test_files_describe_their_columns_in_french_with_licence_and_date(client):
    make_public_content()
    for slug in SLUGS:
        schema = json.loads(client.get(f"/donnees/{slug}.schema.json").content)
        assert schema["licenses"][0]["name"] == "etalab-2.0"
        assert datetime.datetime.fromisoformat(schema["lastModified"])
        assert schema["primaryKey"] == ["id"]
        assert all(field["title"] and field["description"] for field in schema["fields"])
    page = client.get("/donnees/").content.decode()
    assert "Licence Ouverte / Open Licence version 2.0" in page
    assert "Dernière mise à jour" in page


def test_csv_is_utf8_comma_separated_with_lists_joined(client):
    action = make_public_content()[0]
    response = client.get("/donnees/actions.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    row = next(row for row in rows if row["id"] == str(action.pk))
    assert row["titre"] == action.title
    assert row["themes"] == "|".join(theme.name for theme in action.themes.all())
    assert row["partenaires_ids"] == str(action.lead_partner.pk)


def test_data_package_validates_with_foreign_keys(client):
    """The whole package, read by frictionless from the files: the ids that link datasets all exist."""
    from frictionless import Package

    make_public_content(2)
    make_hidden_content()
    package = json.loads(client.get("/donnees/datapackage.json").content)
    resources = []
    for resource in package["resources"]:
        content = client.get(f"/donnees/{resource['name']}.csv").content
        resources.append(
            TableResource(
                name=resource["name"], data=content, format="csv", schema=Schema.from_descriptor(resource["schema"])
            )
        )
    report = Package(resources=resources).validate()
    assert report.flatten(["rowNumber", "fieldName", "type", "note"]) == []


def test_nothing_hidden_or_personal_leaks(client):
    make_public_content()
    hidden = make_hidden_content()
    for url in every_public_url():
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert SECRET not in body, url
        assert "secret.personne@example.org" not in body, url
        assert "Mme Agent" not in body, url
    events = json.loads(client.get("/donnees/evenements.json").content)
    public = next(event for event in events if event["titre"] == "Événement public")
    assert public["lieu_id"] is None and public["lieu"] is None and public["adresse"] is None
    actions = json.loads(client.get("/donnees/actions.json").content)
    row = next(a for a in actions if a["id"] == hidden["public_action"].pk)
    assert row["partenaire_pilote_id"] is None and row["partenaires_ids"] == []
    for slug in SLUGS:
        assert client.get(f"/api/{slug}/999999/").status_code == 404
    assert client.get(f"/api/lieux/{hidden['hidden_place'].pk}/").status_code == 404
    assert client.get(f"/api/partenaires/{hidden['hidden_partner'].pk}/").status_code == 404


def test_results_datasets_give_the_figures_of_the_results_page(client):
    """Indicators and milestones of published actions only; attendance of the events /resultats/ counts."""
    from events.models import Event

    actions = make_public_content(2)
    hidden = make_hidden_content()
    public_ids = {action.pk for action in actions} | {hidden["public_action"].pk}
    for slug in ("indicateurs", "jalons"):
        rows = json.loads(client.get(f"/donnees/{slug}.json").content)
        assert {row["action_id"] for row in rows} == public_ids, slug
    indicator = next(row for row in json.loads(client.get("/donnees/indicateurs.json").content))
    assert indicator["cible"] == 120.5 and indicator["sens"] == "hausse" and indicator["source"] == "Bilan du CCAS"

    held = Event.objects.published().held()
    rows = json.loads(client.get("/donnees/participation.json").content)
    assert sorted(row["id"] for row in rows) == sorted(held.values_list("pk", flat=True))
    totals = held.attendance_totals()
    assert len(rows) == totals["events"] == 2
    assert sum(row["participants"] or 0 for row in rows) == totals["participants"] == 50
    breakdown = json.loads(client.get("/donnees/participation-par-public.json").content)
    assert {row["evenement_id"] for row in breakdown} == {row["id"] for row in rows}
    assert {row["participants"] for row in breakdown} == {12}
    page = client.get("/resultats/").content.decode()
    assert "2 rendez-vous tenus" in page and "50 personnes venues" in page


def test_page_addresses_are_those_of_the_pages(client, settings):
    """The « url » columns, reversed once per dataset and not per row, are the pages' own addresses."""
    from actions.models import Action
    from events.models import Event, Place
    from partners.models import Partner

    make_public_content(2)
    make_hidden_content()
    for slug, model in (
        ("actions", Action),
        ("indicateurs", Indicator),
        ("evenements", Event),
        ("lieux", Place),
        ("partenaires", Partner),
    ):
        rows = json.loads(client.get(f"/donnees/{slug}.json").content)
        objects = model.objects.in_bulk([row["id"] for row in rows])
        assert rows, slug
        assert [row["url"] for row in rows] == [
            settings.SITE_URL + objects[row["id"]].get_absolute_url() for row in rows
        ], slug


def test_a_scheduled_action_appears_at_its_minute(client):
    later = timezone.now() + datetime.timedelta(minutes=5)
    action = ActionFactory(publish_at=later)
    ids = [row["id"] for row in json.loads(client.get("/donnees/actions.json").content)]
    assert action.pk not in ids
    assert client.get(f"/api/actions/{action.pk}/").status_code == 404


def test_api_records_are_the_files_records(client):
    make_public_content(2)
    for slug in SLUGS:
        from_file = json.loads(client.get(f"/donnees/{slug}.json").content)
        from_api = client.get(f"/api/{slug}/?taille=200").json()
        if slug == "evenements":  # the agenda's rule: upcoming events unless asked for the past ones
            from_api["results"] += client.get("/api/evenements/?periode=passes").json()["results"]
        assert sorted(from_api["results"], key=lambda r: r["id"]) == sorted(from_file, key=lambda r: r["id"])
        assert client.get(f"/api/{slug}/{from_file[0]['id']}/").json() == from_file[0]


def test_api_filters_like_the_public_lists(client):
    action = make_public_content(2)[0]
    theme = action.themes.get()
    other = ActionFactory(title="Sans thème")
    results = client.get(f"/api/actions/?theme={theme.slug}").json()["results"]
    assert other.pk not in [r["id"] for r in results] and action.pk in [r["id"] for r in results]
    assert client.get("/api/actions/?q=zzzzqqq").json()["count"] == 0
    upcoming = client.get("/api/evenements/").json()["results"]
    past = client.get("/api/evenements/?periode=passes").json()["results"]
    assert {r["statut"] for r in past} == {"annule", "programme"} and all(r["statut"] == "programme" for r in upcoming)
    assert client.get("/api/evenements/?accessibilite=moteur&gratuit=1").json()["count"] == 2
    assert client.get("/api/lieux/?accessibilite=visuel").json()["count"] == 0
    assert client.get("/api/partenaires/?signataire=true").json()["count"] == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/actions/?axe=nimporte",
        "/api/evenements/?du=pas-une-date",
        "/api/evenements/?du=2026-05-02&au=2026-05-01",
        "/api/lieux/?accessibilite=x",
        "/api/partenaires/?type=%00",
        "/api/actions/?taille=abc",
    ],
)
def test_bad_filters_get_a_french_400_not_a_500(client, url):
    response = client.get(url)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert any("valide" in " ".join(errors) or "date" in " ".join(errors) for errors in response.json().values())


def test_files_and_api_may_be_read_from_any_site(client):
    assert client.get("/donnees/actions.csv")["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/actions/")["Access-Control-Allow-Origin"] == "*"


def test_bad_page_is_a_french_404(client):
    response = client.get("/api/actions/?page=999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Cette page n’existe pas."}


def test_openapi_document_validates(client):
    response = client.get("/api/openapi.json")
    document = json.loads(response.content)
    validate_schema(document)
    assert document["info"]["license"]["name"].startswith("Licence Ouverte")
    paths = set(document["paths"])
    for slug in SLUGS:
        assert f"/api/{slug}/" in paths and f"/api/{slug}/{{id}}/" in paths
    event_params = {p["name"] for p in document["paths"]["/api/evenements/"]["get"]["parameters"]}
    assert {"q", "periode", "du", "au", "axe", "quartier", "accessibilite", "gratuit", "page", "taille"} <= event_params


def test_api_documentation_page_lists_endpoints_from_the_schema(client):
    page = client.get("/api/").content.decode()
    for slug in SLUGS:
        assert f"GET /api/{slug}/" in page and f'id="api-{slug}"' in page
    assert "<script" not in page.split("</header>")[-1].split("<footer")[0]


def test_throttled_in_french(client, settings):
    settings.API_ANON_RATE = "3/min"
    for _ in range(3):
        assert client.get("/api/partenaires/").status_code == 200
    response = client.get("/api/partenaires/")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Trop de requêtes depuis votre adresse. Réessayez dans ")
    assert int(response["Retry-After"]) > 0
    assert client.get("/api/openapi.json").status_code == 429


def test_files_are_cached_and_rebuilt_when_content_changes(client, settings):
    settings.PAGE_CACHE_SECONDS = 300
    page_cache.local_pages.clear()
    action = ActionFactory(title="Avant")
    first = client.get("/donnees/actions.json")
    assert client.get("/donnees/actions.json")["X-Cache"] == "HIT"
    assert client.get("/api/actions/").get("X-Cache") == "MISS"
    assert client.get("/api/actions/")["X-Cache"] == "HIT"
    updated_before = json.loads(client.get("/donnees/actions.schema.json").content)["lastModified"]
    action.title = "Après"
    action.save()
    second = client.get("/donnees/actions.json")
    assert b"Avant" in first.content and b"Apr\xc3\xa8s" in second.content
    assert client.get("/api/actions/").json()["results"][0]["titre"] == "Après"
    assert json.loads(client.get("/donnees/actions.schema.json").content)["lastModified"] >= updated_before
    page_cache.local_pages.clear()


def last_modified(client, slug):
    schema = json.loads(client.get(f"/donnees/{slug}.schema.json").content)
    return datetime.datetime.fromisoformat(schema["lastModified"])


def test_last_update_moves_when_the_datasets_sections_change_only(client):
    """The date is the last change of the sections the dataset shows (``shows``), not of the others."""
    from core.models import GlossaryTerm

    assert ACTIONS.shows == ("actions", "partners") and PARTNERS.shows == ("partners",)
    actions, partners = last_modified(client, "actions"), last_modified(client, "partenaires")
    ActionFactory()
    assert last_modified(client, "actions") > actions
    assert last_modified(client, "partenaires") == partners  # the actions' section is not the partners'
    actions = last_modified(client, "actions")
    GlossaryTerm.objects.create(term="CSS", slug="css", definition="Complémentaire santé solidaire.")
    assert last_modified(client, "actions") == actions  # the glossary: a section no dataset shows
    PartnerFactory()
    assert last_modified(client, "actions") > actions  # a partner: in the actions' sections
    assert last_modified(client, "partenaires") > partners
    page = client.get("/donnees/").content.decode()
    shown = page.split('id="jeu-actions"')[1].split('<time datetime="')[1].split('"')[0]
    assert datetime.datetime.fromisoformat(shown) == last_modified(client, "actions")
    package = json.loads(client.get("/donnees/datapackage.json").content)
    dates = {resource["name"]: resource["lastModified"] for resource in package["resources"]}
    assert dates["actions"] == json.loads(client.get("/donnees/actions.schema.json").content)["lastModified"]


def test_the_events_date_moves_with_the_ccas_phone(client):
    """The events give the CCAS's phone (site's settings) for « inscription auprès du CCAS »: their date follows it."""
    from core.site_settings import SiteSettings

    events, partners = last_modified(client, "evenements"), last_modified(client, "partenaires")
    SiteSettings(ccas_phone="01 49 80 88 69").save()
    assert last_modified(client, "evenements") > events
    assert last_modified(client, "partenaires") == partners


def test_last_update_moves_at_a_scheduled_publication():
    """A scheduled action appears at its minute with no signal: its dataset's date moves then."""
    later = timezone.now() + datetime.timedelta(minutes=5)
    ActionFactory(publish_at=later)
    before = updated_at(ACTIONS)
    assert updated_at(ACTIONS, now=later - datetime.timedelta(minutes=1)) == before
    assert updated_at(ACTIONS, now=later + datetime.timedelta(minutes=1)) > before


def test_the_page_the_package_and_the_schemas_build_no_record(client, monkeypatch):
    """They count the rows in the database and read the dates from the page cache: no row is read one by one."""
    make_public_content(2)
    make_hidden_content()
    counts = {slug: len(get_dataset(slug).records()) for slug in SLUGS}

    def refuse(*args, **kwargs):
        raise AssertionError("Un enregistrement a été construit")

    monkeypatch.setattr(Dataset, "records", refuse)
    monkeypatch.setattr(Dataset, "record", refuse)
    monkeypatch.setattr(Column, "json_value", refuse)
    assert client.get("/donnees/").status_code == 200
    assert client.get("/donnees/datapackage.json").status_code == 200
    for slug in SLUGS:
        schema = json.loads(client.get(f"/donnees/{slug}.schema.json").content)
        assert schema["rowCount"] == counts[slug], slug
    with pytest.raises(AssertionError, match="enregistrement"):
        client.get("/donnees/actions.csv")  # the files do build them


def test_unknown_dataset_is_404(client):
    assert client.get("/donnees/inconnu.csv").status_code == 404
    assert client.get("/donnees/inconnu.schema.json").status_code == 404


# Query budgets: the same number of queries with few and with many rows. ---------------------


BUDGET_URLS = [
    "/donnees/",
    "/donnees/datapackage.json",
    "/donnees/evenements-openagenda.json",
    "/api/",
    "/api/openapi.json",
    *[f"/donnees/{slug}.{fmt}" for slug in SLUGS for fmt in ("csv", "json", "schema.json")],
    *[f"/api/{slug}/" for slug in SLUGS],
    "/api/evenements/?periode=passes&quartier={quartier}",
    "/api/actions/?theme={theme}&public={public}&quartier={quartier}&statut=en_cours&q=atelier",
    "/api/lieux/?quartier={quartier}&accessibilite=moteur",
    "/api/partenaires/?signataire=true&type=association",
]


@pytest.mark.parametrize("rows", [1, 20])
def test_query_budget_of_every_file_and_endpoint(client, django_assert_max_num_queries, rows):
    """Every file and list endpoint: at most 20 queries, with few and with many rows (content created once)."""
    action = make_public_content(rows)[0]
    slugs = {
        "quartier": action.neighbourhoods.get().slug,
        "theme": action.themes.get().slug,
        "public": action.audiences.get().slug,
    }
    for url in BUDGET_URLS:
        caches["pages"].clear()  # the generations too: the worst case
        with django_assert_max_num_queries(20, info=url):
            response = client.get(url.format(**slugs))
        assert response.status_code == 200, url
    assert client.get("/api/evenements/?periode=passes").json()["count"] == 2 * rows  # one held, one cancelled
    assert client.get("/api/participation/").json()["count"] == rows


@pytest.mark.parametrize("slug", SLUGS)
def test_query_budget_detail(client, django_assert_max_num_queries, slug):
    make_public_content(3)
    first = json.loads(client.get(f"/donnees/{slug}.json").content)[0]["id"]
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/{slug}/{first}/").status_code == 200


# OpenAgenda ---------------------------------------------------------------------------------


def test_openagenda_export_uses_its_fields_and_codes(client):
    place = PlaceFactory(serves_auditif=True, serves_moteur=True, latitude="48.79", longitude="2.45")
    event = EventFactory(place=place, status=EventStatus.FULL, registration_url="https://example.org/inscription")
    cancelled = EventFactory(place=place, status=EventStatus.CANCELLED)
    EventFactory(published=False, title=SECRET)
    data = json.loads(client.get("/donnees/evenements-openagenda.json").content)
    assert SECRET not in json.dumps(data)
    by_id = {item["extIds"][0]["value"]: item for item in data["events"]}
    item = by_id[str(event.uid)]
    assert item["extIds"] == [{"key": "cls-creteil", "value": str(event.uid)}]
    assert item["title"] == {"fr": event.title}
    assert item["status"] == 5 and by_id[str(cancelled.uid)]["status"] == 6
    assert item["accessibility"] == {"hi": True, "vi": False, "pi": False, "mi": True, "ii": False}
    assert item["registration"] == ["https://example.org/inscription"]
    assert item["location"]["extIds"] == [{"key": "cls-creteil", "value": f"lieu-{place.pk}"}]
    assert item["attendanceMode"] == 1 and item["timezone"] == "Europe/Paris"
    assert len(item["description"]["fr"]) <= 200 and len(item["title"]["fr"]) <= 140
    assert {need.value for need in AccessibilityNeed} == {"auditif", "visuel", "psychique", "moteur", "intellectuel"}


def test_openagenda_timings_are_at_most_a_day():
    one = EventFactory(start=paris_datetime(2026, 3, 14, 10), end=paris_datetime(2026, 3, 14, 12))
    assert timings(one) == [{"begin": "2026-03-14T10:00:00+01:00", "end": "2026-03-14T12:00:00+01:00"}]
    days = EventFactory(start=paris_datetime(2026, 3, 14, 10), end=paris_datetime(2026, 3, 16, 12))
    assert timings(days) == [
        {"begin": "2026-03-14T10:00:00+01:00", "end": "2026-03-14T23:59:00+01:00"},
        {"begin": "2026-03-15T00:00:00+01:00", "end": "2026-03-15T23:59:00+01:00"},
        {"begin": "2026-03-16T00:00:00+01:00", "end": "2026-03-16T12:00:00+01:00"},
    ]
    whole = EventFactory(start=paris_datetime(2026, 6, 1), end=paris_datetime(2026, 6, 3), all_day=True)
    assert timings(whole) == [
        {"begin": "2026-06-01T00:00:00+02:00", "end": "2026-06-01T23:59:00+02:00"},
        {"begin": "2026-06-02T00:00:00+02:00", "end": "2026-06-02T23:59:00+02:00"},
    ]
    assert "location" not in openagenda_event(EventFactory(place=None))


def test_registered_datasets_are_those_of_this_issue():
    assert [dataset.slug for dataset in datasets()] == SLUGS


def test_data_page_is_in_the_footer_site_plan_and_sitemap(client):
    assert 'href="/donnees/"' in client.get("/").content.decode()
    plan = client.get("/plan-du-site/").content.decode()
    assert 'href="/donnees/"' in plan and 'href="/api/"' in plan
    sitemap = client.get("/sitemap-pages.xml").content.decode()
    assert "/donnees/</loc>" in sitemap and "/api/</loc>" in sitemap


def test_an_event_taking_registrations_on_the_site_links_to_its_form(client, settings):
    """« Inscription sur ce site » (issue 15): the files and OpenAgenda give the portal's form as the link."""
    from tests.events.factories import PortalEventFactory

    event = PortalEventFactory(place=PlaceFactory())
    form = settings.SITE_URL + f"/agenda/{event.slug}/inscription/"
    data = json.loads(client.get("/donnees/evenements-openagenda.json").content)
    assert {item["extIds"][0]["value"]: item for item in data["events"]}[str(event.uid)]["registration"][0] == form
    rows = json.loads(client.get("/donnees/evenements.json").content)
    rows = rows if isinstance(rows, list) else next(value for value in rows.values() if isinstance(value, list))
    assert next(row for row in rows if row.get("uid") == str(event.uid))["inscription_lien"] == form
