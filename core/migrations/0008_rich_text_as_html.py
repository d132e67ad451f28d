"""The editors' long texts typed as plain text stored as the HTML the page shows (core/rich_text_fields.py)."""

from django.db import migrations

from core.migration_helpers import rich_texts_as_html


class Migration(migrations.Migration):
    dependencies = [("core", "0007_glossary_ccas_without_phone")]

    operations = [rich_texts_as_html("core", {"glossaryterm": ["definition"]})]
