"""The actions as open data (core/opendata.py): the published actions, with their axis and their links."""

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Subquery

from core.opendata import Column, Dataset, ForeignKey, id_column, page_url, slug_column
from core.publication import publication_q
from core.rich_text import plain_text
from partners.models import Partner

from .enums import ActionKind, ActionStatus, IndicatorDirection, ProgressStatus
from .filters import ActionFilter
from .models import Action, Indicator, Milestone


def absolute_url(obj):
    return settings.SITE_URL + obj.get_absolute_url()


def published_actions():
    # What the columns read, and no more: the lead partner's identifier when it is public (no
    # partner loaded for it), the associated partners' identifiers only, lists (to_attr) rather
    # than managers (a manager's queryset per action and relation, cloned when prefetched and
    # again when read, cost more than the rows themselves), not the search's columns.
    return (
        Action.objects.published()
        .select_related("axis")
        .defer("search_text", "search_vector")
        # A subquery, not a join: the count of the rows (/donnees/) leaves it out.
        .annotate(
            public_lead_partner_id=Subquery(
                Partner.objects.published().filter(pk=OuterRef("lead_partner_id")).values("pk")
            )
        )
        .prefetch_related(
            Prefetch("themes", to_attr="theme_list"),
            Prefetch("audiences", to_attr="audience_list"),
            Prefetch("neighbourhoods", to_attr="neighbourhood_list"),
            Prefetch(
                "partners", queryset=Partner.objects.published().only("pk").order_by("pk"), to_attr="public_partners"
            ),
        )
        .order_by("pk")
    )


def slugs(related):
    return [item.slug for item in related]


def names(related):
    return [item.name for item in related]


ACTIONS = Dataset(
    slug="actions",
    shows=("actions", "partners"),
    title="Actions du Contrat local de santé",
    description=(
        "Les actions de prévention et d’accès aux soins du CLS de Créteil publiées sur le portail, avec leur axe, "
        "leurs thèmes, leurs publics, leurs quartiers et leurs partenaires."
    ),
    queryset=published_actions,
    filterset_class=ActionFilter,
    filters_help="Les mêmes filtres que la liste des actions du site (/actions/).",
    parameters_help={
        "q": "Mots-clés, cherchés comme dans la recherche du site (titre, résumé, thèmes, publics…).",
        "axe": "Adresse de la page de l’axe (par exemple « acces-aux-droits-et-aux-soins »).",
        "theme": "Nom du thème dans les adresses (son « slug »), comme dans /actions/?theme=….",
        "public": "Nom du public dans les adresses (son « slug »).",
        "quartier": "Nom du quartier dans les adresses (son « slug ») ; les actions de toute la ville sont comprises.",
        "statut": "Statut de l’action : en_cours, a_venir, suspendue ou terminee.",
    },
    position=10,
    api_name="Action",
    foreign_keys=[ForeignKey("partenaire_pilote_id", "partenaires")],
    columns=[
        id_column("de l’action"),
        slug_column("de l’action"),
        Column("titre", "string", "Titre", "Titre de l’action.", lambda a: a.title, required=True),
        Column(
            "axe_numero",
            "integer",
            "Numéro de l’axe",
            "Numéro de l’axe du contrat (1 à 5).",
            lambda a: a.axis.number,
            required=True,
        ),
        Column("axe", "string", "Axe", "Intitulé de l’axe du contrat.", lambda a: a.axis.name, required=True),
        Column("resume", "string", "Résumé", "Une ou deux phrases sur l’action.", lambda a: a.summary, required=True),
        Column(
            "description",
            "string",
            "Description",
            "Description de l’action, en texte brut.",
            lambda a: plain_text(a.body) or None,
        ),
        Column(
            "comment_participer",
            "string",
            "Comment participer",
            "Comment participer, en texte brut.",
            lambda a: plain_text(a.how_to_join) or None,
        ),
        Column(
            "type",
            "string",
            "Type d’action",
            "Type : " + ", ".join(f"{k} ({label})" for k, label in ActionKind.choices) + ".",
            lambda a: a.kind,
            required=True,
            enum=tuple(ActionKind.values),
        ),
        Column(
            "mois_campagne",
            "integer",
            "Mois de la campagne",
            "Mois (1 à 12) d’une campagne annuelle.",
            lambda a: a.campaign_month,
        ),
        Column(
            "statut",
            "string",
            "Statut",
            "Statut : " + ", ".join(f"{k} ({label})" for k, label in ActionStatus.choices) + ".",
            lambda a: a.status,
            required=True,
            enum=tuple(ActionStatus.values),
        ),
        Column(
            "avancement",
            "string",
            "Avancement",
            "Avancement indiqué par l’équipe de l’action : "
            + ", ".join(f"{k} ({label})" for k, label in ProgressStatus.choices)
            + " ; vide : pas encore renseigné.",
            lambda a: a.progress or None,
            enum=tuple(ProgressStatus.values),
        ),
        Column("date_debut", "date", "Date de début", "Date de début, si elle est donnée.", lambda a: a.start_date),
        Column("date_fin", "date", "Date de fin", "Date de fin, si elle est donnée.", lambda a: a.end_date),
        Column("themes", "list", "Thèmes", "Thèmes de l’action (noms).", lambda a: names(a.theme_list)),
        Column(
            "publics",
            "list",
            "Publics",
            "Publics visés (noms) ; vide : tout le monde.",
            lambda a: names(a.audience_list),
        ),
        Column(
            "quartiers",
            "list",
            "Quartiers",
            "Quartiers concernés (noms) ; vide : toute la ville.",
            lambda a: names(a.neighbourhood_list),
        ),
        Column(
            "partenaire_pilote_id",
            "integer",
            "Partenaire pilote",
            "Identifiant du partenaire pilote (jeu « partenaires »).",
            lambda a: a.public_lead_partner_id,
        ),
        Column(
            "partenaires_ids",
            "list",
            "Partenaires associés",
            "Identifiants des partenaires associés (jeu « partenaires »).",
            lambda a: [str(p.pk) for p in a.public_partners],
        ),
        Column(
            "url",
            "string",
            "Page sur le portail",
            "Adresse de la page de l’action sur le portail.",
            page_url("actions:detail"),
            required=True,
            format="uri",
        ),
        Column(
            "date_modification",
            "datetime",
            "Modifiée le",
            "Dernière modification de l’action (heure de Paris).",
            lambda a: a.updated_at,
            required=True,
        ),
    ],
)


def published_indicators():
    return Indicator.objects.of_published_actions().select_related("action").order_by("action_id", "order", "pk")


def published_milestones():
    return (
        Milestone.objects.filter(publication_q(prefix="action__"))
        .select_related("action")
        .order_by("action_id", "planned_date", "pk")
    )


def _action_columns(dataset_word):
    """The two columns that name the action of a row: its identifier and the end of its page's address."""
    return [
        Column(
            "action_id",
            "integer",
            "Action",
            f"Identifiant de l’action {dataset_word} (jeu « actions »).",
            lambda obj: obj.action_id,
            required=True,
        ),
        Column(
            "action_slug",
            "string",
            "Adresse de la page de l’action",
            "Fin de l’adresse de la page de l’action (colonne « slug » du jeu « actions »).",
            lambda obj: obj.action.slug,
            required=True,
        ),
    ]


INDICATORS = Dataset(
    slug="indicateurs",
    shows=("actions",),
    title="Indicateurs des actions",
    description=(
        "Les chiffres qui disent si chaque action publiée atteint son but : la valeur de départ, la cible et la "
        "dernière valeur mesurée, chacune avec sa date, et la source de la dernière valeur."
    ),
    queryset=published_indicators,
    position=15,
    api_name="Indicateur",
    foreign_keys=[ForeignKey("action_id", "actions")],
    columns=[
        id_column("de l’indicateur"),
        *_action_columns("qu’il mesure"),
        Column("nom", "string", "Indicateur", "Ce que l’on compte.", lambda i: i.name, required=True),
        Column("unite", "string", "Unité", "Unité des valeurs (personnes, %, jours…).", lambda i: i.unit or None),
        Column(
            "sens",
            "string",
            "Sens",
            "Sens de l’indicateur : "
            + ", ".join(f"{k} ({label.lower()})" for k, label in IndicatorDirection.choices)
            + ".",
            lambda i: i.direction,
            required=True,
            enum=tuple(IndicatorDirection.values),
        ),
        Column(
            "valeur_depart", "number", "Valeur de départ", "Valeur au début de l’action.", lambda i: i.baseline_value
        ),
        Column(
            "date_depart",
            "date",
            "Date de la valeur de départ",
            "Date de la valeur de départ.",
            lambda i: i.baseline_date,
        ),
        Column("cible", "number", "Cible", "Valeur visée.", lambda i: i.target_value),
        Column(
            "date_cible", "date", "Date de la cible", "Date à laquelle la cible est visée.", lambda i: i.target_date
        ),
        Column("derniere_valeur", "number", "Dernière valeur", "Dernière valeur mesurée.", lambda i: i.latest_value),
        Column(
            "date_derniere_valeur",
            "date",
            "Date de la dernière valeur",
            "Date de la dernière valeur mesurée.",
            lambda i: i.latest_date,
        ),
        Column(
            "source",
            "string",
            "Source de la dernière valeur",
            "D’où vient la dernière valeur.",
            lambda i: i.source or None,
        ),
        Column(
            "url",
            "string",
            "Page sur le portail",
            "Adresse de l’indicateur sur la page de son action.",
            absolute_url,
            required=True,
            format="uri",
        ),
    ],
)

MILESTONES = Dataset(
    slug="jalons",
    shows=("actions",),
    title="Étapes des actions",
    description=(
        "Les étapes prévues de chaque action publiée : ce qui doit être fait, la date prévue et, une fois "
        "l’étape franchie, la date où elle l’a été."
    ),
    queryset=published_milestones,
    position=16,
    api_name="Jalon",
    foreign_keys=[ForeignKey("action_id", "actions")],
    columns=[
        id_column("de l’étape"),
        *_action_columns("dont c’est une étape"),
        Column("etape", "string", "Étape", "Ce qui doit être fait.", lambda m: m.what, required=True),
        Column(
            "date_prevue", "date", "Date prévue", "Date prévue de l’étape.", lambda m: m.planned_date, required=True
        ),
        Column(
            "date_realisation",
            "date",
            "Réalisée le",
            "Date où l’étape a été franchie ; vide : pas encore franchie.",
            lambda m: m.done_date,
        ),
    ],
)
