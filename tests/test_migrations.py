from io import StringIO

from django.core.management import call_command


def test_no_missing_migrations(db):
    """Fails when a model change has no migration."""
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=StringIO())
    except SystemExit as exit_:  # makemigrations --check exits 1 when something is missing
        raise AssertionError(f"Migrations manquantes :\n{out.getvalue()}") from exit_
