"""The search vectors kept in their rows (PostgreSQL only): see core.migration_helpers.search_vector_in_row."""

from django.db import migrations

from core.migration_helpers import search_vector_in_row


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0006_french_names_of_versions_and_page_addresses"),
    ]

    operations = [
        search_vector_in_row("partners_partner"),
    ]
