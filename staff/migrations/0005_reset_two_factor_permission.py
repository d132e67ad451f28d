"""The permission « Peut réinitialiser la double authentification d’un compte » (staff/accounts.py).

Given to nobody: a superuser has it; the administrator gives it to the person who helps the
agents with a lost phone, if that person is not a superuser. Django's own permissions belong to
a model's ``Meta``; the account model is Django's, so this one is created here, on its type.
"""

from django.conf import settings
from django.db import migrations

CODENAME = "reset_two_factor"
NAME = "Peut réinitialiser la double authentification d’un compte"


def user_content_type(apps):
    app_label, model = settings.AUTH_USER_MODEL.lower().split(".")
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label=app_label, model=model
    )
    return content_type


def create_permission(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.update_or_create(
        content_type=user_content_type(apps), codename=CODENAME, defaults={"name": NAME}
    )


def delete_permission(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type=user_content_type(apps), codename=CODENAME
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0004_search_synonyms"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_permission, delete_permission)]
