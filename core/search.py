"""The portal's search, shared by every searchable model (partners, actions, events, places).

A query is read the way residents type it (``parse_query``): case, accents and plurals never
matter, small words (« de », « la ») are dropped, an expression the editors gave a synonym for
(« docteur », « personnes âgées », core/synonyms.py) is also searched with the site's words
(« médecin », « seniors »), and a word that no text contains is compared with the vocabulary of
the site for a close one (« vacin » → « vaccin »): it is searched too, and offered as
« Vouliez-vous dire … ? ». Each group of alternatives must match (every word the resident typed
counts); words match at the start of a word (« dent » finds « dentaire »).

Each searchable row keeps ``search_text``: its texts in lower case without accents, one part per
weighted field (``search_fields``: its own fields; ``search_related``: the names of related rows,
« themes__name »), parts separated by `` | ``. On PostgreSQL a weighted ``tsvector`` built from
those parts with the ``french_unaccent`` configuration (French stems over ``unaccent``) and a
GIN index find and rank the rows; on SQLite the parts are matched word by word. Either way the
few best rows are then scored in Python (``score_parts``) with the same weights, so that rows of
different kinds (actions, events, partners, the mutuelle pages…) compare, and both databases
put the same result first.
"""

import bisect
import contextlib
import contextvars
import difflib
import functools
import operator
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connection, models
from django.db.models import F, Func, Q, Value
from django.db.models.expressions import RawSQL

from core.cache import kept_for_generation
from core.rich_text import plain_text
from core.words import STOPWORDS, normalize, strip_accents, words_of

SEARCH_CONFIG = "french_unaccent"
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 10
PART_SEPARATOR = " | "
# What a match in each weighted part is worth (as PostgreSQL's ts_rank weighs D, C, B, A).
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}
TYPED, SYNONYM, CORRECTED = 1.0, 0.9, 0.8
# Spelling suggestions: words of at least this length, close enough (pg_trgm / difflib).
MIN_CORRECTED_LENGTH = 4
TRIGRAM_CUTOFF = 0.45
DIFFLIB_CUTOFF = 0.8
# SQLite scores every matching row in Python: at most this many (a development database).
SQLITE_CANDIDATES = 500
# PostgreSQL ranks at most this many matching rows (the GIN index finds them) before the best
# are scored in Python: a word found in thousands of rows stays fast.
POSTGRES_CANDIDATES = 200
VOCABULARY_LIMIT = 50_000
# On PostgreSQL, words up to this length also match as the start of a longer word.
PREFIX_MAX_LENGTH = 4


def clean_query(query):
    """The words of a visitor's query, bounded in length and count."""
    query = (query or "").replace("\x00", "")[:MAX_QUERY_LENGTH]
    return query.strip()


def singular(word):
    """A naive French singular: « dents » → « dent », « maux » → « mau »."""
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word


def stem(word):
    """The start that a word shares with its plural and feminine forms (« âgées » → « agee »,
    « médicaux » → « medica », « dentaires » → « dentair »): matched at the start of a word."""
    word = singular(word)
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 4 and word.endswith(("al", "au")):
        word = word[:-1]
    return word


def uses_postgres_search():
    return connection.vendor == "postgresql"


# Reading a query ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Alternative:
    """Words that must all match (normalised), and what a match is worth (typed, synonym, corrected)."""

    words: tuple
    factor: float = TYPED

    @functools.cached_property
    def stems(self):
        return tuple(stem(word) for word in self.words)


@dataclass
class ParsedQuery:
    text: str = ""
    groups: list = field(default_factory=list)  # each: the alternatives of one typed word or expression
    suggestion: str = ""  # the query with its corrected words, as the site writes them
    corrections: dict = field(default_factory=dict)  # typed word → the site's word

    def __bool__(self):
        return bool(self.groups)

    @functools.cached_property
    def stems(self):
        """Every stem of every alternative (a tuple, for ``str.startswith``)."""
        return tuple({word_stem for group in self.groups for alt in group for word_stem in alt.stems})

    @property
    def phrase(self):
        """The typed words, normalised, when there are several (a bonus when a title holds them)."""
        typed = [group[0].words for group in self.groups]
        return " ".join(" ".join(words) for words in typed) if len(typed) > 1 else ""


def parse_query(query, *, synonyms=None):
    """``ParsedQuery`` of a visitor's text: at most one SQL query, for a word that no text contains
    (the synonyms and the vocabulary are kept in the process)."""
    if isinstance(query, ParsedQuery):
        return query
    text = clean_query(query)
    tokens = words_of(text.lower())[: MAX_QUERY_WORDS * 2]
    words = [(index, strip_accents(token)) for index, token in enumerate(tokens)]
    words = [(index, word) for index, word in words if word not in STOPWORDS][:MAX_QUERY_WORDS]
    parsed = ParsedQuery(text=text)
    if not words:
        return parsed
    synonyms = synonym_table() if synonyms is None else synonyms
    longest = max((len(key) for key in synonyms), default=1)
    plain = []  # (group, position in tokens, word) of the words no synonym covers: they may be corrected
    position = 0
    while position < len(words):
        for length in range(min(longest, len(words) - position), 0, -1):
            typed = tuple(word for _, word in words[position : position + length])
            key = tuple(stem(word) for word in typed)
            if key in synonyms:
                alternatives = [Alternative(typed)]
                alternatives += [Alternative(other, SYNONYM) for other in synonyms[key] if other != typed]
                parsed.groups.append(alternatives)
                position += length
                break
        else:
            index, word = words[position]
            parsed.groups.append([Alternative((word,))])
            plain.append((len(parsed.groups) - 1, index, word))
            position += 1
    candidates = [word for _, _, word in plain if len(word) >= MIN_CORRECTED_LENGTH and not word.isdigit()]
    corrections = closestwords_of(candidates) if candidates else {}
    if corrections:
        shown = list(tokens)
        for group, index, word in plain:
            if word in corrections:
                corrected, display = corrections[word]
                parsed.groups[group].append(Alternative((corrected,), CORRECTED))
                for equivalent in synonyms.get((stem(corrected),), ()):
                    parsed.groups[group].append(Alternative(equivalent, CORRECTED * SYNONYM))
                parsed.corrections[word] = display
                shown[index] = display
        parsed.suggestion = " ".join(shown)
    return parsed


SYNONYMS_KEY = "search-synonyms"


def synonym_table():
    """{stems of the typed expression: [normalised words of each equivalent]}, from the editors' list.

    Kept in the process for the current content generation (``core.cache.kept_for_generation``):
    a search costs no query for it; a change of the list (a content change) has it read again.
    """
    return kept_for_generation(SYNONYMS_KEY, _read_synonym_table, section="search")


def _read_synonym_table():
    from core.synonyms import SEPARATOR, Synonym

    table = {}
    for term, equivalents in Synonym.objects.order_by("pk").values_list("term", "equivalents"):
        key = tuple(stem(word) for word in normalize(term).split() if word not in STOPWORDS)
        if not key:
            continue
        for equivalent in equivalents.split(SEPARATOR):
            words = tuple(word for word in normalize(equivalent).split() if word not in STOPWORDS)
            if words and words not in table.setdefault(key, []):
                table[key].append(words)
    return table


VOCABULARY_KEY = "search-vocabulary"


@dataclass(frozen=True)
class Vocabulary:
    """The words of the site (normalised) and how the site writes each."""

    display: dict
    ordered: list  # the words in Python's order, for a search by prefix

    def knows(self, typed):
        """A word of the site starts with ``typed`` (« vaccin » and « vaccination ») or is its singular."""
        if singular(typed) in self.display:
            return True
        position = bisect.bisect_left(self.ordered, typed)
        return position < len(self.ordered) and self.ordered[position].startswith(typed)


def _read_vocabulary():
    from core.synonyms import SearchWord

    display = dict(SearchWord.objects.values_list("word", "display")[:VOCABULARY_LIMIT])
    return Vocabulary(display, sorted(display))


def closestwords_of(words):
    """{typed word: (vocabulary word, as the site writes it)} for the words that no text contains.

    A word is known when a word of the site starts with it (« vaccin » and « vaccination ») or
    is its singular: the vocabulary is kept in the process for the current content generation,
    so a query of known words costs no SQL query here. On PostgreSQL one query compares the
    others with the vocabulary through pg_trgm's similarity (a trigram index); elsewhere difflib
    over the vocabulary does it. Both read the database again: a word added without a new content
    generation (a bulk write) is found known there.
    """
    kept = kept_for_generation(VOCABULARY_KEY, _read_vocabulary)
    words = [word for word in dict.fromkeys(words) if not kept.knows(word)]
    found = {}
    if not words:
        return found
    if uses_postgres_search():
        from core.synonyms import SearchWord

        table = SearchWord._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT typed.word, closest.word, closest.display
                FROM unnest(%s::text[], %s::text[]) AS typed(word, singular)
                CROSS JOIN LATERAL (
                    SELECT candidate.word, candidate.display FROM {table} AS candidate
                    WHERE candidate.word %% typed.word AND similarity(candidate.word, typed.word) >= %s
                    ORDER BY similarity(candidate.word, typed.word) DESC, candidate.word
                    LIMIT 1
                ) AS closest
                WHERE NOT EXISTS (
                    SELECT 1 FROM {table} AS known
                    WHERE known.word LIKE typed.word || '%%' OR known.word = typed.singular
                )
                """,  # noqa: S608 (the table name is the model's, the words are parameters)
                [words, [singular(word) for word in words], TRIGRAM_CUTOFF],
            )
            for typed, word, display in cursor.fetchall():
                found[typed] = (word, display or word)
        return found
    vocabulary = _read_vocabulary()
    for typed in words:
        if vocabulary.knows(typed):
            continue
        close = difflib.get_close_matches(typed, vocabulary.display, n=1, cutoff=DIFFLIB_CUTOFF)
        if close:
            found[typed] = (close[0], vocabulary.display[close[0]] or close[0])
    return found


# Matching and scoring ----------------------------------------------------------------------------


def score_parts(parts, parsed):
    """How well weighted texts answer a query, from 0 (a group of words has no match) to about 1.

    ``parts``: [(weight letter, normalised text)]. Each group of the query counts its best match
    (the weight of the part times what the alternative is worth); the mean of the groups, plus a
    little when the best part holds the typed words in a row, or when most of it is the query.
    Words match by their start (`` dent`` in `` dentaire``): the texts are padded with spaces.
    """
    padded = [(WEIGHTS[weight], f" {text} ") for weight, text in parts if text]
    if not parsed.groups or not padded:
        return 0.0
    total = 0.0
    for group in parsed.groups:
        best = 0.0
        for alternative in group:
            starts = [f" {word_stem}" for word_stem in alternative.stems]
            for weight, text in padded:
                value = weight * alternative.factor
                if value > best and all(start in text for start in starts):
                    best = value
        if not best:
            return 0.0
        total += best
    score = total / len(parsed.groups)
    title = next((text for weight, text in padded if weight == WEIGHTS["A"]), "")
    if title:
        if parsed.phrase and f" {parsed.phrase} " in title:
            score += 0.2
        words = [word for word in title.split() if word not in STOPWORDS]
        stems = parsed.stems
        matched = sum(1 for word in words if word.startswith(stems))
        score += 0.1 * matched / max(len(words), 1)
    return score


def tsquery_text(parsed):
    """The groups as a PostgreSQL ``to_tsquery`` expression: (a | b) & (c), each word a prefix."""

    def alternative(alt):
        # Quoted: a word is letters and digits only, but the quotes keep any of them a plain lexeme.
        # Short words match as the start of longer ones (« dent », « psy »); longer ones by their
        # French stem, which PostgreSQL's statistics know: a word found everywhere is then read
        # without building the whole match list first.
        return (
            "(" + " & ".join(f"'{word}'" + (":*" if len(word) <= PREFIX_MAX_LENGTH else "") for word in alt.words) + ")"
        )

    return " & ".join("(" + " | ".join(alternative(alt) for alt in group) + ")" for group in parsed.groups)


def _search_query(parsed):
    return SearchQuery(tsquery_text(parsed), config=SEARCH_CONFIG, search_type="raw")


class SearchableQuerySet(models.QuerySet):
    def search(self, query):
        """Rows matching ``query`` (a text or a ``ParsedQuery``); on PostgreSQL best first (``rank``)."""
        parsed = parse_query(query)
        if not parsed:
            return self.none()
        if uses_postgres_search():
            search_query = _search_query(parsed)
            return (
                self.filter(search_vector=search_query)
                .annotate(rank=SearchRank(F("search_vector"), search_query))
                .order_by("-rank", *self.model._meta.ordering)
            )
        condition = Q()
        for group in parsed.groups:
            condition &= functools.reduce(
                operator.or_,
                (Q(*(Q(search_text__contains=f" {stem(word)}") for word in alt.words)) for alt in group),
            )
        return self.filter(condition).annotate(rank=Value(1.0, output_field=models.FloatField()))

    def _best_matches(self, parsed, limit):
        """On PostgreSQL: the ``limit`` best rows by rank (then the model's ordering) among at most
        ``POSTGRES_CANDIDATES`` matching rows, which the GIN index finds.

        A word found in thousands of rows stays fast: only a bounded share of them is ranked. The
        ranking reads the candidates' vectors once, in the inner query, and only the ``limit``
        rows found are read whole (the columns the queryset loads): one SQL query.
        """
        search_query = _search_query(parsed)
        # The model's ordering (« -is_signatory », « axis__number »…), carried by the candidates.
        order = ["search_rank DESC"]
        keys = {}
        for position, name in enumerate(self.model._meta.ordering):
            keys[f"search_order_{position}"] = F(name.removeprefix("-"))
            order.append(f"search_order_{position} {'DESC' if name.startswith('-') else 'ASC'}")
        candidates = (
            self.filter(search_vector=search_query)
            .order_by()
            .annotate(search_pk=F("pk"), search_rank=SearchRank(F("search_vector"), search_query), **keys)
            .values("search_pk", "search_rank", *keys)[:POSTGRES_CANDIDATES]
        )
        sql, params = candidates.query.get_compiler(using=self.db).as_sql()
        # The ORM's SQL, wrapped: Django cannot select from a subquery. Every value is a parameter.
        best = RawSQL(  # noqa: S611
            f"SELECT search_pk FROM ({sql}) AS candidates ORDER BY {', '.join(order)} LIMIT %s",  # noqa: S608
            (*params, limit),
        )
        return self.filter(pk__in=best).order_by()  # ranked() sorts them by their score

    def ranked(self, query, limit):
        """The ``limit`` best rows for ``query``, scored in Python (``search_score``), best first.

        One SQL query (plus the queryset's own prefetches): the rows the database finds (on
        PostgreSQL the best by rank), each scored by ``score_parts`` and by its model's
        ``search_boost()``. Only the fields the queryset loads are read (``only()``: the search
        page reads a few; ``search_text`` is always needed).
        """
        parsed = parse_query(query)
        if not parsed:
            return []
        # The vector stays in the database: its text form is long and the scoring reads search_text.
        rows = self.defer("search_vector")
        if uses_postgres_search():
            candidates = list(rows._best_matches(parsed, limit))
        else:
            candidates = list(rows.search(parsed)[:SQLITE_CANDIDATES])
        scored = []
        for obj in candidates:
            score = score_parts(obj.weighted_search_parts(), parsed)
            if not score:
                # A row PostgreSQL matched through a French stem that the Python rule misses
                # (« soins » and « soigner ») keeps a small score rather than being lost.
                if not uses_postgres_search():
                    continue
                score = 0.05
            obj.search_score = score * obj.search_boost()
            scored.append(obj)
        # Equal scores: the same order on both databases (PostgreSQL's rank differs from SQLite's order).
        scored.sort(key=lambda obj: (-round(obj.search_score, 9), obj.search_tiebreak()))
        return scored[:limit]


class SearchableModel(models.Model):
    """Abstract base: ``search_fields`` maps a text field to its weight (A is highest);
    ``search_related`` maps a related lookup (« themes__name ») to its weight."""

    search_fields = {}
    search_related = {}

    search_text = models.TextField("texte indexé", blank=True, editable=False)
    search_vector = SearchVectorField("vecteur de recherche", null=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        raw = self.raw_search_parts()
        self.search_text = search_text_of(raw)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)
        if _defer(type(self)):
            return
        from core.synonyms import add_to_vocabulary

        add_to_vocabulary(raw)
        if uses_postgres_search():
            type(self)._update_vectors(type(self)._base_manager.filter(pk=self.pk))

    @classmethod
    def search_parts(cls):
        """[(name, weight)] in the order of the parts of ``search_text``."""
        return [*cls.search_fields.items(), *cls.search_related.items()]

    def raw_search_parts(self):
        """The text of each part, as written (tags of the editors' rich text removed)."""
        parts = [str(getattr(self, name) or "") for name in self.search_fields]
        parts += [" ".join(self._related_values(path)) for path in self.search_related]
        # Editors' texts are HTML (|rich_text): its tags are not words to find, and two paragraphs
        # or list items the editor writes side by side (``<li>a</li><li>b</li>``) are two words.
        return [plain_text(text) for text in parts]

    def get_search_text(self):
        return " ".join(self.raw_search_parts())

    def _related_values(self, path):
        values = [self]
        for name in path.split("__"):
            following = []
            for value in values:
                try:
                    target = getattr(value, name, None)
                except ValueError:  # the many-to-many relations of a row not saved yet
                    continue
                if isinstance(target, models.Manager):
                    following.extend(target.all())
                elif target is not None:
                    following.append(target)
            values = following
        return [str(value) for value in values if value not in ("", None)]

    def weighted_search_parts(self):
        texts = self.search_text.split(PART_SEPARATOR.strip())
        return [(weight, texts[i].strip()) for i, (_, weight) in enumerate(self.search_parts()) if i < len(texts)]

    def search_boost(self):
        """How much this row's score counts (1: fully; an action that has ended counts less)."""
        return 1.0

    def search_tiebreak(self):
        """Sort key among rows of equal score: the oldest first."""
        return (self.pk,)

    @classmethod
    def search_vector_expression(cls):
        vectors = [
            SearchVector(
                Func(
                    F("search_text"),
                    Value(PART_SEPARATOR.strip()),
                    Value(position),
                    function="split_part",
                    output_field=models.TextField(),
                ),
                weight=weight,
                config=SEARCH_CONFIG,
            )
            for position, (_, weight) in enumerate(cls.search_parts(), start=1)
        ]
        expression = vectors[0]
        for vector in vectors[1:]:
            expression = expression + vector
        return expression

    @classmethod
    def _update_vectors(cls, queryset):
        queryset.update(search_vector=cls.search_vector_expression())

    @classmethod
    def refresh_search_vectors(cls, queryset=None, batch_size=1000):
        """Rebuild the stored texts and vectors (after bulk writes that bypass ``save()``)."""
        if _defer(cls):
            return
        queryset = cls._base_manager.all() if queryset is None else queryset
        prefetch = {path.rsplit("__", 1)[0] for path in cls.search_related if "__" in path}
        rows = queryset.only("pk", *cls.search_fields).prefetch_related(*sorted(prefetch))
        batch = []
        for obj in rows.iterator(chunk_size=batch_size):
            raw = obj.raw_search_parts()
            obj.search_text = search_text_of(raw)
            obj._raw_search_parts = raw
            batch.append(obj)
            if len(batch) >= batch_size:
                _save_texts(cls, batch)
                batch = []
        _save_texts(cls, batch)
        if uses_postgres_search():
            cls._update_vectors(queryset)


# Loading many rows at once (load_cls_content): each model's texts are rebuilt once at the end, not
# at every save and every new relation. Holds the set of models to rebuild while deferred.
_deferred_models = contextvars.ContextVar("deferred_search_models", default=None)


def _defer(model):
    """True (and ``model`` noted for the end) while a ``deferred_search_refresh()`` block runs."""
    deferred = _deferred_models.get()
    if deferred is None:
        return False
    deferred.add(model)
    return True


@contextlib.contextmanager
def deferred_search_refresh():
    """Within the block, saves and relation changes only note which searchable models changed;
    their texts, vectors and vocabulary are rebuilt once when the block ends without error."""
    if _deferred_models.get() is not None:  # already deferred by an outer block
        yield
        return
    models_to_refresh = set()
    token = _deferred_models.set(models_to_refresh)
    try:
        yield
    finally:
        _deferred_models.reset(token)
    for model in sorted(models_to_refresh, key=lambda model: model._meta.label):
        model.refresh_search_vectors()


def search_text_of(raw_parts):
    """The stored text: each part normalised, after a space (words are matched by their start)."""
    return " " + PART_SEPARATOR.join(normalize(text) for text in raw_parts)


def _save_texts(model, objects):
    if objects:
        from core.synonyms import add_to_vocabulary

        model._base_manager.bulk_update(objects, ["search_text"])
        add_to_vocabulary([text for obj in objects for text in obj._raw_search_parts])


# Keeping the texts in step with related rows -----------------------------------------------------


def connect_search_signals():
    """Refresh a row's search text when its related rows change (``search_related``).

    Connected once by ``CoreConfig.ready``: an action gets a theme, a theme is renamed or deleted,
    an event's place is renamed… Found from the models' own declarations, no app named here.
    """
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

    dependants = {}
    for model in apps.get_models():
        if issubclass(model, SearchableModel):
            for path in model.search_related:
                first = path.split("__")[0]
                related = model._meta.get_field(first).related_model
                if (model, first) not in dependants.setdefault(related, []):
                    dependants[related].append((model, first))

    def refresh(model, queryset):
        model.refresh_search_vectors(queryset)

    def on_m2m_changed(sender, instance, action, model, pk_set, **kwargs):
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if isinstance(instance, SearchableModel) and instance.search_related:
            refresh(type(instance), type(instance)._base_manager.filter(pk=instance.pk))
        if pk_set and issubclass(model, SearchableModel) and model.search_related:
            refresh(model, model._base_manager.filter(pk__in=pk_set))

    def on_save(sender, instance, created, raw=False, **kwargs):
        if raw or created:
            return
        for model, lookup in dependants.get(sender, ()):
            refresh(model, model._base_manager.filter(**{lookup: instance}))

    def before_delete(sender, instance, **kwargs):
        instance._search_dependants = [
            (model, list(model._base_manager.filter(**{lookup: instance}).values_list("pk", flat=True)))
            for model, lookup in dependants.get(sender, ())
        ]

    def after_delete(sender, instance, **kwargs):
        for model, pks in getattr(instance, "_search_dependants", ()):
            if pks:
                refresh(model, model._base_manager.filter(pk__in=pks))

    m2m_changed.connect(on_m2m_changed, weak=False, dispatch_uid="core.search.m2m")
    for related in dependants:
        uid = f"core.search.{related._meta.label_lower}"
        post_save.connect(on_save, sender=related, weak=False, dispatch_uid=f"{uid}.save")
        pre_delete.connect(before_delete, sender=related, weak=False, dispatch_uid=f"{uid}.pre_delete")
        post_delete.connect(after_delete, sender=related, weak=False, dispatch_uid=f"{uid}.post_delete")
