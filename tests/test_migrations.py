from io import StringIO

from django.core.management import call_command


def test_no_missing_migrations(db):
    """Fails when a model change has no migration."""
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=StringIO())
    except SystemExit as exit_:  # makemigrations --check exits 1 when something is missing
        raise AssertionError(f"Migrations manquantes :\n{out.getvalue()}") from exit_


def test_the_indexes_of_the_public_lists_exist_on_postgresql(db):
    """The PostgreSQL-only indexes of the lists and of the search (core.migration_helpers): created by
    the migrations there, nothing elsewhere (EXPLAIN figures: docs/performances.md)."""
    import pytest
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("index propres à PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        names = {row[0] for row in cursor.fetchall()}
    assert {
        "action_public_idx",
        "action_axis_publication_idx",
        "action_featured_idx",
        "event_public_end_idx",
        "partner_public_idx",
        "action_updated_at_idx",
        "event_updated_at_idx",
        "actions_action_search_gin",
        "events_event_search_gin",
        "partners_partner_search_gin",
        "events_place_search_gin",
        "core_searchword_trgm",
    } <= names
