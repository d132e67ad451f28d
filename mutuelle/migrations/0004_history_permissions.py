from django.db import migrations

from core.migration_helpers import grant_group_permissions


class Migration(migrations.Migration):
    dependencies = [("mutuelle", "0003_history_of_the_css_scale_rows")]

    operations = [
        grant_group_permissions("Rédaction", "mutuelle", ["cssceiling", "csscontribution"]),
    ]
