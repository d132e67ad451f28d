"""The editors keep the actions' results: « Rédaction » gets the permissions on the new models."""

from django.db import migrations

from core.migration_helpers import grant_group_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0014_action_results"),
        ("staff", "0001_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_group_permissions("Rédaction", "actions", ["indicator", "milestone", "evaluation"])]
