import os

import pytest
from django.db import connection


def needs(problem):
    """Skip outside CI; in CI (on PostgreSQL, where these tests are mandatory) fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"Obligatoire en intégration continue sur PostgreSQL : {problem}.")
    pytest.skip(f"{problem} (obligatoire quand CI est défini).")


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Test sur PostgreSQL seulement : lancez-le avec DATABASE_URL=postgres://…")
