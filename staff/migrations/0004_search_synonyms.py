"""The editors keep the search's synonyms (core/synonyms.py)."""

from django.db import migrations

from core.migration_helpers import grant_group_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0003_site_settings_permissions"),
        ("core", "0005_search_synonyms"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_group_permissions("Rédaction", "core", ["synonym"])]
