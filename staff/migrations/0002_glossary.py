"""The « Rédaction » group edits the glossary (core/glossary.py); core does not know the staff groups."""

from django.db import migrations

from core.migration_helpers import grant_group_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_groups"),
        ("core", "0003_glossary"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_group_permissions("Rédaction", "core", ["glossaryterm"])]
