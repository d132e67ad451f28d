"""The words of the search that the editors keep, and the vocabulary of the spelling suggestions.

``Synonym``: what residents type (« docteur », « personnes âgées ») and the words the portal's
texts use for it (« médecin », « seniors »). Kept by the editors in the admin; a starting list is
loaded by ``load_cls_content`` (core/content.py).

``SearchWord``: every word of the searchable texts (titles, names, keywords, descriptions), in
lower case without accents. The search compares a word that no text contains with it to offer
« Vouliez-vous dire … ? »: on PostgreSQL through ``pg_trgm`` (a trigram index on the column), on
SQLite with ``difflib``. It grows when content is saved and is rebuilt by ``load_cls_content``.
"""

from django.core.exceptions import ValidationError
from django.db import models

from core.history import FrenchHistoricalRecords as HistoricalRecords
from core.words import normalize, vocabulary_words

SEPARATOR = ","


class Synonym(models.Model):
    grammatical_gender = "m"
    term = models.CharField(
        "mot ou expression tapé par les habitants",
        max_length=100,
        unique=True,
        help_text="Par exemple « docteur » ou « personnes âgées ». Majuscules et accents sont sans importance.",
    )
    equivalents = models.CharField(
        "se cherche aussi avec",
        max_length=300,
        help_text="Les mots employés sur le site, séparés par des virgules : « médecin » ou "
        "« psychologue, psychique ». Une recherche du premier mot trouve aussi les pages qui "
        "contiennent l’un de ceux-ci.",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "synonyme de la recherche"
        verbose_name_plural = "synonymes de la recherche"
        ordering = ["term"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(term=""),
                name="synonym_term_not_empty",
                violation_error_message="Indiquez le mot ou l’expression tapé par les habitants.",
            ),
        ]

    def __str__(self):
        return f"{self.term} → {self.equivalents}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # « vacin » is then corrected to « vaccin », which the synonym leads to « vaccination ».
        add_to_vocabulary([self.term, self.equivalents])

    def equivalent_list(self):
        return [word.strip() for word in self.equivalents.split(SEPARATOR) if word.strip()]

    def clean(self):
        if not normalize(self.term):
            raise ValidationError({"term": "Ce mot ne contient aucune lettre."})
        if not any(normalize(word) for word in self.equivalent_list()):
            raise ValidationError({"equivalents": "Indiquez au moins un mot employé sur le site."})
        if normalize(self.term) in {normalize(word) for word in self.equivalent_list()}:
            raise ValidationError({"equivalents": "Un mot ne peut pas être son propre synonyme."})


class SearchWord(models.Model):
    grammatical_gender = "m"
    word = models.CharField("mot", max_length=60, primary_key=True, help_text="En minuscules, sans accents.")
    display = models.CharField("mot tel qu’il s’écrit", max_length=60, blank=True)

    class Meta:
        verbose_name = "mot du vocabulaire de la recherche"
        verbose_name_plural = "mots du vocabulaire de la recherche"
        ordering = ["word"]

    def __str__(self):
        return self.word


def add_to_vocabulary(texts):
    """Adds the words of ``texts`` to the vocabulary of the spelling suggestions (never twice)."""
    words = vocabulary_words(texts)
    if words:
        SearchWord.objects.bulk_create(
            [SearchWord(word=word, display=display) for word, display in words.items()],
            ignore_conflicts=True,
            batch_size=1000,
        )
