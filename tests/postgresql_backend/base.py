"""PostgreSQL for the tests: Django's backend, emptying tables with DELETE rather than TRUNCATE.

A transactional test (browser tests, real commits) ends with a flush of every table. Django's
backend flushes with one ``TRUNCATE`` of the 80-odd tables, which gives each table and index a new
file: 2–3 seconds a flush here, for tables that hold a few rows — most of the time of the
PostgreSQL pass of the suite. ``DELETE`` of those rows takes milliseconds. The foreign keys Django
creates are deferred to the commit, and the flush runs in one transaction, so the order of the
deletions does not matter. When the sequences must be reset too, Django's own statements run.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
