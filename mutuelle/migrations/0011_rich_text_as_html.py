"""The editors' long texts typed as plain text stored as the HTML the page shows (core/rich_text_fields.py)."""

from django.db import migrations

from core.migration_helpers import rich_texts_as_html


class Migration(migrations.Migration):
    dependencies = [("mutuelle", "0010_queue_anonymised_status_notice_read_and_contact_notes")]

    operations = [
        rich_texts_as_html(
            "mutuelle",
            {
                "offer": ["summary", "who_can_join", "coverage", "how_to_join", "prices_note"],
                "formula": ["description"],
            },
        )
    ]
