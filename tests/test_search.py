"""Search on both databases: case, accents and (on PostgreSQL) French plurals are ignored."""

import pytest
from django.db import connection

from actions.models import Action
from core.search import deferred_search_refresh, parse_query
from core.synonyms import add_to_vocabulary
from core.words import normalize
from partners.models import Partner
from tests.actions.factories import ActionFactory, ThemeFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_normalize_lowercases_and_strips_accents():
    assert normalize("Santé MENTALE, Écrans !") == "sante mentale ecrans"
    assert normalize(None) == ""


@pytest.mark.parametrize("query", ["dépistage", "DEPISTAGE", "Dépistages", "depistage cancer"])
def test_action_search_ignores_case_accents_and_plurals(query):
    wanted = ActionFactory(title="Dépistage du cancer du sein", summary="Octobre rose.")
    ActionFactory(title="Atelier nutrition", summary="Bien manger.")
    assert list(Action.objects.search(query)) == [wanted]


def test_search_on_body_and_summary():
    wanted = ActionFactory(title="Cafés psycho", summary="Parler de santé psychique.", body="Avec un psychiatre.")
    assert list(Action.objects.search("psychiatre")) == [wanted]
    assert list(Action.objects.search("psychique")) == [wanted]


def test_every_word_must_match():
    ActionFactory(title="Dépistage du cancer", summary="")
    assert list(Action.objects.search("dépistage tabac")) == []


def test_empty_or_junk_query_finds_nothing():
    ActionFactory()
    assert list(Action.objects.search("")) == []
    assert list(Action.objects.search("  !!! ")) == []
    assert list(Action.objects.search("\x00")) == []


def test_title_ranks_above_body():
    in_body = ActionFactory(title="Atelier", summary="Un atelier.", body="On y parle de tabac.")
    in_title = ActionFactory(title="Mois sans tabac", summary="Arrêter de fumer.")
    results = list(Action.objects.search("tabac"))
    assert set(results) == {in_body, in_title}
    if connection.vendor == "postgresql":
        assert results[0] == in_title


def test_partner_search_by_acronym_and_description():
    wanted = PartnerFactory(name="Caisse primaire d’assurance maladie", acronym="CPAM", description="Vos droits.")
    PartnerFactory(name="Université")
    assert list(Partner.objects.search("cpam")) == [wanted]
    assert list(Partner.objects.search("assurance")) == [wanted]


def test_vector_follows_edits():
    action = ActionFactory(title="Atelier nutrition")
    action.title = "Atelier sommeil"
    action.save()
    assert list(Action.objects.search("sommeil")) == [action]
    assert list(Action.objects.search("nutrition")) == []


def test_refresh_after_bulk_update():
    action = ActionFactory(title="Atelier nutrition")
    Action.objects.filter(pk=action.pk).update(title="Atelier sommeil")
    Action.refresh_search_vectors()
    assert list(Action.objects.search("sommeil")) == [action]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL seulement")
def test_postgres_uses_french_stemming_and_gin_index():
    wanted = ActionFactory(title="Les vaccinations des enfants")
    assert list(Action.objects.search("vaccination enfant")) == [wanted]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'actions_action_search_gin'")
        assert "gin" in cursor.fetchone()[0].lower()


def test_markup_of_rich_text_is_not_searchable():
    action = ActionFactory(
        title="Atelier",
        body='Voir <a href="https://www.ameli.fr/">le site d’ameli</a> &amp; <strong>dépistage</strong>',
    )

    assert list(Action.objects.search("ameli")) == [action]
    assert list(Action.objects.search("dépistage")) == [action]
    assert list(Action.objects.search("href")) == []
    assert list(Action.objects.search("strong")) == []
    assert list(Action.objects.search("amp")) == []


def test_a_bulk_load_rebuilds_the_search_texts_once_at_the_end():
    with deferred_search_refresh():
        action = ActionFactory(title="Atelier du soir", summary="Mieux dormir.")
        action.themes.add(ThemeFactory(name="Sommeil et repos", slug="sommeil"))
        # Deferred: the theme's name is not in the action's text yet.
        assert list(Action.objects.search("repos")) == []

    assert list(Action.objects.search("repos")) == [action]


def test_a_failed_bulk_load_rebuilds_nothing():
    with pytest.raises(RuntimeError), deferred_search_refresh():
        action = ActionFactory(title="Atelier du soir", summary="Mieux dormir.")
        action.themes.add(ThemeFactory(name="Sommeil et repos", slug="sommeil"))
        raise RuntimeError

    assert list(Action.objects.search("repos")) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL seulement")
def test_postgres_keeps_the_search_vectors_in_their_rows():
    """A search for a frequent word reads its candidates' vectors one after the other: in the row
    (MAIN storage), not in the TOAST table (core.migration_helpers.search_vector_in_row)."""
    tables = ["actions_action", "events_event", "events_place", "partners_partner"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attrelid::regclass::text, attstorage FROM pg_attribute "
            "WHERE attname = 'search_vector' AND attrelid = ANY(%s::regclass[])",
            [tables],
        )
        assert dict(cursor.fetchall()) == dict.fromkeys(tables, "m")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL seulement")
def test_postgres_best_matches_follow_the_rank_then_the_model_ordering():
    """Among rows of equal rank, the ones PostgreSQL keeps for the scoring follow the model's
    ordering (the signatories first), not the order of the primary keys."""
    other = PartnerFactory(name="Association santé", is_signatory=False)
    signatory = PartnerFactory(name="Hôpital santé", is_signatory=True)
    assert [partner.pk for partner in Partner.objects.ranked("santé", 1)] == [signatory.pk]
    assert {partner.pk for partner in Partner.objects.ranked("santé", 2)} == {signatory.pk, other.pk}


def test_a_word_added_without_a_content_change_is_corrected_to():
    """The vocabulary is kept for the content generation; a word added by a bulk write (no new
    generation) is still offered: the words the kept copy does not know are looked up again."""
    ActionFactory(title="Atelier mémoire")
    assert parse_query("memoire").suggestion == ""  # the vocabulary is now kept
    add_to_vocabulary(["Balnéothérapie"])
    assert parse_query("balneoterapie").suggestion == "balnéothérapie"
