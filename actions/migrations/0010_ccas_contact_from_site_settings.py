"""Actions no longer carry a copy of the CCAS's name and phone as their contact.

``load_cls_content`` gave every action « CCAS de Créteil, service Prévention-Santé » and the CCAS
phone as its contact; the action's page now shows, for an action without a contact of its own,
the name and phone of the site's settings. Only that exact copy is emptied (same name, the CCAS
phone however it is spaced, no e-mail): a contact an editor wrote stays as it is.
No history row is written (a migration has no editor).
"""

import re

from django.conf import settings
from django.db import migrations

LOADED_NAME = "CCAS de Créteil, service Prévention-Santé"


def digits(phone):
    number = re.sub(r"\D", "", str(phone or ""))
    if number.startswith("33") and len(number) == 11:
        number = "0" + number[2:]
    return number


def forwards(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    phones = {digits(settings.CCAS_PHONE)}
    row = apps.get_model("core", "SiteSettings").objects.filter(pk=1).first()
    if row is not None and row.ccas_phone:
        phones.add(digits(row.ccas_phone))
    copied = [
        pk
        for pk, phone in Action.objects.filter(contact_name=LOADED_NAME, contact_email="").values_list(
            "pk", "contact_phone"
        )
        if digits(phone) in phones
    ]
    Action.objects.filter(pk__in=copied).update(contact_name="", contact_phone="")


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0009_action_contact_help"),
        ("core", "0004_site_settings"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
