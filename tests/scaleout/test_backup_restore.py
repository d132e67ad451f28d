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
from tests.actions.factories import ActionFactory
from tests.mutuelle.factories import InterestRequestFactory
from tests.partners.factories import PartnerFactory

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


def with_password(url, password):
    """``url`` with a password (the test server trusts the loopback: libpq never has to send it)."""
    scheme, rest = url.split("://", 1)
    user, server = rest.split("@", 1)
    return f"{scheme}://{user}:{password}@{server}"


def test_no_password_on_a_command_line(pg_tools, restored_database, tmp_path):
    """``ps`` shows every command line to every account: the scripts pass the address through libpq's
    environment and the password through a file of their own, deleted when they end (issue 9 §4)."""
    password = f"secret-{secrets.token_hex(8)}"
    bin_dir, command_lines, private_tmp = tmp_path / "bin", tmp_path / "commandes.txt", tmp_path / "tmp"
    bin_dir.mkdir()
    private_tmp.mkdir()
    # Each PostgreSQL tool, wrapped: its command line is written down, then the real tool runs.
    for tool in ("pg_dump", "pg_restore", "psql"):
        wrapper = bin_dir / tool
        wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$0 $*" >> "{command_lines}"\nexec {shutil.which(tool)} "$@"\n')
        wrapper.chmod(0o755)
    ActionFactory(title="Ateliers nutrition", slug="ateliers-nutrition")
    source_url = with_password(database_url(connection.settings_dict), password)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "TMPDIR": str(private_tmp),
        "BACKUP_DATABASE_URL": source_url,
        "RESTORE_DATABASE_URL": source_url,
        "BACKUP_KEEP": "1",
    }
    env.pop("DATABASE_URL", None)
    backups = tmp_path / "sauvegardes"

    backup = run("backup.sh", str(backups), env=env)
    assert backup.returncode == 0, backup.stderr
    restore = run("restore.sh", backup.stdout.strip(), restored_database, env=env)
    assert restore.returncode == 0, restore.stderr

    assert query(
        database_url({**connection.settings_dict, "NAME": restored_database}), "SELECT slug FROM actions_action"
    ) == [("ateliers-nutrition",)]
    lines = command_lines.read_text()
    assert "pg_dump" in lines and "pg_restore" in lines and "psql" in lines
    assert password not in lines
    assert "postgres://" not in lines
    assert list(private_tmp.iterdir()) == []  # the password files are gone


def test_restore_refuses_a_password_on_its_command_line(pg_tools, restored_database, tmp_path):
    dump = tmp_path / "vide.dump"
    dump.write_bytes(b"")
    target = with_password(database_url({**connection.settings_dict, "NAME": restored_database}), "secret")

    refused = run("restore.sh", str(dump), target, env=dict(os.environ))

    assert refused.returncode == 2
    assert "RESTORE_DATABASE_URL" in refused.stderr
