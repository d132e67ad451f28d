"""Helpers for migrations: full-text search on PostgreSQL, group permissions, editors’ texts as HTML, images."""

from django.core.files.images import get_image_dimensions
from django.db import migrations

CREATE_SEARCH_CONFIG = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION french_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    END IF;
END
$$;
"""


def postgres_only_sql(sql, reverse_sql=None):
    """A RunPython operation that runs ``sql`` on PostgreSQL and does nothing elsewhere."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    def backwards(apps, schema_editor):
        if reverse_sql and schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(reverse_sql)

    return migrations.RunPython(forwards, backwards, elidable=False)


def search_index(table):
    """The GIN index on a table's stored search vector (PostgreSQL only)."""
    name = f"{table}_search_gin"
    return postgres_only_sql(
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_vector);",
        f"DROP INDEX IF EXISTS {name};",
    )


def postgres_index(name, table, definition):
    """A PostgreSQL-only index (partial, covering…) that Django's portable indexes cannot express
    everywhere: ``definition`` follows ``ON table`` (``"(id) INCLUDE (publish_at) WHERE published"``).

    The public lists count and read the published rows (core/publication.py): in a narrow index of
    those rows PostgreSQL answers from the index alone, where it read the whole table, whose rows
    are wide (the search vector is kept in the row, below). EXPLAIN figures: docs/performances.md.
    """
    return postgres_only_sql(
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition};",
        f"DROP INDEX IF EXISTS {name};",
    )


def search_vector_in_row(table):
    """Keep a table's search vector in its row, compressed (PostgreSQL's ``MAIN`` storage), rather
    than in the table's TOAST (PostgreSQL only).

    A search for a frequent word reads the matching rows one after the other, up to a few hundred
    (core/search.py, ``POSTGRES_CANDIDATES``): each vector is then read with its row instead of
    being fetched from the TOAST table, about ten times less work. The existing vectors are
    rewritten once to take the new storage (``|| ''`` makes a new value of the same vector).
    """
    rewrite = f"UPDATE {table} SET search_vector = search_vector || ''::tsvector WHERE search_vector IS NOT NULL;"  # noqa: S608
    return postgres_only_sql(
        f"ALTER TABLE {table} ALTER COLUMN search_vector SET STORAGE MAIN; {rewrite}",
        f"ALTER TABLE {table} ALTER COLUMN search_vector SET STORAGE EXTENDED;",
    )


def grant_group_permissions(group_name, app_label, model_names):
    """A RunPython operation giving a staff group every permission on some models and their history."""

    def forwards(apps, schema_editor):
        from django.contrib.auth.management import create_permissions

        # Permissions are normally created after migrate; the historical app registry's configs
        # have no models_module, so mark the one we need for the call.
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
        group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=group_name)
        group.permissions.add(
            *apps.get_model("auth", "Permission").objects.filter(
                content_type__app_label=app_label,
                content_type__model__in=[*model_names, *(f"historical{name}" for name in model_names)],
            )
        )

    return migrations.RunPython(forwards, migrations.RunPython.noop)


def convert_rich_texts(apps, app_label, fields_by_model):
    """Store :func:`core.rich_text.stored_html` of the editors' long texts typed before the editor.

    Plain text with blank lines becomes the paragraphs the page already showed, so that the
    rich-text editor opens them as they read (it would join them into one paragraph otherwise);
    the page's HTML stays the same. Rows are updated in place: no new version in the history, no
    « modifié le » changed, for a change of storage that no one made.
    """
    from core.rich_text import stored_html

    for model_name, fields in fields_by_model.items():
        manager = apps.get_model(app_label, model_name)._base_manager
        for row in manager.values("pk", *fields).iterator():
            changes = {name: stored_html(row[name]) for name in fields if row[name]}
            changes = {name: value for name, value in changes.items() if value != row[name]}
            if changes:
                manager.filter(pk=row["pk"]).update(**changes)


def rich_texts_as_html(app_label, fields_by_model):
    """A RunPython operation running :func:`convert_rich_texts` (nothing to undo: HTML reads the same)."""

    def forwards(apps, schema_editor):
        convert_rich_texts(apps, app_label, fields_by_model)

    operation = migrations.RunPython(forwards, migrations.RunPython.noop)
    operation.rich_text_fields = {app_label: fields_by_model}  # for the test that every field is converted
    return operation


def image_dimensions_and_renditions(app_label, model_name, field_name):
    """A RunPython operation: the width and height fields and the renditions of the images stored so far.

    For each row with an image: its width and height fields filled from the stored file, and its
    renditions made (core/images.py). A file missing from the storage is skipped: its page shows
    the image as before.
    """

    def forwards(apps, schema_editor):
        from core.images import make_renditions

        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(field_name)
        rows = model._base_manager.exclude(**{field_name: ""}).exclude(**{f"{field_name}__isnull": True})
        for pk, name in rows.values_list("pk", field_name).iterator():
            try:
                with field.storage.open(name, "rb") as file:
                    width, height = get_image_dimensions(file)
                make_renditions(field.storage, name)
            except (OSError, ValueError):
                continue
            model._base_manager.filter(pk=pk).update(**{field.width_field: width, field.height_field: height})

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)
