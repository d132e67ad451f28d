"""The editors keep the search's synonyms (core/synonyms.py)."""

from django.db import migrations

from core.migration_helpers import grant_group_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_groups"),
        ("core", "0003_search_synonyms"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_group_permissions("Rédaction", "core", ["synonym"])]
