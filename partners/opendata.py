"""The partners as open data (core/opendata.py): the published partners, signatories first."""

from core.opendata import Column, Dataset, id_column, page_url, slug_column
from core.rich_text import plain_text

from .enums import PartnerKind
from .filters import PartnerFilter
from .models import Partner


def one_line(text):
    return ", ".join(line.strip() for line in text.splitlines() if line.strip()) or None


def published_partners():
    return Partner.objects.published().defer("search_text", "search_vector", "logo").order_by("pk")


PARTNERS = Dataset(
    slug="partenaires",
    shows=("partners",),
    title="Partenaires du Contrat local de santé",
    description=(
        "Les organismes qui portent ou accompagnent les actions du CLS de Créteil : signataires du contrat "
        "et autres partenaires publiés sur le portail. Des organismes, jamais des personnes."
    ),
    queryset=published_partners,
    position=40,
    api_name="Partenaire",
    filterset_class=PartnerFilter,
    filters_help="Sans filtre : tous les partenaires publiés.",
    parameters_help={
        "signataire": "true : les signataires du contrat ; false : les autres partenaires.",
        "type": "Type d’organisme : " + ", ".join(PartnerKind.values) + ".",
    },
    columns=[
        id_column("du partenaire"),
        slug_column("du partenaire"),
        Column("nom", "string", "Nom", "Nom de l’organisme.", lambda p: p.name, required=True),
        Column("sigle", "string", "Sigle", "Sigle de l’organisme, s’il en a un.", lambda p: p.acronym or None),
        Column(
            "type",
            "string",
            "Type",
            "Type d’organisme : " + ", ".join(f"{k} ({label})" for k, label in PartnerKind.choices) + ".",
            lambda p: p.kind,
            required=True,
            enum=tuple(PartnerKind.values),
        ),
        Column(
            "type_libelle",
            "string",
            "Type (en clair)",
            "Le type d’organisme en français.",
            lambda p: p.get_kind_display(),
            required=True,
        ),
        Column(
            "signataire",
            "boolean",
            "Signataire du CLS",
            "Vrai si l’organisme a signé le contrat de 2022.",
            lambda p: p.is_signatory,
            required=True,
        ),
        Column(
            "presentation",
            "string",
            "Présentation",
            "Présentation de l’organisme, en texte brut.",
            lambda p: plain_text(p.description) or None,
        ),
        Column(
            "role_dans_le_cls",
            "string",
            "Rôle dans le CLS",
            "Ce que l’organisme fait dans le contrat, en texte brut.",
            lambda p: plain_text(p.role_in_cls) or None,
        ),
        Column(
            "site_internet",
            "string",
            "Site internet",
            "Adresse du site de l’organisme.",
            lambda p: p.website or None,
            format="uri",
        ),
        Column("telephone", "string", "Téléphone", "Téléphone d’accueil de l’organisme.", lambda p: p.phone or None),
        Column(
            "adresse",
            "string",
            "Adresse postale",
            "Adresse postale de l’organisme.",
            lambda p: one_line(p.address),
        ),
        Column(
            "url",
            "string",
            "Page sur le portail",
            "Adresse de la page du partenaire sur le portail.",
            page_url("partners:detail"),
            required=True,
            format="uri",
        ),
        Column(
            "date_modification",
            "datetime",
            "Modifié le",
            "Dernière modification de la fiche (heure de Paris).",
            lambda p: p.updated_at,
            required=True,
        ),
    ],
)
