"""The editors' permissions on the actions' models (the groups are created by staff/0001).

The name is historical: this migration used to create the groups and grant the partners'
permissions too (now staff/0001 and partners/0005).
"""

from django.db import migrations

from core.migration_helpers import grant_group_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0002_search_and_axes"),
        ("staff", "0001_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        grant_group_permissions(
            "Rédaction", "actions", ["axis", "objective", "theme", "audience", "neighbourhood", "action"]
        ),
    ]
