"""The glossary's starting terms, loaded by ``python manage.py load_cls_content``.

Meanings from the seed pages and ../shared/FACTS.md, or common public knowledge of French health
services (PMI, CMP, RSA…); written for residents, in plain words. Identified by their slug (or
their term): created when missing, never changed once there, so editors own them.

Unconfirmed: « Sami » as « service d'accueil médical initial » is the name used for the
Val-de-Marne's on-call medical services, not written in the seeds (which only say « le Sami »):
editors should check it.
"""

from django.db.models import Q

from core.glossary import GlossaryTerm
from core.history import CHANGE_REASON

# The term beside which the glossary page gives the CCAS phone, from the site's settings.
CCAS_TERM_SLUG = "ccas"

TERMS = [
    {
        "slug": "ap-hp",
        "term": "AP-HP",
        "expansion": "Assistance publique – Hôpitaux de Paris",
        "definition": "Le groupe des hôpitaux publics de Paris et de sa région. Les hôpitaux Henri-Mondor et "
        "Albert-Chenevier, à Créteil, en font partie.",
    },
    {
        "slug": "ars",
        "term": "ARS",
        "expansion": "Agence régionale de santé",
        "definition": "Le service de l’État qui organise la santé dans la région Île-de-France : hôpitaux, "
        "médecins, prévention. Elle porte le contrat local de santé avec la Ville et la préfecture.",
    },
    {
        "slug": "cami",
        "term": "Cami",
        "expansion": "centre d’accueil médical initial",
        "variants": "CAMI",
        "definition": "Un service ouvert à Créteil le 29 janvier 2024 pour voir un médecin rapidement quand le "
        "vôtre ne peut pas vous recevoir. On commence par appeler sa ligne, tenue par la CPTS. Ce n’est pas "
        "un service d’urgence : en cas d’urgence grave, appelez le 15.",
    },
    {
        "slug": "ccas",
        "term": "CCAS",
        "expansion": "centre communal d’action sociale",
        # No phone in the text: the glossary page gives the one of the site's settings beside it.
        "definition": "Le service social de la Ville. À Créteil, son service Prévention-Santé anime le contrat "
        "local de santé et répond aux questions des habitants.",
    },
    {
        "slug": "chic",
        "term": "CHIC",
        "expansion": "centre hospitalier intercommunal de Créteil",
        "definition": "L’hôpital public de Créteil et des communes voisines.",
    },
    {
        "slug": "cls",
        "term": "CLS",
        "expansion": "contrat local de santé",
        "definition": "Un accord signé par la Ville, l’Agence régionale de santé, la préfecture et des "
        "partenaires de la santé pour agir ensemble près des habitants : prévention, accès aux soins et aux "
        "droits. À Créteil, le premier date de 2015 ; le deuxième court de 2022 à 2027.",
    },
    {
        "slug": "clsm",
        "term": "CLSM",
        "expansion": "conseil local de santé mentale",
        "definition": "À Créteil depuis 2016, il réunit les acteurs de la santé mentale : conférences, Cafés "
        "psycho, formations des professionnels, réunions sur les situations difficiles.",
    },
    {
        "slug": "cmp",
        "term": "CMP",
        "expansion": "centre médico-psychologique",
        "definition": "Un lieu public de consultations pour la santé mentale (psychiatres, psychologues, "
        "infirmiers), pour les enfants ou pour les adultes. Les consultations y sont prises en charge par "
        "l’Assurance maladie.",
    },
    {
        "slug": "cpam",
        "term": "CPAM",
        "expansion": "caisse primaire d’assurance maladie",
        "definition": "L’Assurance maladie de votre département (ici, le Val-de-Marne) : elle rembourse les "
        "soins, délivre la carte Vitale et accorde la complémentaire santé solidaire. Son site : ameli.fr.",
    },
    {
        "slug": "cpts",
        "term": "CPTS",
        "expansion": "communauté professionnelle territoriale de santé",
        "definition": "Les professionnels de santé d’un territoire (médecins, infirmiers, pharmaciens…) qui "
        "s’organisent ensemble pour mieux soigner les habitants. À Créteil, elle tient la ligne du Cami.",
    },
    {
        "slug": "css",
        "term": "CSS",
        "expansion": "complémentaire santé solidaire",
        "definition": "Une aide de l’Assurance maladie qui paie ce que la Sécurité sociale ne rembourse pas. "
        "Selon les ressources du foyer, elle est gratuite ou coûte quelques euros par mois et par personne. "
        "Elle est accordée pour un an.",
    },
    {
        "slug": "ist",
        "term": "IST",
        "expansion": "infections sexuellement transmissibles",
        "definition": "Des infections qui se transmettent pendant les rapports sexuels. Le préservatif protège "
        "de la plupart d’entre elles ; un dépistage permet de les soigner tôt.",
    },
    {
        "slug": "laep",
        "term": "LAEP",
        "expansion": "lieu d’accueil enfants-parents",
        "variants": "Laep",
        "definition": "Un lieu gratuit où un enfant de moins de 4 ans vient jouer avec son parent, et où les "
        "futures mamans sont les bienvenues. À Créteil : à la Habette et à l’Espace Jean Ferrat, aux Bleuets.",
    },
    {
        "slug": "pmi",
        "term": "PMI",
        "expansion": "protection maternelle et infantile",
        "definition": "Le service du Département qui suit gratuitement les femmes enceintes et les enfants de "
        "moins de 6 ans : consultations, vaccins, conseils aux parents.",
    },
    {
        "slug": "rsa",
        "term": "RSA",
        "expansion": "revenu de solidarité active",
        "definition": "Une aide financière pour les personnes qui ont peu ou pas de revenus. Une personne qui "
        "touche le RSA a droit à la complémentaire santé solidaire gratuite.",
    },
    {
        "slug": "sami",
        "term": "Sami",
        "expansion": "service d’accueil médical initial",
        "variants": "SAMI",
        "definition": "Un service de garde où des médecins reçoivent le soir, le week-end et les jours fériés, "
        "quand les cabinets sont fermés. Le Cami y oriente les patients quand aucun médecin n’est libre.",
    },
    {
        "slug": "upec",
        "term": "UPEC",
        "expansion": "Université Paris-Est Créteil",
        "definition": "L’université de Créteil, avec sa faculté de médecine. Elle est partenaire du contrat "
        "local de santé.",
    },
    # Words without a full form: listed on the glossary page, not marked in the texts.
    {
        "slug": "complementaire-sante",
        "term": "Complémentaire santé (mutuelle)",
        "definition": "Une assurance qui paie tout ou partie des frais de santé que la Sécurité sociale ne "
        "rembourse pas. La complémentaire santé solidaire et la mutuelle communale en sont deux.",
    },
    {
        "slug": "depistage",
        "term": "Dépistage",
        "definition": "Un examen fait quand on se sent bien, pour repérer une maladie tôt, quand elle se soigne "
        "mieux. Exemples : la mammographie pour le cancer du sein, le test à faire chez soi pour le cancer "
        "colorectal.",
    },
    {
        "slug": "mutuelle-communale",
        "term": "Mutuelle communale",
        "definition": "Une complémentaire santé à prix réduit choisie par la Ville, avec l’assureur Just, pour "
        "les habitants de Créteil qui n’ont pas droit à la complémentaire santé solidaire. Sans questionnaire "
        "de santé, quel que soit l’âge.",
    },
    {
        "slug": "permanence",
        "term": "Permanence",
        "definition": "Un moment et un lieu où un conseiller reçoit les habitants pour répondre à leurs "
        "questions : par exemple la permanence de la mutuelle communale à l’Hôtel de Ville.",
    },
    {
        "slug": "prevention",
        "term": "Prévention",
        "definition": "Tout ce qui aide à rester en bonne santé et à éviter les maladies : bien manger, bouger, "
        "se faire vacciner, se faire dépister.",
    },
]


def load_initial_content(*, today):
    """Create the missing terms; called by ``load_cls_content``. Returns the command's summary line."""
    created = existing = 0
    for row in TERMS:
        if GlossaryTerm.objects.filter(Q(slug=row["slug"]) | Q(term=row["term"])).exists():
            existing += 1
            continue
        term = GlossaryTerm(**row)
        term.full_clean()
        term._change_reason = CHANGE_REASON
        term.save()
        created += 1
    return [("Termes du glossaire", False, (created, existing))]
