"""The glossary's « CCAS » entry no longer carries a copy of the CCAS phone.

``load_cls_content`` wrote « … répond aux questions des habitants au 01 49 80 88 68. »; the
glossary page now gives the phone of the site's settings beside the entry. Only that exact text
is changed: a definition an editor rewrote stays as it is.
"""

from django.db import migrations

OLD = (
    "Le service social de la Ville. À Créteil, son service Prévention-Santé anime le contrat "
    "local de santé et répond aux questions des habitants au 01 49 80 88 68."
)
NEW = (
    "Le service social de la Ville. À Créteil, son service Prévention-Santé anime le contrat "
    "local de santé et répond aux questions des habitants."
)


def forwards(apps, schema_editor):
    apps.get_model("core", "GlossaryTerm").objects.filter(slug="ccas", definition=OLD).update(definition=NEW)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_french_names_of_versions_and_page_addresses")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
