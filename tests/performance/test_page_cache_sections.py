"""The page cache's sections (core/cache.py): an edit renews the pages that show its section, and only those.

Each public page declares the sections of content it shows (``@public_page(shows=…)``,
``PublicPageMixin.shows``). The declarations are checked against what the pages render: with the
portal's initial content, every public page (those of the sitemap, the calendars, feeds, open
data files, API lists, searches) is rendered, the rows of one section are changed, and every
page whose text changed must have declared that section.
"""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import caches
from django.urls import resolve
from django.utils import timezone

from actions.models import Action, Audience, Axis, Evaluation, Indicator, Milestone, Neighbourhood, Objective, Theme
from core import cache as page_cache
from core.glossary import GlossaryTerm, clear_cached_terms
from core.opendata import datasets
from core.synonyms import Synonym
from events.models import Event, Place
from mutuelle.models import CssCeiling, Formula, FormulaPrice, Offer
from partners.models import Partner

pytestmark = pytest.mark.django_db

LOC = re.compile(r"<loc>([^<]+)</loc>")
# A word no text holds before the « search » section gets its synonym (the search finds nothing).
SYNONYM_TERM = "bobologue"


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def public_paths(client):
    """Every page of the sitemap, and the public pages it does not list (calendars, feeds, data, searches)."""
    paths = ["/sitemap.xml"]
    for section_url in LOC.findall(client.get("/sitemap.xml").text):
        section = path_of(section_url)
        paths.append(section)
        paths += [path_of(url) for url in LOC.findall(client.get(section).text)]
    event = Event.objects.published().upcoming().order_by("start").first()
    start = timezone.localtime(event.start)
    paths += [
        f"/agenda/{start:%Y}/{start:%m}/",
        event.get_ics_url(),
        "/agenda.ics",
        "/flux/agenda/",
        "/flux/actions/",
        "/robots.txt",
        "/donnees/datapackage.json",
        "/donnees/evenements-openagenda.json",
        "/api/openapi.json",
        "/recherche/?q=mutuelle",
        "/recherche/?q=depistage",
        "/recherche/?q=vaccination+creteil",
        f"/recherche/?q={SYNONYM_TERM}",
    ]
    for dataset in datasets():
        paths += [f"/donnees/{dataset.slug}.csv", f"/api/{dataset.slug}/"]
    # The forms of the sitemap (the mutuelle's request, the orientation) are never cached.
    return [path for path in dict.fromkeys(paths) if page_cache.is_public_page(resolve(urlsplit(path).path).func)]


def declared(path):
    match = resolve(urlsplit(path).path)
    return page_cache.page_sections(match.func, match.kwargs)


def render_all(client, paths):
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = response.content
    return pages


def _append(model, field, text):
    for obj in model.objects.all():
        setattr(obj, field, f"{getattr(obj, field)}{text}")
        obj.save()


def change_partners():
    _append(Partner, "name", " Pmod")


def change_actions():
    for model, field in [
        (Axis, "name"),
        (Objective, "text"),
        (Theme, "name"),
        (Audience, "name"),
        (Neighbourhood, "name"),
        (Action, "title"),
        (Indicator, "name"),
        (Milestone, "what"),
        (Evaluation, "text"),
    ]:
        _append(model, field, " Amod")


def change_events():
    _append(Place, "name", " Emod")
    _append(Event, "title", " Emod")


def change_mutuelle():
    _append(Offer, "name", " Mmod")
    _append(Formula, "name", " Mmod")
    for price in FormulaPrice.objects.all():
        price.monthly_price += 1
        price.save()
    for ceiling in CssCeiling.objects.all():
        ceiling.free_ceiling += 1
        ceiling.save()


def change_glossary():
    _append(GlossaryTerm, "expansion", " Gmod")
    clear_cached_terms()  # as the save's own signal does, after the commit that the test never makes


def change_search():
    Synonym.objects.create(term=SYNONYM_TERM, equivalents="médecin")


CHANGES = [
    ("partners", change_partners),
    ("actions", change_actions),
    ("events", change_events),
    ("mutuelle", change_mutuelle),
    ("glossary", change_glossary),
    ("search", change_search),
]


@pytest.mark.usefixtures("initial_content")
class TestSectionsOfThePublicPages:
    def test_the_sections_are_those_the_apps_register(self):
        assert set(page_cache.sections()) == {"site", *(section for section, _ in CHANGES)}
        sections = page_cache.content_model_sections()
        assert sections[Event] == sections[Place] == "events"
        assert sections[Partner] == "partners"
        assert sections[Action] == sections[Theme] == "actions"
        assert sections[Offer] == "mutuelle"

    # Every page rendered nine times (over a minute on PostgreSQL under CI's load): what it checks
    # is the views' declarations, the same on either database, so CI runs it in the SQLite pass.
    @pytest.mark.database_independent
    def test_every_page_declares_the_sections_it_shows(self, client):
        """A change of each section's rows: each page whose text changed must show that section."""
        paths = public_paths(client)
        assert len(paths) > 50
        pages = render_all(client, paths)
        unstable = {path for path, content in render_all(client, paths).items() if content != pages[path]}
        assert not unstable, f"Pages qui changent sans changement du contenu : {sorted(unstable)}"
        undeclared = []
        changed_by = {}
        for section, change in CHANGES:
            change()
            after = render_all(client, paths)
            changed_by[section] = {path for path in paths if after[path] != pages[path]}
            undeclared += [(section, path) for path in sorted(changed_by[section]) if section not in declared(path)]
            pages = after
        assert not undeclared, f"Pages qui montrent une section sans la déclarer : {undeclared}"
        # The changes reached the pages (a change that no page shows would prove nothing).
        for section, _ in CHANGES:
            assert changed_by[section], section
        assert "/agenda/" in changed_by["events"]
        assert "/partenaires/" not in changed_by["events"]

    def test_a_page_that_declares_nothing_shows_every_section(self):
        def view(request):
            return None

        assert page_cache.page_sections(page_cache.public_page(view)) == page_cache.sections()
        assert page_cache.page_sections(page_cache.public_page(shows=())(view)) == ("site",)
        assert page_cache.page_sections(page_cache.public_page(shows=("events",))(view)) == ("site", "events")
        with pytest.raises(ValueError, match="inconnue"):
            page_cache.page_sections(page_cache.public_page(shows=("evenements",))(view))


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    caches["pages"].clear()
    page_cache.local_pages.clear()
    yield
    caches["pages"].clear()
    page_cache.local_pages.clear()


@pytest.mark.usefixtures("initial_content", "page_cache_on")
class TestAnEditRenewsOnlyItsSection:
    def cached(self, client, paths):
        for path in paths:
            client.get(path)
        return {path: client.get(path)["X-Cache"] for path in paths}

    def test_an_event_edit_renews_the_agenda_not_the_partners(self, client):
        event = Event.objects.published().upcoming().order_by("start").first()
        partner = Partner.objects.published().first()
        events_pages = ["/", "/agenda/", event.get_absolute_url(), event.place.get_absolute_url(), "/agenda.ics"]
        other_pages = ["/partenaires/", partner.get_absolute_url(), "/contact/", "/glossaire/"]
        assert set(self.cached(client, events_pages + other_pages).values()) == {"HIT"}

        event.title = "Café santé du jeudi"
        event.save()

        for path in events_pages:
            response = client.get(path)
            assert response["X-Cache"] == "MISS", path
        assert "Café santé du jeudi" in client.get("/agenda/").text
        for path in other_pages:
            assert client.get(path)["X-Cache"] == "HIT", path

    def test_a_partner_edit_leaves_the_agenda_cached(self, client):
        partner = Partner.objects.published().first()
        self.cached(client, ["/agenda/", "/partenaires/", "/mutuelle/"])
        partner.name = "Un partenaire renommé"
        partner.save()
        assert client.get("/agenda/")["X-Cache"] == "HIT"
        assert client.get("/partenaires/")["X-Cache"] == "MISS"
        assert client.get("/mutuelle/")["X-Cache"] == "MISS"  # the insurer is a partner

    def test_the_site_settings_renew_every_page(self, client):
        from core.site_settings import SiteSettings

        paths = ["/agenda/", "/partenaires/", "/contact/", "/robots.txt"]
        self.cached(client, paths)
        settings_row = SiteSettings.objects.get()
        settings_row.save()
        for path in paths:
            assert client.get(path)["X-Cache"] == "MISS", path

    def test_a_scheduled_publication_renews_its_section_only(self, client):
        action = Action.objects.published().first()
        later = timezone.now() + datetime.timedelta(hours=1)
        Action.objects.filter(pk=action.pk).update(unpublish_at=later)
        page_cache.bump_generation(("actions",))  # as the admin's save does
        paths = ["/actions/", "/partenaires/"]
        self.cached(client, paths)
        from unittest import mock

        with mock.patch("core.cache.timezone.now", return_value=later + datetime.timedelta(minutes=1)):
            assert client.get("/actions/")["X-Cache"] == "MISS"
            assert client.get("/partenaires/")["X-Cache"] == "HIT"
