"""The portal's initial content (``load_cls_content``) for tests, loaded for real once, then copied.

Many tests start from the initial content. The command costs a second or two (about 3,300 queries:
get-or-create of every row, its history, its search texts); the rows it adds to a database in
its migrated state are always the same on a given day. So the first load in a test process is
the real command, and the rows it added are kept in memory; the next loads insert those very rows
again (a few dozen queries, no signal, like ``loaddata``: 0.05 s of CPU instead of 1.3 s) when
every table the first load read or wrote holds what it found there. Otherwise (a test made rows
of its own there first, another day, rows the command changed rather than added) the real
command runs. The command itself keeps its own tests, which always run it
(tests/actions/test_load_cls_content.py, tests/events/test_content.py, tests/mutuelle/test_offer_admin.py).
"""

import io
from dataclasses import dataclass

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.helpers import insert_rows


@dataclass(frozen=True)
class _Copy:
    day: object  # the day of the real load: the agenda's content depends on it
    before: dict  # {model: {pk: row}} of the tables the real load read or wrote, as it found them
    added: dict  # {model: [row, …]} the rows the real load added
    output: str  # what the command printed


_copies = {}  # {(database alias, database name): _Copy}


def _models():
    """Every model with a table of its own: many-to-many tables and history models included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]


def _fields(model):
    return [field.attname for field in model._meta.local_concrete_fields]


def _rows(model, using):
    fields = _fields(model)
    pk = fields.index(model._meta.pk.attname)
    return {row[pk]: row for row in model._base_manager.using(using).order_by().values_list(*fields)}


def _state(using):
    return {model: _rows(model, using) for model in _models()}


def _same_start(copy, using):
    """True when the tables the real load read or wrote hold exactly the rows it started from."""
    return all(_rows(model, using) == rows for model, rows in copy.before.items())


def _insert(copy, using):
    connection = connections[using]
    with transaction.atomic(using=using):
        for model, rows in copy.added.items():
            names = _fields(model)
            objects = [model(**dict(zip(names, row, strict=True))) for row in rows]
            insert_rows(model, objects, model._meta.local_concrete_fields, using)
        # PostgreSQL's sequences go past the inserted ids (SQLite's AUTOINCREMENT follows by itself).
        statements = connection.ops.sequence_reset_sql(no_style(), list(copy.added))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def _after_insert():
    """What the command's signals do: the site's settings, the glossary's terms and the cached pages read afresh."""
    from core.cache import bump_generation
    from core.glossary import clear_cached_terms
    from core.site_settings import clear_cached_site_settings

    clear_cached_site_settings()
    clear_cached_terms()
    bump_generation()


def load_initial_content(*, copy_allowed=True):
    """Loads the initial content as ``manage.py load_cls_content`` does; returns what it printed.

    ``copy_allowed=False`` always runs the command (the tests of the command itself).
    """
    using = DEFAULT_DB_ALIAS  # the command loads into the default database
    key = (using, connections[using].settings_dict["NAME"])
    copy = _copies.get(key) if copy_allowed else None
    if copy is not None and copy.day == timezone.localdate() and _same_start(copy, using):
        try:
            _insert(copy, using)
        except IntegrityError:  # the checks above make it unlikely: then the command runs
            pass
        else:
            _after_insert()
            return copy.output
    before = _state(using)
    out = io.StringIO()
    with CaptureQueriesContext(connections[using]) as queries:
        call_command("load_cls_content", stdout=out)
    after = _state(using)
    unchanged = all(after[model].get(pk) == row for model, rows in before.items() for pk, row in rows.items())
    if unchanged:
        added = {
            model: [row for pk, row in after[model].items() if pk not in before[model]]
            for model in _models()
            if len(after[model]) > len(before[model])
        }
        # A table no query of the command named cannot change what it does (staff accounts, sessions…).
        sql = "\n".join(query["sql"] for query in queries)
        used = {model: rows for model, rows in before.items() if f'"{model._meta.db_table}"' in sql}
        _copies[key] = _Copy(day=timezone.localdate(), before=used, added=added, output=out.getvalue())
    return out.getvalue()
