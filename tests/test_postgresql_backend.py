"""The test suite's PostgreSQL backend (tests/postgresql_backend) leaves the database as Django's own would."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.backends.base.creation import BaseDatabaseCreation

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def table_contents():
    """Every table's rows; a many-to-many link without its own id, which its table numbers."""
    contents = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        fields = [
            field.attname
            for field in model._meta.local_concrete_fields
            if not (model._meta.auto_created and field.primary_key)
        ]
        contents[model._meta.label] = sorted(model._base_manager.order_by().values_list(*fields))
    return contents


def empty_tables():
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True, reset_sequences=False)


def test_the_migrations_rows_come_back_as_djangos_own_reload_puts_them():
    if connection.vendor != "postgresql":
        pytest.skip("le moteur de test propre à PostgreSQL")
    snapshot = connection._test_serialized_contents
    assert '"model": "auth.group"' in snapshot  # the staff groups and their permissions: links too

    empty_tables()
    BaseDatabaseCreation.deserialize_db_from_string(connection.creation, snapshot)
    by_django = table_contents()
    assert by_django["auth.Group_permissions"]

    empty_tables()
    connection.creation.deserialize_db_from_string(snapshot)
    assert table_contents() == by_django

    # Over the rows already there (the first transactional test finds the migrations' rows in
    # place), with one of them changed and a link removed: overwritten, as Django's save() does.
    from django.contrib.auth.models import Group

    group = Group.objects.order_by("pk").first()
    Group.objects.filter(pk=group.pk).update(name="renommé")
    group.permissions.remove(group.permissions.order_by("pk").first())
    connection.creation.deserialize_db_from_string(snapshot)
    assert table_contents() == by_django
