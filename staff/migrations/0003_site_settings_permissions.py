"""The editors (« Rédaction ») keep the site's settings: they see and change the one row, never delete it.

Add is granted too, for a site whose row was never created (the admin allows it only then).
"""

from django.db import migrations

CODENAMES = ["view_sitesettings", "add_sitesettings", "change_sitesettings", "view_historicalsitesettings"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; the historical app config needs marking.
    app_config = apps.get_app_config("core")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name="Rédaction")
    group.permissions.add(
        *apps.get_model("auth", "Permission").objects.filter(content_type__app_label="core", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name="Rédaction").first()
    if group is not None:
        group.permissions.remove(
            *apps.get_model("auth", "Permission").objects.filter(content_type__app_label="core", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_glossary"),
        ("core", "0004_site_settings"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
