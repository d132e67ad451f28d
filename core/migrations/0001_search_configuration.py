"""The ``french_unaccent`` text search configuration of the full-text search (core/search.py), PostgreSQL only.

It used to be created by partners/0002; the apps' search migrations now depend on this one.
"""

from django.db import migrations

from core.migration_helpers import CREATE_SEARCH_CONFIG, postgres_only_sql


class Migration(migrations.Migration):
    dependencies = []

    operations = [postgres_only_sql(CREATE_SEARCH_CONFIG)]
