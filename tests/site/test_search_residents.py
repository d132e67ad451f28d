"""The search as residents type: typing mistakes, no accents, plurals, synonyms, two words.

Run on the initial content (``load_cls_content``), on SQLite and on PostgreSQL alike: each query
must put the given page first (its address, or the start of it for an event, whose address
holds its date). No row is PostgreSQL-only: the Python scoring (core/search.py) decides the
order on both databases.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action, Theme
from core.site_settings import get_site_settings
from core.synonyms import Synonym
from creteil_cls.search import search_sections
from tests.actions.factories import ActionFactory, ThemeFactory
from tests.helpers import admin_url, count_queries, h1s_of, squash

pytestmark = pytest.mark.django_db

# (what a resident types, the address of the first result, the « Vouliez-vous dire » offered or "")
TABLE = [
    # The mutuelle, however it is typed
    ("mutuelle", "/mutuelle/", ""),
    ("mutuele", "/mutuelle/", "mutuelle"),
    ("MUTUELLE", "/mutuelle/", ""),
    ("mutuelles", "/mutuelle/", ""),
    ("mutuelle communale", "/mutuelle/", ""),
    ("complémentaire", "/actions/mutuelle-communale/", ""),
    ("demande mutuelle", "/mutuelle/demande/", ""),
    ("eligibilite", "/mutuelle/eligibilite/", ""),
    ("css", "/mutuelle/eligibilite/", ""),
    ("cmu", "/mutuelle/eligibilite/", ""),
    # Vaccines: the only vaccination page of the content is the closed Covid-19 centre, which
    # says where to get vaccinated today
    ("vaccin", "/actions/centre-de-vaccination-covid-19/", ""),
    ("vacin", "/actions/centre-de-vaccination-covid-19/", "vaccin"),
    ("vaccination", "/actions/centre-de-vaccination-covid-19/", ""),
    ("grippe", "/actions/centre-de-vaccination-covid-19/", ""),
    # Seeing a doctor
    ("docteur", "/actions/cami-centre-d-accueil-medical-initial/", ""),
    ("medecin", "/actions/cami-centre-d-accueil-medical-initial/", ""),
    ("medcin", "/actions/cami-centre-d-accueil-medical-initial/", "médecin"),
    ("médecin de garde", "/actions/sami-soins-le-soir-et-le-week-end/", ""),
    ("week-end", "/actions/sami-soins-le-soir-et-le-week-end/", ""),
    ("cami", "/actions/cami-centre-d-accueil-medical-initial/", ""),
    ("sami", "/actions/sami-soins-le-soir-et-le-week-end/", ""),
    ("urgence", "/actions/cami-centre-d-accueil-medical-initial/", ""),
    # Audiences, themes and quartiers
    ("seniors", "/actions/?public=seniors", ""),
    ("senior", "/actions/?public=seniors", ""),
    ("personnes agees", "/actions/?public=seniors", ""),
    ("femmes", "/actions/?public=femmes", ""),
    ("bleuets", "/actions/?quartier=les-bleuets", ""),
    ("jeunes", "/actions/vie-affective-et-sante-sexuelle/", ""),
    ("ados", "/actions/vie-affective-et-sante-sexuelle/", ""),
    ("parents", "/actions/lieux-d-accueil-enfants-parents/", ""),
    # Teeth, tobacco, mind
    ("dents", "/actions/prevention-bucco-dentaire/", ""),
    ("dentaire", "/actions/prevention-bucco-dentaire/", ""),
    ("dentiste", "/actions/prevention-bucco-dentaire/", ""),
    ("fumer", "/actions/mois-sans-tabac/", ""),
    ("arreter de fumer", "/actions/mois-sans-tabac/", ""),
    ("tabac", "/actions/mois-sans-tabac/", ""),
    ("psy", "/actions/cafes-psycho/", ""),
    ("café psycho", "/agenda/cafe-psycho-", ""),
    ("sante mentale", "/actions/conseil-local-de-sante-mentale/", ""),
    # Screenings, food, sport, families
    ("cancer du sein", "/actions/octobre-rose/", ""),
    ("depistage sein", "/actions/octobre-rose/", ""),
    ("colorectal", "/actions/mars-bleu/", ""),
    ("col de l'uterus", "/actions/juin-vert/", ""),
    ("ecrans", "/actions/ecrans-en-famille/", ""),
    ("famille", "/actions/ecrans-en-famille/", ""),
    ("bien manger", "/actions/nutrition-bien-manger/", ""),
    ("nutrition", "/actions/nutrition-bien-manger/", ""),
    ("sport", "/actions/activite-physique/", ""),
    ("enceinte", "/actions/perinatalite-1000-premiers-jours/", ""),
    ("bébé", "/actions/perinatalite-1000-premiers-jours/", ""),
    ("laep", "/actions/lieux-d-accueil-enfants-parents/", ""),
    # Places, partners, the site's own pages
    ("Mont-Mesly", "/agenda/bilan-de-forme-mont-mesly-", ""),
    ("la habette", "/agenda/laep-la-habette-", ""),
    ("mairie", "/lieux/hotel-de-ville-de-creteil/", ""),
    ("hotel de ville", "/lieux/hotel-de-ville-de-creteil/", ""),
    ("just", "/partenaires/just/", ""),
    ("cpam", "/partenaires/cpam-du-val-de-marne/", ""),
    ("hopital mondor", "/partenaires/hopital-henri-mondor/", ""),
    ("contact", "/contact/", ""),
    ("ccas", "/contact/", ""),
    ("agenda", "/agenda/", ""),
    # Nothing in the content speaks of it: no result (the page then offers the CCAS and the ways in)
    ("diabète", None, ""),
    ("zzzz", None, ""),
]


def load_content():
    call_command("load_cls_content", stdout=StringIO())


def first_result(query):
    parsed, sections = search_sections(query)
    return (sections[0].results[0].url if sections else None), parsed.suggestion


def test_an_action_is_found_by_its_theme_and_follows_its_changes():
    theme = ThemeFactory(name="Sommeil et repos", slug="sommeil")
    action = ActionFactory(title="Atelier du soir", summary="Mieux dormir.")
    assert list(Action.objects.search("repos")) == []
    action.themes.add(theme)
    assert list(Action.objects.search("repos")) == [action]
    theme.name = "Fatigue"
    theme.save()
    assert list(Action.objects.search("fatigue")) == [action]
    assert list(Action.objects.search("repos")) == []
    theme.delete()
    assert list(Action.objects.search("fatigue")) == []


def test_an_action_is_found_by_its_keywords():
    action = ActionFactory(title="Atelier du soir", summary="Mieux dormir.", keywords="insomnie, cauchemars")
    assert list(Action.objects.search("insomnies")) == [action]


def test_a_synonym_added_by_an_editor_changes_the_results():
    action = ActionFactory(title="Prévention des chutes", summary="Garder l’équilibre.")
    assert list(Action.objects.search("tomber")) == []
    Synonym.objects.create(term="tomber", equivalents="chutes, équilibre")
    assert list(Action.objects.search("tomber")) == [action]


def test_the_synonyms_are_kept_until_an_editor_changes_them():
    action = ActionFactory(title="Prévention des chutes", summary="Garder l’équilibre.")
    synonym = Synonym.objects.create(term="tomber", equivalents="chutes")
    assert list(Action.objects.search("tomber")) == [action]
    with CaptureQueriesContext(connection) as queries:
        assert list(Action.objects.search("tomber")) == [action]
    assert not [query for query in queries if "core_synonym" in query["sql"]]  # kept
    synonym.equivalents = "glissades"
    synonym.save()
    assert list(Action.objects.search("tomber")) == []
    synonym.equivalents = "chutes"
    synonym.save()
    assert list(Action.objects.search("tomber")) == [action]
    synonym.delete()
    assert list(Action.objects.search("tomber")) == []


def test_a_renamed_theme_is_found_by_its_new_name_only():
    theme = ThemeFactory(name="Sommeil", slug="sommeil")
    assert first_result("sommeil")[0] == "/actions/?theme=sommeil"
    theme.name = "Repos"
    theme.save()
    assert first_result("repos")[0] == "/actions/?theme=sommeil"
    assert first_result("sommeil")[0] is None


def test_a_mistyped_synonym_term_is_corrected_then_expanded():
    action = ActionFactory(title="Prévention des chutes", summary="Garder l’équilibre.")
    Synonym.objects.create(term="glissade", equivalents="chutes")
    parsed, sections = search_sections("glisade")
    assert parsed.suggestion == "glissade"
    assert sections[0].results[0].obj == action


def test_synonym_validation_speaks_french():
    synonym = Synonym(term="!!", equivalents="")
    with pytest.raises(Exception) as error:
        synonym.full_clean()
    assert "Ce mot ne contient aucune lettre." in str(error.value)
    synonym = Synonym(term="docteur", equivalents="Docteur")
    with pytest.raises(Exception) as error:
        synonym.full_clean()
    assert "Un mot ne peut pas être son propre synonyme." in str(error.value)


def test_editors_keep_the_synonyms_in_the_admin(editor_client):
    response = editor_client.post(admin_url(Synonym, "add"), {"term": "toubib", "equivalents": "médecin"}, follow=True)
    assert response.status_code == 200
    assert Synonym.objects.get(term="toubib").equivalents == "médecin"
    body = editor_client.get(admin_url(Synonym, "changelist")).content.decode()
    assert "toubib → médecin" in body or "toubib" in body
    assert h1s_of(editor_client.get(admin_url(Synonym, "add")).content.decode())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL seulement")
def test_postgres_suggestions_use_a_trigram_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'core_searchword_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]


def test_rebuild_search_index_restores_stale_texts():
    action = ActionFactory(title="Atelier mémoire", summary="Exercer sa mémoire.")
    Action.objects.filter(pk=action.pk).update(search_text="ancien format")
    if connection.vendor != "postgresql":  # PostgreSQL still has the vector, SQLite reads the text
        assert list(Action.objects.search("memoire")) == []
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Index de la recherche reconstruit." in out.getvalue()
    action.refresh_from_db()
    assert " | " in action.search_text
    assert list(Action.objects.search("memoire")) == [action]


@pytest.mark.usefixtures("initial_content")
class TestOnTheInitialContent:
    """On the initial content of the portal, loaded once for these tests (``initial_content``)."""

    def test_the_residents_table_on_the_initial_content(self):
        assert len(TABLE) >= 40
        wrong = []
        for query, expected, suggestion in TABLE:
            url, offered = first_result(query)
            right = url is None if expected is None else (url or "").startswith(expected)
            if not right or offered != suggestion:
                wrong.append(
                    f"{query!r}: {url!r} (attendu {expected!r}), suggestion {offered!r} (attendu {suggestion!r})"
                )
        assert not wrong, f"{connection.vendor} :\n" + "\n".join(wrong)

    def test_results_page_groups_kinds_with_counts_best_first(self, client):
        body = client.get("/recherche/", {"q": "mutuele"}).content.decode()
        text = squash(body)
        assert "Vouliez-vous dire « mutuelle » ?" in text
        assert 'href="/recherche/?q=mutuelle"' in body
        headings = re.findall(r'<h3 class="h5" id="resultats-(\w+)">', body)
        assert headings[0] == "pages"
        assert {"pages", "actions", "events"} <= set(headings)
        assert "Pages du site (3)" in text
        first_link = re.search(r'<ul class="list-unstyled search-results">\s*<li[^>]*>\s*<a href="([^"]+)"', body)
        assert first_link.group(1) == "/mutuelle/"

    def test_no_result_offers_the_ccas_contact_and_the_ways_in(self, client):
        body = client.get("/recherche/", {"q": "diabète"}).content.decode()
        text = squash(body)
        assert "Aucun résultat pour « diabète »" in text
        assert "01 49 80 88 68" in text
        for url in ("/contact/", "/agenda/", "/actions/", "/mutuelle/"):
            assert f'href="{url}"' in body
        assert "Vouliez-vous dire" not in text

    def test_search_page_queries_stay_bounded_on_the_initial_content(self, client):
        get_site_settings()  # read once and cached for every page, as after the first visitor
        # The first search after a content change reads the synonyms, the vocabulary and the themes,
        # audiences and quartiers; the next ones each kind of row, and the spelling suggestions for a
        # word no text contains (« mutuele », « dimanche », « zzzz »).
        assert count_queries(client, "/recherche/?q=mutuele") == 8
        for query, count in (("mutuele", 5), ("santé", 4), ("docteur dimanche", 5), ("zzzz", 5)):
            assert count_queries(client, f"/recherche/?q={query}") == count

    def test_result_addresses_are_the_rows_own(self):
        _, sections = search_sections("santé")
        rows = [result for section in sections for result in section.results if result.obj is not None]
        assert {type(result.obj).__name__ for result in rows} >= {"Action", "Partner"}
        assert all(result.url == result.obj.get_absolute_url() for result in rows)

    def test_load_cls_content_keeps_the_editors_synonyms(self):
        count = Synonym.objects.count()
        assert count >= 30
        synonym = Synonym.objects.get(term="docteur")
        synonym.equivalents = "médecin, généraliste"
        synonym.save()
        Synonym.objects.filter(term="fumer").delete()
        load_content()
        assert Synonym.objects.get(term="docteur").equivalents == "médecin, généraliste"
        assert not Synonym.objects.filter(term="fumer").exists()  # deleted by an editor: stays deleted
        assert Synonym.objects.count() == count - 1

    def test_theme_listing_links_to_the_filtered_actions(self, client):
        assert Theme.objects.filter(slug="tabac").exists()
        with CaptureQueriesContext(connection):
            body = client.get("/recherche/", {"q": "tabac"}).content.decode()
        assert 'href="/actions/?theme=tabac"' in body
