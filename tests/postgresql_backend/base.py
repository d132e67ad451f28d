"""PostgreSQL for the tests: Django's backend, emptying tables with DELETE rather than TRUNCATE.

A transactional test (browser tests, real commits) ends with a flush of every table. Django's
backend flushes with one ``TRUNCATE`` of the 80-odd tables, which gives each table and index a new
file: 2–3 seconds a flush here, for tables that hold a few rows — most of the time of the
PostgreSQL pass of the suite. ``DELETE`` of those rows takes milliseconds. The foreign keys Django
creates are deferred to the commit, and the flush runs in one transaction, so the order of the
deletions does not matter. When the sequences must be reset too, Django's own statements run.

After that flush, the rows the migrations made (groups, permissions, content types…) are put back
from the snapshot taken when the test database was created (``serialized_rollback``). Django saves
them one by one: an UPDATE then an INSERT per row, a DELETE then an INSERT per many-to-many link,
about 1,400 round trips, 0.4 s for every browser test here. They go back with one INSERT per table
(and batch) instead, as they were saved (``raw``: no ``auto_now``, no signal, as ``loaddata``).
"""

from collections import defaultdict
from io import StringIO

from django.core import serializers
from django.db import transaction
from django.db.backends.postgresql import base, creation, operations
from django.db.models.constants import OnConflict

from tests.helpers import insert_rows


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]


class DatabaseCreation(creation.DatabaseCreation):
    def deserialize_db_from_string(self, data):
        """Django's, with one INSERT per table and batch (see the module's docstring).

        As Django's ``save()`` of each row, a row whose id is already there is overwritten (the
        first transactional test finds the migrations' rows in place), and an object's
        many-to-many links become those of the snapshot.
        """
        using = self.connection.alias
        rows = defaultdict(list)  # {model: [instance, …]}
        links = defaultdict(lambda: ([], []))  # {(through, source field): ([source ids], [link, …])}
        for deserialized in serializers.deserialize("json", StringIO(data), using=using):
            instance = deserialized.object
            rows[type(instance)].append(instance)
            for name, values in (deserialized.m2m_data or {}).items():
                field = instance._meta.get_field(name)
                through = field.remote_field.through
                source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
                sources, instances = links[through, source]
                sources.append(instance.pk)
                instances.extend(through(**{f"{source}_id": instance.pk, f"{target}_id": value}) for value in values)
        with transaction.atomic(using=using):
            for model, instances in rows.items():
                pk = model._meta.pk
                others = [field for field in model._meta.local_concrete_fields if field is not pk]
                upsert = (
                    {"on_conflict": OnConflict.UPDATE, "unique_fields": [pk], "update_fields": others}
                    if others
                    else {"on_conflict": OnConflict.IGNORE}
                )
                insert_rows(model, instances, [pk, *others], using, **upsert)
            for (through, source), (sources, instances) in links.items():
                through._base_manager.using(using).filter(**{f"{source}_id__in": sources}).delete()
                # A link's own id is numbered by its table.
                fields = [field for field in through._meta.local_concrete_fields if not field.primary_key]
                insert_rows(through, instances, fields, using)
            self.connection.check_constraints(
                table_names={model._meta.db_table for model in [*rows, *(through for through, _ in links)]}
            )


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
    ops_class = DatabaseOperations
