"""The search vectors kept in their rows (PostgreSQL only): see core.migration_helpers.search_vector_in_row."""

from django.db import migrations

from core.migration_helpers import search_vector_in_row


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0009_ccas_details_from_site_settings"),
    ]

    operations = [
        search_vector_in_row("events_event"),
        search_vector_in_row("events_place"),
    ]
