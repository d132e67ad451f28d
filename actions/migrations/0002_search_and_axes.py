from django.db import migrations

from core.migration_helpers import search_index

AXES = [
    (
        1,
        "Accès aux droits et aux soins",
        "acces-aux-droits-et-aux-soins",
        "Connaître ses droits, avoir une complémentaire santé, trouver un médecin.",
    ),
    (
        2,
        "Réduction des vulnérabilités",
        "reduction-des-vulnerabilites",
        "Aller vers les personnes les plus fragiles et les accompagner vers le soin.",
    ),
    (
        3,
        "Santé mentale",
        "sante-mentale",
        "Parler de santé psychique, repérer les difficultés, orienter vers les bons interlocuteurs.",
    ),
    (
        4,
        "Promotion de la santé auprès des habitants",
        "promotion-de-la-sante",
        "Prévention, dépistage et bonnes habitudes, près de chez soi et à tout âge.",
    ),
    (
        5,
        "Santé environnementale",
        "sante-environnementale",
        "Agir sur le cadre de vie : air, logement, bruit, alimentation, espaces verts.",
    ),
]


def create_axes(apps, schema_editor):
    Axis = apps.get_model("actions", "Axis")
    for number, name, slug, summary in AXES:
        Axis.objects.update_or_create(number=number, defaults={"name": name, "slug": slug, "summary": summary})


def delete_axes(apps, schema_editor):
    apps.get_model("actions", "Axis").objects.filter(number__in=[axis[0] for axis in AXES]).delete()


class Migration(migrations.Migration):
    dependencies = [("actions", "0001_initial"), ("partners", "0002_search")]

    operations = [
        search_index("actions_action"),
        migrations.RunPython(create_axes, delete_axes),
    ]
