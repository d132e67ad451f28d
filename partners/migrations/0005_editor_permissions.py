"""The editors' permissions on the partners (granted by actions/0003 before the staff app existed)."""

from django.db import migrations

from core.migration_helpers import grant_group_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0004_rich_text_and_sanitized_logo"),
        ("staff", "0001_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_group_permissions("Rédaction", "partners", ["partner"])]
