from django.db import migrations

from core.migration_helpers import grant_group_permissions, search_index


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("actions", "0003_staff_groups"),
        ("staff", "0001_groups"),
        ("partners", "0002_search"),
    ]

    operations = [
        search_index("events_event"),
        grant_group_permissions("Rédaction", "events", ["place", "event"]),
    ]
