"""What the site-wide search (/recherche/) looks in, kind by kind, and how the kinds are ordered.

Every kind a resident may look for: the site's own pages (the mutuelle's three pages above all,
as fixed entries with the words people use for them), actions, upcoming events, themes,
audiences and quartiers (each leads to the actions list filtered by it), partners and places.
Each result has a score from core.search.score_parts, comparable from one kind to another: the
groups are ordered by their best result, so the first result shown is the best one. A bounded
number of SQL queries whatever the amount of content: two to read the query (synonyms,
vocabulary), one per kind of row, one for the themes, audiences and quartiers (short lists).
"""

from dataclasses import dataclass, field

from django.db.models import Value
from django.urls import reverse

from actions.models import Action, Audience, Neighbourhood, Theme
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


def site_pages():
    """The site's own pages a resident may look for, with the words people use for them."""
    return [
        {
            "title": "La mutuelle communale",
            "url": reverse("mutuelle:home"),
            "keywords": "mutuelle complémentaire santé assurance santé remboursement tarifs prix formules Just",
            "summary": "Une complémentaire santé à prix réduit pour les habitants de Créteil : pour qui, les "
            "garanties, les prix par âge, les permanences.",
        },
        {
            "title": "Mutuelle ou complémentaire santé solidaire : ce qui vous correspond",
            "url": reverse("mutuelle:eligibility"),
            "keywords": "éligibilité droits revenus plafonds CSS complémentaire santé solidaire gratuite "
            "mutuelle simulation calcul",
            "summary": "Quelques questions sur votre foyer et vos revenus pour savoir si vous avez droit à la "
            "complémentaire santé solidaire ou à la mutuelle communale.",
        },
        {
            "title": "Demander la mutuelle communale",
            "url": reverse("mutuelle:request"),
            "keywords": "demande adhésion inscription formulaire rappel conseiller mutuelle",
            "summary": "Laissez vos coordonnées : un conseiller vous rappelle pour vous présenter la mutuelle "
            "communale.",
        },
        {
            "title": "Contacter le CCAS Prévention-Santé",
            "url": reverse("contact"),
            "keywords": "contact téléphone appeler adresse CCAS prévention santé horaires",
            "summary": "Une question sur la santé à Créteil ? Le service Prévention-Santé du CCAS vous répond.",
        },
        {
            "title": "L’agenda",
            "url": reverse("events:list"),
            "keywords": "agenda événements dates calendrier ateliers rencontres permanences",
            "summary": "Les prochains ateliers, rencontres et permanences près de chez vous.",
        },
        {
            "title": "Le contrat local de santé",
            "url": reverse("about"),
            "keywords": "CLS contrat local santé axes objectifs signataires",
            "summary": "Ce qu’est le contrat local de santé de Créteil, ses objectifs et ses cinq axes.",
        },
    ]


def _score(parts, parsed, kind):
    return score_parts([(weight, normalize(text)) for weight, text in parts], parsed) * KIND_FACTORS[kind]


def _page_results(parsed):
    results = []
    for page in site_pages():
        score = _score([("A", page["title"]), ("B", page["keywords"]), ("C", page["summary"])], parsed, "pages")
        if score:
            results.append(Result(page["title"], page["url"], score, summary=page["summary"]))
    return results


TAXONOMIES = {
    "theme": ("Thème", "Les actions du thème « {} »."),
    "public": ("Public", "Les actions pour le public « {} »."),
    "quartier": ("Quartier", "Les actions dans le quartier « {} »."),
}


def _taxonomy_results(parsed):
    """Themes, audiences and quartiers (short lists, read in one query), each leading to the actions."""
    actions = reverse("actions:list")
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
    results = []
    for parameter, name, slug, description in rows:
        score = _score([("A", name), ("C", description)], parsed, "taxonomies")
        if score:
            label, summary = TAXONOMIES[parameter]
            results.append(Result(name, f"{actions}?{parameter}={slug}", score, summary.format(name), label))
    return results


def _row_results(queryset, parsed, kind):
    rows = queryset.ranked(parsed, RESULTS_PER_SECTION + 1)
    results = []
    for row in rows:
        summary = getattr(row, "summary", "") or getattr(row, "description", "") or getattr(row, "address", "")
        score = row.search_score * KIND_FACTORS[kind]
        results.append(Result(str(row), row.get_absolute_url(), score, summary, obj=row))
    return results


def search_sections(query):
    """The search's results, kind by kind, best group first (``parsed`` also says what was understood)."""
    parsed = parse_query(query)
    if not parsed:
        return parsed, []
    sections = [
        Section("pages", "Pages du site", _page_results(parsed)),
        Section("actions", "Actions", _row_results(Action.objects.published(), parsed, "actions")),
        Section(
            "events",
            "Événements à venir",
            _row_results(Event.objects.published().upcoming().select_related("place"), parsed, "events"),
        ),
        Section("taxonomies", "Thèmes, publics et quartiers", _taxonomy_results(parsed)),
        Section("partners", "Partenaires", _row_results(Partner.objects.published(), parsed, "partners")),
        Section("places", "Lieux", _row_results(Place.objects.published(), parsed, "places")),
    ]
    order = {section.key: position for position, section in enumerate(sections)}
    for section in sections:
        section.results.sort(key=lambda result: -result.score)
        section.truncated = len(section.results) > RESULTS_PER_SECTION
        del section.results[RESULTS_PER_SECTION:]
    sections = [section for section in sections if section.results]
    sections.sort(key=lambda section: (-section.best, order[section.key]))
    return parsed, sections
