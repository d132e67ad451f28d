"""The editors' long texts typed as plain text stored as the HTML the page shows (core/rich_text_fields.py)."""

from django.db import migrations

from core.migration_helpers import rich_texts_as_html


class Migration(migrations.Migration):
    dependencies = [("partners", "0008_publication_schedule_and_drafts")]

    operations = [rich_texts_as_html("partners", {"partner": ["description", "role_in_cls"]})]
