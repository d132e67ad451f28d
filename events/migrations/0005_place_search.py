"""Places are found by the search too (core/search.py); their texts are built by load_cls_content."""

import django.contrib.postgres.search
from django.db import migrations, models

from core.migration_helpers import search_index


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_place_practical_details"),
    ]

    operations = [
        migrations.AddField(
            model_name="place",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="texte indexé"),
        ),
        migrations.AddField(
            model_name="place",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True, verbose_name="vecteur de recherche"
            ),
        ),
        search_index("events_place"),
    ]
