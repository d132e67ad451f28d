"""deploy/backup.sh and deploy/restore.sh: a backup of the database restores, rows and search included.

PostgreSQL only (the scripts are pg_dump / pg_restore); mandatory in CI's PostgreSQL pass. The
test dumps the test database pytest-django created, restores it into a new database next to it,
checks it there, and drops what it made.
"""

import os
import secrets
import shutil
import subprocess

import psycopg2
import pytest
from django.db import connection

from mutuelle.models import InterestRequest
from tests.factories import ActionFactory, PartnerFactory
from tests.mutuelle.factories import InterestRequestFactory

from .conftest import needs
from .servers import BASE_DIR, database_url

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DEPLOY = BASE_DIR / "deploy"


def run(script, *args, env):
    return subprocess.run(
        ["bash", str(DEPLOY / script), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def query(url, sql, *params):
    with psycopg2.connect(url) as db, db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    db.close()
    return rows


INDEXES = "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2"
SEARCH = "SELECT slug FROM actions_action WHERE search_vector @@ plainto_tsquery('french_unaccent', %s) ORDER BY slug"


@pytest.fixture
def pg_tools(postgresql_only):
    missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if shutil.which(tool) is None]
    if missing:
        needs(f"outils PostgreSQL absents : {', '.join(missing)} (paquet postgresql-client)")


@pytest.fixture
def restored_database():
    """A database name next to the test database, dropped at the end whatever happened."""
    name = f"{connection.settings_dict['NAME']}_restauree_{secrets.token_hex(3)}"
    yield name
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_a_new_database_with_its_rows_and_search_index(pg_tools, restored_database, tmp_path):
    PartnerFactory(name="Hôpital Henri-Mondor")
    ActionFactory(title="Dépistage organisé du cancer du sein", slug="depistage-cancer-sein")
    ActionFactory(title="Ateliers nutrition", slug="ateliers-nutrition")
    InterestRequestFactory()
    source_url = database_url(connection.settings_dict)
    target_url = database_url({**connection.settings_dict, "NAME": restored_database})
    env = {**os.environ, "DATABASE_URL": source_url, "BACKUP_KEEP": "1"}

    backup = run("backup.sh", str(tmp_path), env=env)
    assert backup.returncode == 0, backup.stderr
    dump = backup.stdout.strip()
    assert dump.startswith(str(tmp_path)) and dump.endswith(".dump")
    assert oct(os.stat(dump).st_mode & 0o777) == "0o600"  # personal data inside

    restore = run("restore.sh", dump, target_url, env=env)
    assert restore.returncode == 0, restore.stderr

    for table, expected in (("actions_action", 2), ("partners_partner", 1), (InterestRequest._meta.db_table, 1)):
        assert query(target_url, f"SELECT count(*) FROM {table}") == [(expected,)], table  # noqa: S608
    migrations = "SELECT app, name FROM django_migrations ORDER BY app, name"
    assert query(target_url, migrations) == query(source_url, migrations)
    # The search index: same indexes (GIN included), the text search configuration, the vectors.
    assert query(target_url, INDEXES) == query(source_url, INDEXES)
    assert any("gin" in definition.lower() for _, _, definition in query(target_url, INDEXES))
    assert query(target_url, SEARCH, "dépistages sein") == [("depistage-cancer-sein",)]
    assert query(target_url, SEARCH, "nutrition") == [("ateliers-nutrition",)]

    # A second restore into the same, now full, database is refused and changes nothing.
    again = run("restore.sh", dump, target_url, env=env)
    assert again.returncode != 0
    assert "refusée" in again.stderr
    assert query(target_url, "SELECT count(*) FROM actions_action") == [(2,)]
