from django.db import migrations

from creteil_cls.migration_helpers import CREATE_SEARCH_CONFIG, postgres_only_sql, search_index


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [
        postgres_only_sql(CREATE_SEARCH_CONFIG),
        search_index("partners_partner"),
    ]
