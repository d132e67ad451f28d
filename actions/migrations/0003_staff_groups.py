from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Rédaction"
MUTUELLE = "Mutuelle"
CONTENT_MODELS = {
    "partners": ["partner"],
    "actions": ["axis", "objective", "theme", "audience", "neighbourhood", "action"],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; create them now so they can be granted.
    # The historical app registry's configs have no models_module: mark them for the call.
    for app_label in CONTENT_MODELS:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    Group.objects.get_or_create(name=MUTUELLE)
    for app_label, model_names in CONTENT_MODELS.items():
        editors.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label,
                content_type__model__in=[*model_names, *(f"historical{name}" for name in model_names)],
            )
        )


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITORS, MUTUELLE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0002_search_and_axes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
