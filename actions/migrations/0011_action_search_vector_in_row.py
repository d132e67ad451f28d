"""The search vectors kept in their rows (PostgreSQL only): see core.migration_helpers.search_vector_in_row."""

from django.db import migrations

from core.migration_helpers import search_vector_in_row


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0010_ccas_contact_from_site_settings"),
    ]

    operations = [
        search_vector_in_row("actions_action"),
    ]
