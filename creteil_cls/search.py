"""What the site-wide search (/recherche/) looks in, kind by kind, and how the kinds are ordered.

Every kind a resident may look for: the site's own pages (the mutuelle's three pages above all,
as fixed entries with the words people use for them), actions, upcoming events, themes,
audiences and quartiers (each leads to the actions list filtered by it), partners and places.
Each result has a score from core.search.score_parts, comparable from one kind to another: the
groups are ordered by their best result, so the first result shown is the best one. A bounded
number of SQL queries whatever the amount of content: one per kind of row (actions, events,
partners, places), and one more for a word that no text contains (spelling suggestions). The
synonyms, the vocabulary and the themes, audiences and quartiers are kept in the process while
no content changes (``core.cache.kept_for_generation``): one query each after a change.
"""

import functools
from dataclasses import dataclass, field

from django.db.models import Value
from django.urls import reverse

from actions.models import Action, Audience, Neighbourhood, Theme
from core.cache import kept_for_generation
from core.search import parse_query, score_parts
from core.words import normalize
from events.models import Event, Place
from partners.models import Partner

# Ten of each kind at most: enough to choose from on a phone; « précisez votre recherche » beyond.
RESULTS_PER_SECTION = 10
# How much a match counts for each kind: an action is a fuller answer than one of its dated
# events, and a theme's list of actions comes after the actions that match themselves.
KIND_FACTORS = {"pages": 1.0, "actions": 1.0, "events": 0.95, "taxonomies": 0.7, "partners": 0.9, "places": 0.9}


@dataclass
class Result:
    title: str
    url: str
    score: float
    summary: str = ""
    detail: str = ""  # « Thème », « Public »…
    obj: object = None  # the row, for what its kind's template shows (an event's date and place)


@dataclass
class Section:
    key: str
    title: str
    results: list = field(default_factory=list)
    truncated: bool = False

    @property
    def best(self):
        return self.results[0].score if self.results else 0.0

    @property
    def count(self):
        return len(self.results)


# The site's own pages a resident may look for, with the words people use for them.
SITE_PAGES = [
    {
        "title": "La mutuelle communale",
        "view": "mutuelle:home",
        "keywords": "mutuelle complémentaire santé assurance santé remboursement tarifs prix formules Just",
        "summary": "Une complémentaire santé à prix réduit pour les habitants de Créteil : pour qui, les "
        "garanties, les prix par âge, les permanences.",
    },
    {
        "title": "Mutuelle ou complémentaire santé solidaire : ce qui vous correspond",
        "view": "mutuelle:eligibility",
        "keywords": "éligibilité droits revenus plafonds CSS complémentaire santé solidaire gratuite "
        "mutuelle simulation calcul",
        "summary": "Quelques questions sur votre foyer et vos revenus pour savoir si vous avez droit à la "
        "complémentaire santé solidaire ou à la mutuelle communale.",
    },
    {
        "title": "Demander la mutuelle communale",
        "view": "mutuelle:request",
        "keywords": "demande adhésion inscription formulaire rappel conseiller mutuelle",
        "summary": "Laissez vos coordonnées : un conseiller vous rappelle pour vous présenter la mutuelle communale.",
    },
    {
        "title": "Contacter le CCAS Prévention-Santé",
        "view": "contact",
        "keywords": "contact téléphone appeler adresse CCAS prévention santé horaires",
        "summary": "Une question sur la santé à Créteil ? Le service Prévention-Santé du CCAS vous répond.",
    },
    {
        "title": "L’agenda",
        "view": "events:list",
        "keywords": "agenda événements dates calendrier ateliers rencontres permanences",
        "summary": "Les prochains ateliers, rencontres et permanences près de chez vous.",
    },
    {
        "title": "Le contrat local de santé",
        "view": "about",
        "keywords": "CLS contrat local santé axes objectifs signataires",
        "summary": "Ce qu’est le contrat local de santé de Créteil, ses objectifs et ses cinq axes.",
    },
]


@functools.cache
def _site_page_parts():
    """The weighted texts of each site page, normalised once for the process (they are constants)."""
    return [
        [("A", normalize(page["title"])), ("B", normalize(page["keywords"])), ("C", normalize(page["summary"]))]
        for page in SITE_PAGES
    ]


def _page_results(parsed):
    results = []
    for page, parts in zip(SITE_PAGES, _site_page_parts(), strict=True):
        score = score_parts(parts, parsed) * KIND_FACTORS["pages"]
        if score:
            results.append(Result(page["title"], reverse(page["view"]), score, summary=page["summary"]))
    return results


TAXONOMIES = {
    "theme": ("Thème", "Les actions du thème « {} »."),
    "public": ("Public", "Les actions pour le public « {} »."),
    "quartier": ("Quartier", "Les actions dans le quartier « {} »."),
}
TAXONOMIES_KEY = "search-taxonomies"


def _read_taxonomies():
    """(parameter, name, slug, weighted normalised texts) of every theme, audience and quartier: one query."""
    rows = (
        Theme.objects.order_by()
        .annotate(kind=Value("theme"), text=Value(""))
        .values_list("kind", "name", "slug", "text")
        .union(
            Audience.objects.order_by()
            .annotate(kind=Value("public"), text=Value(""))
            .values_list("kind", "name", "slug", "text"),
            Neighbourhood.objects.order_by()
            .annotate(kind=Value("quartier"))
            .values_list("kind", "name", "slug", "description"),
            all=True,
        )
    )
    return [
        (parameter, name, slug, [("A", normalize(name)), ("C", normalize(description))])
        for parameter, name, slug, description in rows
    ]


def _taxonomy_results(parsed):
    """Themes, audiences and quartiers (short lists, kept while no content changes), each leading to
    the actions filtered by it."""
    actions = reverse("actions:list")
    results = []
    for parameter, name, slug, parts in kept_for_generation(TAXONOMIES_KEY, _read_taxonomies, section="actions"):
        score = score_parts(parts, parsed) * KIND_FACTORS["taxonomies"]
        if score:
            label, summary = TAXONOMIES[parameter]
            results.append(Result(name, f"{actions}?{parameter}={slug}", score, summary.format(name), label))
    return results


# A slug that no URL of the site holds, to cut the address of a detail page around it.
SLUG_MARKER = "slug-de-la-recherche"


def slug_urls(viewname):
    """slug → the address of ``viewname`` (``<slug:slug>``) for it, as ``reverse()`` writes it, with
    one ``reverse()`` for every row of a kind (a search shows up to 40 rows)."""
    head, tail = reverse(viewname, kwargs={"slug": SLUG_MARKER}).split(SLUG_MARKER)
    return lambda slug: f"{head}{slug}{tail}"


def _row_results(queryset, parsed, kind, viewname):
    """The best rows of a kind; ``queryset`` loads only what ``ranked()`` and the results show."""
    url_of = slug_urls(viewname)
    results = []
    for row in queryset.ranked(parsed, RESULTS_PER_SECTION + 1):
        summary = getattr(row, "summary", "") or getattr(row, "description", "") or getattr(row, "address", "")
        score = row.search_score * KIND_FACTORS[kind]
        results.append(Result(str(row), url_of(row.slug), score, summary, obj=row))
    return results


def search_sections(query):
    """The search's results, kind by kind, best group first (``parsed`` also says what was understood)."""
    parsed = parse_query(query)
    if not parsed:
        return parsed, []
    # Only the fields that the scoring (search_text, an action's status, an event's date) and the
    # results (title, address, summary, an event's place) read: the rows' long texts stay in the database.
    actions = Action.objects.published().only("search_text", "title", "slug", "summary", "status")
    events = (
        Event.objects.published()
        .upcoming()
        .select_related("place")
        .only("search_text", "title", "slug", "start", "description", "place__name")
    )
    partners = Partner.objects.published().only("search_text", "name", "acronym", "slug", "description", "address")
    places = Place.objects.published().only("search_text", "name", "slug", "description", "address")
    sections = [
        Section("pages", "Pages du site", _page_results(parsed)),
        Section("actions", "Actions", _row_results(actions, parsed, "actions", "actions:detail")),
        Section("events", "Événements à venir", _row_results(events, parsed, "events", "events:detail")),
        Section("taxonomies", "Thèmes, publics et quartiers", _taxonomy_results(parsed)),
        Section("partners", "Partenaires", _row_results(partners, parsed, "partners", "partners:detail")),
        Section("places", "Lieux", _row_results(places, parsed, "places", "events:place")),
    ]
    order = {section.key: position for position, section in enumerate(sections)}
    for section in sections:
        section.results.sort(key=lambda result: -result.score)
        section.truncated = len(section.results) > RESULTS_PER_SECTION
        del section.results[RESULTS_PER_SECTION:]
    sections = [section for section in sections if section.results]
    sections.sort(key=lambda section: (-section.best, order[section.key]))
    return parsed, sections
