"""Full-text search shared by every searchable model (partners, actions, events).

On PostgreSQL each row keeps a weighted ``tsvector`` built with the ``french_unaccent``
text search configuration (French stemming over ``unaccent``, created by a migration of
the ``partners`` app) and indexed with GIN: accents, case and plurals are ignored and
results are ranked. Elsewhere (SQLite on a fresh machine) a normalised copy of the text
(lower case, no accents) is matched word by word, so the search still ignores case and
accents, and a naive French plural rule strips a final « s » or « x ».
"""

import html
import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connection, models
from django.db.models import F, Value
from django.utils.html import strip_tags

SEARCH_CONFIG = "french_unaccent"
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 10


def normalize(text):
    """Lower case, accents removed, punctuation turned into spaces."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.findall(r"\w+", text.lower()))


def clean_query(query):
    """The words of a visitor's query, bounded in length and count."""
    query = (query or "").replace("\x00", "")[:MAX_QUERY_LENGTH]
    return query.strip()


def _stem(word):
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word


def uses_postgres_search():
    return connection.vendor == "postgresql"


class SearchableQuerySet(models.QuerySet):
    def search(self, query):
        """Rows matching every word of ``query``, best first (annotated with ``rank``)."""
        query = clean_query(query)
        words = normalize(query).split()[:MAX_QUERY_WORDS]
        if not words:
            return self.none()
        if uses_postgres_search():
            search_query = SearchQuery(" ".join(words), config=SEARCH_CONFIG, search_type="plain")
            return (
                self.filter(search_vector=search_query)
                .annotate(rank=SearchRank(F("search_vector"), search_query))
                .order_by("-rank", *self.model._meta.ordering)
            )
        queryset = self
        for word in words:
            queryset = queryset.filter(search_text__contains=_stem(word))
        return queryset.annotate(rank=Value(1.0, output_field=models.FloatField()))


class SearchableModel(models.Model):
    """Abstract base: ``search_fields`` maps a text field to its weight (A is highest)."""

    search_fields = {}

    search_text = models.TextField("texte indexé", blank=True, editable=False)
    search_vector = SearchVectorField("vecteur de recherche", null=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_text = normalize(self.get_search_text())
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)
        if uses_postgres_search():
            type(self).refresh_search_vectors(type(self)._base_manager.filter(pk=self.pk))

    def get_search_text(self):
        # Editors' texts may hold a little HTML (|rich_text): its tags are not words to find.
        # (PostgreSQL's parser already skips tags when it builds the vector.)
        text = " ".join(str(getattr(self, name) or "") for name in self.search_fields)
        return html.unescape(strip_tags(text))

    @classmethod
    def search_vector_expression(cls):
        vectors = [
            SearchVector(name, weight=weight, config=SEARCH_CONFIG) for name, weight in cls.search_fields.items()
        ]
        expression = vectors[0]
        for vector in vectors[1:]:
            expression = expression + vector
        return expression

    @classmethod
    def refresh_search_vectors(cls, queryset=None):
        """Rebuild the stored vectors (after bulk writes that bypass ``save()``)."""
        queryset = cls._base_manager.all() if queryset is None else queryset
        if uses_postgres_search():
            queryset.update(search_vector=cls.search_vector_expression())
        else:
            for obj in queryset.only("pk", *cls.search_fields):
                queryset.model._base_manager.filter(pk=obj.pk).update(search_text=normalize(obj.get_search_text()))
