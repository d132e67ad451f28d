"""Synonyms kept by the editors and the vocabulary of the spelling suggestions (core/synonyms.py)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from core.migration_helpers import postgres_only_sql

# Spelling suggestions compare a typed word with the vocabulary through pg_trgm (core/search.py):
# a trigram index serves both its similarity operator (%) and the LIKE 'word%' of known words.
TRIGRAMS = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS core_searchword_trgm ON core_searchword USING gin (word gin_trgm_ops);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_site_settings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "word",
                    models.CharField(
                        help_text="En minuscules, sans accents.",
                        max_length=60,
                        primary_key=True,
                        serialize=False,
                        verbose_name="mot",
                    ),
                ),
                ("display", models.CharField(blank=True, max_length=60, verbose_name="mot tel qu’il s’écrit")),
            ],
            options={
                "verbose_name": "mot du vocabulaire de la recherche",
                "verbose_name_plural": "mots du vocabulaire de la recherche",
                "ordering": ["word"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalSynonym",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "term",
                    models.CharField(
                        db_index=True,
                        help_text="Par exemple « docteur » ou « personnes âgées ». Majuscules et accents sont sans importance.",
                        max_length=100,
                        verbose_name="mot ou expression tapé par les habitants",
                    ),
                ),
                (
                    "equivalents",
                    models.CharField(
                        help_text="Les mots employés sur le site, séparés par des virgules : « médecin » ou « psychologue, psychique ». Une recherche du premier mot trouve aussi les pages qui contiennent l’un de ceux-ci.",
                        max_length=300,
                        verbose_name="se cherche aussi avec",
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="créé le")),
                ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="modifié le")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historique : synonyme de la recherche",
                "verbose_name_plural": "historique : synonymes de la recherche",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Synonym",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "term",
                    models.CharField(
                        help_text="Par exemple « docteur » ou « personnes âgées ». Majuscules et accents sont sans importance.",
                        max_length=100,
                        unique=True,
                        verbose_name="mot ou expression tapé par les habitants",
                    ),
                ),
                (
                    "equivalents",
                    models.CharField(
                        help_text="Les mots employés sur le site, séparés par des virgules : « médecin » ou « psychologue, psychique ». Une recherche du premier mot trouve aussi les pages qui contiennent l’un de ceux-ci.",
                        max_length=300,
                        verbose_name="se cherche aussi avec",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créé le")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="modifié le")),
            ],
            options={
                "verbose_name": "synonyme de la recherche",
                "verbose_name_plural": "synonymes de la recherche",
                "ordering": ["term"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("term", ""), _negated=True),
                        name="synonym_term_not_empty",
                        violation_error_message="Indiquez le mot ou l’expression tapé par les habitants.",
                    )
                ],
            },
        ),
        postgres_only_sql(TRIGRAMS, "DROP INDEX IF EXISTS core_searchword_trgm;"),
    ]
