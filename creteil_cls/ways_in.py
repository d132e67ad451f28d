"""The home page's ways in by need, in residents' words: each leads to real content, never a dead end.

A way in names its links by what they point to: an action (``("action", slug)``), the actions of a
theme or of an audience (``("theme", slug)``, ``("audience", slug)``), or a page of the site
(``("page", url name)``). :func:`ways_in` looks the content up in a few queries whatever its size
and drops a link whose target is gone, unpublished or empty (a theme without a published action);
a way in left without a link is not shown. « Près de chez moi » lists the quartiers: the actions of
a quartier include those of the whole city, so none of its links is empty.
"""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.http import urlencode

from actions.models import Action, Audience, Neighbourhood, Theme

WAYS_IN = [
    {
        "key": "medecin",
        "title": "Voir un médecin rapidement",
        "text": "Votre médecin ne peut pas vous recevoir ? Le Cami vous trouve une consultation. Le soir, le "
        "week-end et les jours fériés, allez au Sami. En cas d’urgence grave, appelez le 15.",
        "links": [
            ("action", "cami-centre-d-accueil-medical-initial", "Le Cami : un médecin dans la journée"),
            ("action", "sami-soins-le-soir-et-le-week-end", "Le Sami : le soir et le week-end"),
            ("theme", "soins-non-programmes", "Toutes les solutions pour consulter vite"),
        ],
    },
    {
        "key": "complementaire",
        "title": "Une complémentaire santé moins chère",
        "text": "Vous avez peut-être droit à la complémentaire santé solidaire, gratuite ou à petit prix. "
        "Sinon, la mutuelle communale coûte moins cher.",
        "links": [
            ("page", "mutuelle:eligibility", "Savoir en 2 minutes à quoi j’ai droit"),
            ("page", "mutuelle:home", "La mutuelle communale : prix et permanences"),
            ("page", "mutuelle:request", "Être rappelé(e) par un conseiller"),
        ],
    },
    {
        "key": "depistage",
        "title": "Dépistages et vaccins",
        "text": "Les dépistages des cancers repèrent tôt une maladie, quand elle se soigne mieux. Pour un vaccin, "
        "demandez à votre médecin, à votre pharmacien, à un infirmier ou à une sage-femme.",
        "links": [
            ("theme", "depistage-des-cancers", "Les dépistages des cancers"),
            ("theme", "vaccination", "La vaccination à Créteil"),
        ],
    },
    {
        "key": "sante-mentale",
        "title": "Santé mentale : en parler",
        "text": "Stress, sommeil, moral, inquiétude pour un proche : des rencontres gratuites pour en parler, et "
        "des professionnels pour vous orienter.",
        "links": [
            ("action", "cafes-psycho", "Les Cafés psycho"),
            ("theme", "sante-psychique", "Toutes les actions sur la santé mentale"),
        ],
    },
    {
        "key": "enfants",
        "title": "Enfants et parents",
        "text": "Grossesse, bébé, dents, écrans, repas : des lieux et des ateliers gratuits pour les enfants et "
        "leurs parents.",
        "links": [
            ("action", "lieux-d-accueil-enfants-parents", "Les lieux d’accueil enfants-parents"),
            ("audience", "parents-et-futurs-parents", "Toutes les actions pour les parents"),
        ],
    },
]


def _action_links(slugs):
    actions = Action.objects.published().filter(slug__in=slugs).only("slug")
    return {action.slug: action.get_absolute_url() for action in actions}


def _filter_links(model, field, parameter, slugs):
    """The list of actions of each theme (or audience) that has published actions.

    ``field`` is the action's field that holds them (``themes``, ``audiences``): what « published »
    means is the actions' own rule, ``Action.objects.published()``.
    """
    published = Action.objects.published().filter(**{field: OuterRef("pk")})
    rows = model.objects.filter(Exists(published), slug__in=slugs).values_list("slug", flat=True)
    list_url = reverse("actions:list")
    return {slug: f"{list_url}?{urlencode({parameter: slug})}" for slug in rows}


def ways_in():
    """The ways in with their resolved links ``[(label, url)]``: three queries whatever the content."""
    wanted = {"action": set(), "theme": set(), "audience": set()}
    for way in WAYS_IN:
        for kind, target, _label in way["links"]:
            if kind in wanted:
                wanted[kind].add(target)
    urls = {
        "action": _action_links(wanted["action"]),
        "theme": _filter_links(Theme, "themes", "theme", wanted["theme"]),
        "audience": _filter_links(Audience, "audiences", "public", wanted["audience"]),
    }
    resolved = []
    for way in WAYS_IN:
        links = []
        for kind, target, label in way["links"]:
            url = reverse(target) if kind == "page" else urls[kind].get(target)
            if url:
                links.append((label, url))
        if links:
            resolved.append({**way, "links": links})
    return resolved


def neighbourhood_links():
    """« Près de chez moi »: each quartier and the list of its actions (and the whole city's)."""
    list_url = reverse("actions:list")
    return [
        (neighbourhood.name, f"{list_url}?{urlencode({'quartier': neighbourhood.slug})}")
        for neighbourhood in Neighbourhood.objects.only("name", "slug")
    ]
