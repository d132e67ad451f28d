"""An action without a contact of its own gives the CCAS's name and phone from the site's settings.

Issue 11 § 6: the loader used to copy the CCAS's name and phone into every action's contact, so
a new number in « Réglages du site » left the old one on every action page.
"""

import importlib

import pytest
from django.apps import apps

from core.site_settings import SiteSettings
from tests.actions.factories import ActionFactory
from tests.helpers import squash

pytestmark = pytest.mark.django_db


def test_the_action_page_follows_the_settings_phone(client, django_capture_on_commit_callbacks):
    action = ActionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        SiteSettings(ccas_name="Service Prévention-Santé du CCAS de Créteil", ccas_phone="01 49 80 88 68").save()
    assert "Contact Service Prévention-Santé du CCAS de Créteil Téléphone : 01 49 80 88 68" in squash(
        client.get(action.get_absolute_url()).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        row = SiteSettings.objects.get()
        row.ccas_phone = "01 43 99 12 34"
        row.save()
    body = squash(client.get(action.get_absolute_url()).content.decode())
    assert "Contact Service Prévention-Santé du CCAS de Créteil Téléphone : 01 43 99 12 34" in body
    assert "01 49 80 88 68" not in body


def test_the_migration_empties_only_the_loaded_copy_of_the_ccas_contact():
    migration = importlib.import_module("actions.migrations.0010_ccas_contact_from_site_settings")
    copied = ActionFactory(contact_name=migration.LOADED_NAME, contact_phone="01 49 80 88 68")
    own = ActionFactory(contact_name="Association Les Amis", contact_phone="01 45 17 00 00")
    with_email = ActionFactory(
        contact_name=migration.LOADED_NAME, contact_phone="01 49 80 88 68", contact_email="ccas@example.org"
    )

    migration.forwards(apps, None)

    for action in (copied, own, with_email):
        action.refresh_from_db()
    assert (copied.contact_name, copied.contact_phone) == ("", "")
    assert (own.contact_name, own.contact_phone) == ("Association Les Amis", "01 45 17 00 00")
    assert with_email.contact_phone == "01 49 80 88 68"
