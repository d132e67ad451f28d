"""The search vectors kept in their rows (PostgreSQL only): see core.migration_helpers.search_vector_in_row."""

from django.db import migrations

from core.migration_helpers import search_vector_in_row


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_event_image"),
    ]

    operations = [
        search_vector_in_row("events_event"),
        search_vector_in_row("events_place"),
    ]
