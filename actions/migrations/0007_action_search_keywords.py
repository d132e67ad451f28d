"""Keywords that editors give an action for the search (not shown on the site)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0006_action_ordering_stable"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="keywords",
            field=models.CharField(
                blank=True,
                help_text="Des mots que les habitants peuvent taper pour trouver cette action sans qu’ils soient dans le texte, séparés par des virgules (par exemple « dentiste, caries »). Non affichés.",
                max_length=300,
                verbose_name="mots-clés de la recherche",
            ),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="keywords",
            field=models.CharField(
                blank=True,
                help_text="Des mots que les habitants peuvent taper pour trouver cette action sans qu’ils soient dans le texte, séparés par des virgules (par exemple « dentiste, caries »). Non affichés.",
                max_length=300,
                verbose_name="mots-clés de la recherche",
            ),
        ),
    ]
