"""The table of the rate-limit counters (settings.RATE_LIMIT_TABLE, core/db_cache.py).

Created whatever the cache settings of the day: a site that drops REDIS_URL later finds it there.
``createcachetable``'s own code makes it (and skips it when it exists).
"""

from django.conf import settings
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations


def create_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, settings.RATE_LIMIT_TABLE, dry_run=False)


def drop_table(apps, schema_editor):
    if settings.RATE_LIMIT_TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(settings.RATE_LIMIT_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_search_configuration")]

    operations = [migrations.RunPython(create_table, drop_table, elidable=False)]
