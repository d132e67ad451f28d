"""The actions as open data (core/opendata.py): the published actions, with their axis and their links."""

from django.conf import settings
from django.db.models import Prefetch

from core.opendata import Column, Dataset, ForeignKey
from core.rich_text import plain_text
from partners.models import Partner

from .enums import ActionKind, ActionStatus
from .filters import ActionFilter
from .models import Action


def page_url(obj):
    return settings.SITE_URL + obj.get_absolute_url()


def published_actions():
    return (
        Action.objects.published()
        .select_related("axis", "lead_partner")
        .prefetch_related(
            "themes",
            "audiences",
            "neighbourhoods",
            Prefetch("partners", queryset=Partner.objects.published().order_by("pk"), to_attr="public_partners"),
        )
        .order_by("pk")
    )


def public_lead_partner(action):
    lead = action.lead_partner
    return lead.pk if lead is not None and lead.is_public else None


def slugs(related):
    return [item.slug for item in related]


def names(related):
    return [item.name for item in related]


ACTIONS = Dataset(
    slug="actions",
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
        Column(
            "id",
            "integer",
            "Identifiant",
            "Identifiant stable de l’action sur le portail.",
            lambda a: a.pk,
            required=True,
            unique=True,
        ),
        Column(
            "slug",
            "string",
            "Adresse de la page",
            "Fin de l’adresse de la page de l’action.",
            lambda a: a.slug,
            required=True,
            unique=True,
        ),
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
        Column("date_debut", "date", "Date de début", "Date de début, si elle est donnée.", lambda a: a.start_date),
        Column("date_fin", "date", "Date de fin", "Date de fin, si elle est donnée.", lambda a: a.end_date),
        Column("themes", "list", "Thèmes", "Thèmes de l’action (noms).", lambda a: names(a.themes.all())),
        Column(
            "publics",
            "list",
            "Publics",
            "Publics visés (noms) ; vide : tout le monde.",
            lambda a: names(a.audiences.all()),
        ),
        Column(
            "quartiers",
            "list",
            "Quartiers",
            "Quartiers concernés (noms) ; vide : toute la ville.",
            lambda a: names(a.neighbourhoods.all()),
        ),
        Column(
            "partenaire_pilote_id",
            "integer",
            "Partenaire pilote",
            "Identifiant du partenaire pilote (jeu « partenaires »).",
            public_lead_partner,
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
            page_url,
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
