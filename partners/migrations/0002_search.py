from django.db import migrations

from core.migration_helpers import search_index


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial"), ("core", "0001_search_configuration")]

    operations = [
        search_index("partners_partner"),
    ]
