"""The editors record who came to an event: « Rédaction » gets the permissions on the breakdown by audience."""

from django.db import migrations

from core.migration_helpers import grant_group_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0013_event_attendance"),
        ("staff", "0001_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_group_permissions("Rédaction", "events", ["eventattendance"])]
