"""Initial content of the portal, loaded by ``python manage.py load_cls_content``.

Plain data, written in the project's own words from the two seed pages and ../shared/FACTS.md.
Rows are identified by their slug (objectives by their number): the command creates what is
missing and never touches a row that already exists, so editors own the text once loaded.

Dates: ``start_date`` / ``end_date`` are fixed dates known from the sources; ``start_in_days`` /
``end_in_days`` are counted from the day the command runs, so a fresh site looks alive. A
campaign (kind ``campagne``) only gives its month: the command dates its next edition.

Never write the number of signatories in a text: the sources disagree, the site counts them.
"""

import calendar
import datetime

from django.conf import settings
from django.core.management.base import CommandError
from django.db.models import Q

from core.history import CHANGE_REASON, one_version
from partners.models import Partner

from .enums import ActionKind, ActionStatus
from .models import Action, Audience, Axis, Neighbourhood, Objective, Theme

OBJECTIVES = [
    {"number": 1, "text": "Faire plus de prévention, pour éviter les maladies ou les repérer tôt."},
    {"number": 2, "text": "Accompagner les personnes fragiles jusqu’aux soins dont elles ont besoin."},
    {"number": 3, "text": "Faire connaître les questions de santé par des actions éducatives, à tout âge."},
    {
        "number": 4,
        "text": "Réduire les écarts de santé et d’accès aux soins entre les quartiers et entre les habitants.",
    },
    {
        "number": 5,
        "text": "Mieux relier les besoins des habitants, les attentes des professionnels "
        "et le travail des associations et des institutions.",
    },
    {"number": 6, "text": "Rendre l’organisation de la santé à Créteil plus claire et plus cohérente."},
]

THEMES = [
    {"slug": "acces-aux-droits", "name": "Accès aux droits"},
    {"slug": "complementaire-sante", "name": "Complémentaire santé et mutuelle"},
    {"slug": "soins-non-programmes", "name": "Soins non programmés"},
    {"slug": "vaccination", "name": "Vaccination"},
    {"slug": "sante-psychique", "name": "Santé psychique"},
    {"slug": "perinatalite-et-petite-enfance", "name": "Périnatalité et petite enfance"},
    {"slug": "sante-bucco-dentaire", "name": "Santé bucco-dentaire"},
    {"slug": "nutrition", "name": "Nutrition et alimentation"},
    {"slug": "ecrans-et-numerique", "name": "Écrans et numérique"},
    {"slug": "vie-affective-et-sexuelle", "name": "Vie affective et sexuelle"},
    {"slug": "depistage-des-cancers", "name": "Dépistage des cancers"},
    {"slug": "tabac", "name": "Tabac"},
    {"slug": "activite-physique", "name": "Activité physique"},
    {"slug": "cadre-de-vie", "name": "Cadre de vie et environnement"},
]

AUDIENCES = [
    {"slug": "tous-publics", "name": "Tous publics"},
    {"slug": "enfants", "name": "Enfants"},
    {"slug": "adolescents-et-jeunes", "name": "Adolescents et jeunes"},
    {"slug": "parents-et-futurs-parents", "name": "Parents et futurs parents"},
    {"slug": "adultes", "name": "Adultes"},
    {"slug": "seniors", "name": "Seniors"},
    {"slug": "femmes", "name": "Femmes"},
    {"slug": "professionnels", "name": "Professionnels"},
]

# Only names of Créteil's quartiers we are sure of; editors add the others in the admin.
NEIGHBOURHOODS = [
    {"slug": "centre-ancien", "name": "Centre ancien (Village)"},
    {"slug": "cote-d-or", "name": "Côte-d’Or"},
    {"slug": "haut-creteil", "name": "Haut-Créteil"},
    {"slug": "la-croix-des-meches", "name": "La Croix-des-Mèches"},
    {"slug": "la-habette", "name": "La Habette"},
    {"slug": "le-palais", "name": "Le Palais"},
    {"slug": "l-echat", "name": "L’Échat"},
    {
        "slug": "les-bleuets",
        "name": "Les Bleuets",
        "description": "Le quartier de l’Espace Jean Ferrat.",
    },
    {"slug": "les-sablieres", "name": "Les Sablières"},
    {"slug": "mont-mesly", "name": "Mont-Mesly"},
    {"slug": "pointe-du-lac", "name": "Pointe du Lac"},
]

# is_signatory: the three bodies that carry the contract, plus the hospital, academic and
# health-insurance partners and the CPTS that the seeds list among the partners of the 2022
# contract. Who signs for the liberal doctors is not said anywhere: not marked. The CCAS is
# the City's own service, and Just is the mutuelle's insurer, not a party to the contract.
PARTNERS = [
    {
        "slug": "ville-de-creteil",
        "name": "Ville de Créteil",
        "kind": "collectivite",
        "is_signatory": True,
        "order": 10,
        "website": "https://www.ville-creteil.fr",
        "description": "La commune porte le contrat local de santé avec l’Agence régionale de santé et la "
        "Préfecture. Elle agit pour la prévention et l’éducation à la santé, au plus près des habitants.",
        "role_in_cls": "Elle anime le contrat, coordonne les partenaires et mène de nombreuses actions "
        "de prévention dans les quartiers, avec son CCAS.",
    },
    {
        "slug": "ars-ile-de-france",
        "name": "Agence régionale de santé Île-de-France",
        "acronym": "ARS",
        "kind": "institution",
        "is_signatory": True,
        "order": 20,
        "website": "https://www.iledefrance.ars.sante.fr",
        "description": "L’État organise le système de santé dans la région à travers l’Agence régionale "
        "de santé : hôpitaux, médecine de ville, prévention.",
        "role_in_cls": "Elle porte le contrat avec la Ville depuis le premier CLS de 2015 et soutient ses actions.",
    },
    {
        "slug": "prefecture-du-val-de-marne",
        "name": "Préfecture du Val-de-Marne",
        "kind": "institution",
        "is_signatory": True,
        "order": 30,
        "website": "https://www.val-de-marne.gouv.fr",
        "description": "Elle représente l’État dans le département.",
        "role_in_cls": "Elle porte le contrat avec la Ville et l’Agence régionale de santé.",
    },
    {
        "slug": "hopital-henri-mondor",
        "name": "Hôpital Henri-Mondor (AP-HP)",
        "kind": "hopital",
        "is_signatory": True,
        "order": 40,
        "description": "Grand hôpital de l’Assistance publique – Hôpitaux de Paris, installé à Créteil.",
        "role_in_cls": "Il apporte au contrat l’expertise de ses équipes soignantes.",
    },
    {
        "slug": "hopital-albert-chenevier",
        "name": "Hôpital Albert-Chenevier (AP-HP)",
        "kind": "hopital",
        "is_signatory": True,
        "order": 41,
        "description": "Hôpital de l’Assistance publique – Hôpitaux de Paris, installé à Créteil.",
        "role_in_cls": "Il apporte au contrat l’expertise de ses équipes soignantes.",
    },
    {
        "slug": "chi-creteil",
        "name": "Centre hospitalier intercommunal de Créteil",
        "acronym": "CHIC",
        "kind": "hopital",
        "is_signatory": True,
        "order": 42,
        "description": "L’hôpital intercommunal de Créteil accueille les patients de la ville et des "
        "communes voisines.",
        "role_in_cls": "Il participe au contrat aux côtés des autres hôpitaux de la ville.",
    },
    {
        "slug": "universite-paris-est-creteil",
        "name": "Université Paris-Est Créteil",
        "acronym": "UPEC",
        "kind": "universite",
        "is_signatory": True,
        "order": 50,
        "website": "https://www.u-pec.fr",
        "description": "L’université de Créteil forme des étudiants et mène des recherches, notamment "
        "dans le domaine de la santé.",
        "role_in_cls": "Elle met ses connaissances et ses étudiants au service des actions du contrat.",
    },
    {
        "slug": "faculte-de-medecine-upec",
        "name": "Faculté de médecine de l’Université Paris-Est Créteil",
        "kind": "universite",
        "is_signatory": True,
        "order": 51,
        "description": "Elle forme les futurs médecins et professionnels de santé.",
        "role_in_cls": "Elle participe au contrat, en lien avec les hôpitaux de la ville.",
    },
    {
        "slug": "cpam-du-val-de-marne",
        "name": "Caisse primaire d’assurance maladie du Val-de-Marne",
        "acronym": "CPAM",
        "kind": "institution",
        "is_signatory": True,
        "order": 60,
        "website": "https://www.ameli.fr",
        "description": "L’Assurance maladie rembourse les soins et gère la complémentaire santé solidaire (CSS).",
        "role_in_cls": "Elle aide les habitants à ouvrir leurs droits et participe aux campagnes de dépistage.",
    },
    {
        "slug": "cpts-de-creteil",
        "name": "Communauté professionnelle territoriale de santé de Créteil",
        "acronym": "CPTS",
        "kind": "professionnels",
        "is_signatory": True,
        "order": 70,
        "description": "Les professionnels de santé de ville (médecins, infirmiers, pharmaciens…) "
        "s’organisent ensemble pour mieux soigner la population.",
        "role_in_cls": "Elle tient la ligne téléphonique du Cami, ouvert en janvier 2024, et oriente les "
        "patients vers un médecin disponible.",
    },
    {
        "slug": "medecins-liberaux",
        "name": "Médecins libéraux de Créteil",
        "kind": "professionnels",
        "is_signatory": False,
        "order": 80,
        "description": "Les médecins qui exercent en cabinet, en ville.",
        "role_in_cls": "Ils soignent les habitants au quotidien et participent au contrat.",
    },
    {
        "slug": "ccas-de-creteil",
        "name": "Centre communal d’action sociale de Créteil – Prévention-Santé",
        "acronym": "CCAS",
        "kind": "collectivite",
        "is_signatory": False,
        "order": 90,
        "phone": settings.CCAS_PHONE,
        "description": "Le service Prévention-Santé du CCAS de la Ville de Créteil organise les actions "
        "du contrat local de santé et répond aux questions des habitants.",
        "role_in_cls": "Il coordonne le contrat au quotidien et anime le Conseil local de santé mentale.",
    },
    {
        "slug": "just",
        "name": "Just",
        "kind": "assureur",
        "is_signatory": False,
        "order": 100,
        "description": "Offre de complémentaire santé sans but lucratif, proposée dans de nombreuses "
        "communes de France.",
        "role_in_cls": "Elle assure la mutuelle communale de Créteil.",
    },
]

ACTIONS = [
    # Axe 1 : accès aux droits et aux soins
    {
        "slug": "mutuelle-communale",
        "title": "La mutuelle communale",
        "axis": 1,
        "kind": "dispositif",
        "status": "en_cours",
        "featured": True,
        "themes": ["complementaire-sante", "acces-aux-droits"],
        "audiences": ["tous-publics"],
        "lead_partner": "ville-de-creteil",
        "partners": ["just", "ccas-de-creteil"],
        "summary": "Une mutuelle moins chère pour les habitants de Créteil qui n’ont pas droit à la "
        "complémentaire santé solidaire (CSS). Pour vous soigner sans y renoncer faute d’argent.",
        "body": "Beaucoup de personnes ne se soignent pas, ou trop tard, parce que les soins coûtent cher. "
        "La Ville a lancé une mutuelle communale avec l’assureur Just : c’est la mesure principale "
        "du contrat local de santé.\n\n"
        "Elle s’adresse aux habitants de Créteil, quels que soient leur âge et leur situation. Il n’y a pas "
        "de questionnaire de santé et pas de délai d’attente avant d’être remboursé.\n\n"
        "Avant tout, un conseiller vérifie avec vous si vous avez droit à la complémentaire santé solidaire "
        "(CSS) de l’Assurance maladie : elle peut être gratuite ou coûter très peu. La mutuelle communale "
        "est proposée si vos revenus dépassent les plafonds de la CSS. "
        '<a href="/mutuelle/eligibilite/">Vérifiez en ligne à quoi vous avez droit</a>.\n\n'
        "Les formules, les prix et les dates des permanences sont sur la page "
        '<a href="/mutuelle/">Mutuelle communale</a>.',
        "how_to_join": "Appelez le CCAS Prévention-Santé ou "
        '<a href="/mutuelle/demande/">remplissez la demande en ligne sur la page Mutuelle communale</a>. '
        "Un conseiller vous rappelle et vous explique les formules et les prix.",
    },
    {
        "slug": "acces-aux-droits-complementaire-sante-solidaire",
        "title": "Connaître ses droits : la complémentaire santé solidaire",
        "axis": 1,
        "kind": "service",
        "status": "en_cours",
        "themes": ["acces-aux-droits", "complementaire-sante"],
        "audiences": ["tous-publics"],
        "lead_partner": "ccas-de-creteil",
        "partners": ["cpam-du-val-de-marne"],
        "summary": "Vous n’avez pas de mutuelle ? Vous avez peut-être droit à la complémentaire santé "
        "solidaire, gratuite ou à petit prix. Le CCAS vous aide à le savoir et à faire la demande.",
        "body": "La complémentaire santé solidaire (CSS) est une aide de l’Assurance maladie. Elle paie la "
        "part des soins que la Sécurité sociale ne rembourse pas. Selon vos revenus, elle est gratuite ou "
        "coûte quelques euros par mois.\n\n"
        "Beaucoup de personnes y ont droit sans le savoir. L’équipe Prévention-Santé du CCAS regarde votre "
        "situation avec vous, vous aide à remplir le dossier et vous oriente vers la mutuelle communale si "
        "la CSS ne vous concerne pas.\n\n"
        '<a href="/mutuelle/eligibilite/">Vérifiez en ligne si vous avez droit à la CSS</a>, en deux minutes.',
        "how_to_join": "Appelez le CCAS Prévention-Santé pour prendre rendez-vous. Apportez si possible "
        "votre carte Vitale et vos derniers avis d’imposition ou justificatifs de revenus.",
    },
    {
        "slug": "cami-centre-d-accueil-medical-initial",
        "title": "Le Cami : voir un médecin rapidement",
        "axis": 1,
        "kind": "service",
        "status": "en_cours",
        "featured": True,
        "start_date": datetime.date(2024, 1, 29),
        "themes": ["soins-non-programmes"],
        "audiences": ["tous-publics"],
        "lead_partner": "cpts-de-creteil",
        "partners": ["ville-de-creteil"],
        "summary": "Vous êtes malade et votre médecin ne peut pas vous recevoir ? Le centre d’accueil "
        "médical initial (Cami) vous trouve une consultation, sans passer par les urgences.",
        "body": "Le Cami a ouvert le 29 janvier 2024. Il aide les personnes qui ont besoin de voir un "
        "médecin vite, pour un problème qui n’est pas une urgence grave.\n\n"
        "Tout commence par un appel : la ligne téléphonique est tenue par la communauté professionnelle "
        "territoriale de santé (CPTS). Elle cherche un médecin disponible. S’il n’y en a pas, elle vous "
        "oriente vers le Sami, ouvert le soir, le week-end et les jours fériés.\n\n"
        "En cas d’urgence grave, appelez le 15.",
        "how_to_join": "Appelez la ligne du Cami. Pour connaître son numéro et ses horaires, appelez le CCAS "
        "Prévention-Santé.",
    },
    {
        "slug": "sami-soins-le-soir-et-le-week-end",
        "title": "Le Sami : un médecin le soir, le week-end et les jours fériés",
        "axis": 1,
        "kind": "service",
        "status": "en_cours",
        "themes": ["soins-non-programmes"],
        "audiences": ["tous-publics"],
        "partners": ["medecins-liberaux", "cpts-de-creteil", "ville-de-creteil"],
        "summary": "Votre médecin est fermé ? Le soir, le week-end et les jours fériés, un médecin vous reçoit "
        "au Sami, sans passer par les urgences.",
        "body": "Le Sami est un service de garde : des médecins y reçoivent les patients quand leur médecin "
        "habituel n’est pas disponible, le soir, le week-end et les jours fériés.\n\n"
        "Il évite d’attendre aux urgences de l’hôpital pour un problème de santé qui peut être soigné par "
        "un médecin de ville. Le Cami y oriente les patients quand aucun médecin n’est libre en journée.\n\n"
        "En cas d’urgence grave, appelez le 15.",
        "how_to_join": "Pour connaître l’adresse et les horaires du Sami, appelez le CCAS Prévention-Santé.",
    },
    {
        "slug": "centre-de-vaccination-covid-19",
        "title": "Le centre de vaccination contre le Covid-19",
        "axis": 1,
        "kind": "service",
        "status": "terminee",
        "themes": ["vaccination"],
        "audiences": ["tous-publics"],
        "lead_partner": "ville-de-creteil",
        "partners": ["ars-ile-de-france"],
        "summary": "Ce centre est fermé. Pendant l’épidémie de Covid-19, il a fait plus de 165 000 vaccins, "
        "grâce aux soignants et aux services de la ville.",
        "body": "Pendant la crise du Covid-19, la Ville et les acteurs de santé du territoire se sont "
        "mobilisés pour ouvrir un centre de vaccination. Plus de 165 000 injections y ont été faites.\n\n"
        "Ce travail en commun a montré à quoi sert le contrat local de santé : quand chacun apporte sa "
        "part, on protège mieux tout le monde.",
        "how_to_join": "Le centre est fermé. Pour vous faire vacciner aujourd’hui, demandez à votre médecin, "
        "à votre pharmacien, à un infirmier ou à une sage-femme.",
    },
    # Axe 2 : réduction des vulnérabilités
    {
        "slug": "perinatalite-1000-premiers-jours",
        "title": "Attendre un enfant : les 1000 premiers jours",
        "axis": 2,
        "kind": "ateliers",
        "status": "en_cours",
        "start_in_days": -35,
        "end_in_days": 90,
        "themes": ["perinatalite-et-petite-enfance", "sante-psychique"],
        "audiences": ["parents-et-futurs-parents", "femmes"],
        "lead_partner": "ccas-de-creteil",
        "summary": "Vous attendez un bébé ou vous êtes jeune parent ? Venez parler de votre santé et de votre "
        "moral, de la grossesse aux deux ans de l’enfant.",
        "body": "Les 1000 premiers jours, de la grossesse aux deux ans de l’enfant, comptent beaucoup pour "
        "sa santé et celle de ses parents. C’est une démarche nationale, que Créteil fait vivre près de "
        "chez vous.\n\n"
        "Pendant ces rencontres, les futures mamans et les parents parlent de leur santé physique, de "
        "la fatigue, du moral, et posent leurs questions à des professionnels. On peut venir seule, en "
        "couple ou avec son bébé.",
        "how_to_join": "Les rencontres sont gratuites. Appelez le CCAS Prévention-Santé pour connaître les "
        "prochaines dates et vous inscrire.",
    },
    {
        "slug": "lieux-d-accueil-enfants-parents",
        "title": "Les lieux d’accueil enfants-parents (LAEP)",
        "axis": 2,
        "kind": "service",
        "status": "en_cours",
        "featured": True,
        "themes": ["perinatalite-et-petite-enfance"],
        "audiences": ["enfants", "parents-et-futurs-parents"],
        "neighbourhoods": ["la-habette", "les-bleuets"],
        "lead_partner": "ville-de-creteil",
        "summary": "À la Habette et à l’Espace Jean Ferrat aux Bleuets, un lieu pour jouer et parler, pour "
        "les enfants de moins de 4 ans avec un parent, et pour les futures mamans.",
        "body": "Depuis janvier 2023, deux lieux d’accueil enfants-parents sont ouverts : l’un à la Habette, "
        "l’autre à l’Espace Jean Ferrat, dans le quartier des Bleuets.\n\n"
        "Les enfants de moins de 4 ans y viennent avec leur parent. Ils jouent et rencontrent d’autres "
        "enfants. Les adultes peuvent souffler, échanger entre parents et parler avec des accueillants. "
        "Les futures mamans sont les bienvenues.",
        "how_to_join": "L’accueil est gratuit. Pour les jours et les horaires d’ouverture, appelez le CCAS "
        "Prévention-Santé.",
    },
    # Axe 3 : santé mentale
    {
        "slug": "cafes-psycho",
        "title": "Les Cafés psycho",
        "axis": 3,
        "kind": "ateliers",
        "status": "en_cours",
        "featured": True,
        "start_in_days": -20,
        "end_in_days": 150,
        "themes": ["sante-psychique"],
        "audiences": ["tous-publics", "adultes"],
        "lead_partner": "ville-de-creteil",
        "partners": ["ccas-de-creteil"],
        "summary": "Des rencontres gratuites et ouvertes à tous pour parler de psychologie et de santé "
        "psychique, avec le professeur Antoine Pelissolo.",
        "body": "Le stress, le sommeil, l’anxiété, les relations avec les autres : ces questions touchent "
        "tout le monde. Les Cafés psycho permettent d’en parler simplement, dans un cadre convivial.\n\n"
        "La Ville les organise avec le professeur Antoine Pelissolo, psychiatre. Les habitants y viennent "
        "nombreux : ils ont repris dans le cadre du nouveau contrat local de santé.\n\n"
        "On peut écouter sans prendre la parole. Ce n’est pas une consultation : pour un besoin personnel, "
        "l’équipe vous indique à qui vous adresser.",
        "how_to_join": "L’entrée est libre et gratuite. Les dates des prochaines rencontres sont dans "
        "l’agenda ; vous pouvez aussi appeler le CCAS Prévention-Santé.",
    },
    {
        "slug": "conseil-local-de-sante-mentale",
        "title": "Le Conseil local de santé mentale (CLSM)",
        "axis": 3,
        "kind": "programme",
        "status": "en_cours",
        "themes": ["sante-psychique"],
        "audiences": ["professionnels", "tous-publics"],
        "lead_partner": "ccas-de-creteil",
        "partners": ["ville-de-creteil"],
        "summary": "Depuis 2016, il réunit à Créteil ceux qui aident les personnes en souffrance psychique : "
        "conférences, Cafés psycho, formations des professionnels, et une réunion chaque mois pour les cas "
        "difficiles.",
        "body": "Le Conseil local de santé mentale existe à Créteil depuis 2016. Il est animé par le service "
        "Prévention-Santé du CCAS, avec un psychologue chargé de la coordination.\n\n"
        "Il organise des conférences et les Cafés psycho pour le public. Il forme aussi les professionnels "
        "qui rencontrent des personnes en souffrance psychique.\n\n"
        "Chaque mois, une réunion permet aux professionnels de chercher ensemble des solutions pour des "
        "personnes dont la situation est complexe.",
        "how_to_join": "Vous êtes un professionnel et vous voulez participer, ou présenter une situation ? "
        "Contactez la coordination du CLSM au CCAS Prévention-Santé.",
    },
    # Axe 4 : promotion de la santé auprès des habitants
    {
        "slug": "prevention-bucco-dentaire",
        "title": "Prendre soin de ses dents",
        "axis": 4,
        "kind": "ateliers",
        "status": "en_cours",
        "start_in_days": -45,
        "end_in_days": 120,
        "themes": ["sante-bucco-dentaire"],
        "audiences": ["enfants", "parents-et-futurs-parents"],
        "lead_partner": "ccas-de-creteil",
        "summary": "Des ateliers pour apprendre à bien se brosser les dents et comprendre pourquoi la santé "
        "de la bouche compte, dès le plus jeune âge.",
        "body": "Une carie non soignée fait mal, gêne pour manger et peut abîmer la santé générale. De bonnes "
        "habitudes, prises tôt, évitent beaucoup de problèmes.\n\n"
        "Pendant les ateliers, les enfants et leurs parents apprennent les bons gestes de brossage, parlent "
        "du sucre et des boissons sucrées, et découvrent quand aller chez le dentiste.",
        "how_to_join": "Les ateliers ont lieu régulièrement dans les écoles et les structures de quartier. "
        "Pour en organiser un ou y participer, appelez le CCAS Prévention-Santé.",
    },
    {
        "slug": "nutrition-bien-manger",
        "title": "Bien manger au quotidien",
        "axis": 4,
        "kind": "ateliers",
        "status": "en_cours",
        "start_in_days": -30,
        "end_in_days": 100,
        "themes": ["nutrition"],
        "audiences": ["tous-publics", "enfants", "parents-et-futurs-parents"],
        "lead_partner": "ccas-de-creteil",
        "summary": "Des ateliers pour manger équilibré sans dépenser plus : idées de repas, lecture des "
        "étiquettes, place du sucre et du sel.",
        "body": "Bien manger aide à rester en forme et protège de plusieurs maladies. Ce n’est pas toujours "
        "simple quand on manque de temps ou d’argent.\n\n"
        "Les ateliers donnent des repères concrets : composer un repas, lire une étiquette, limiter le sucre, "
        "le sel et le gras, cuisiner avec des produits simples. On y partage aussi ses astuces.",
        "how_to_join": "Ateliers gratuits. Appelez le CCAS Prévention-Santé pour connaître les prochaines séances.",
    },
    {
        "slug": "ecrans-en-famille",
        "title": "Les écrans en famille",
        "axis": 4,
        "kind": "ateliers",
        "status": "a_venir",
        "start_in_days": 18,
        "end_in_days": 75,
        "themes": ["ecrans-et-numerique"],
        "audiences": ["parents-et-futurs-parents", "enfants", "adolescents-et-jeunes"],
        "lead_partner": "ccas-de-creteil",
        "summary": "Télévision, tablette, téléphone, jeux vidéo : des rencontres pour les parents, pour "
        "trouver la juste place des écrans à la maison.",
        "body": "Les écrans font partie de la vie de famille. Trop d’écran peut gêner le sommeil, le langage "
        "des petits, la concentration et le lien avec les autres.\n\n"
        "Ces rencontres aident les parents à poser des règles simples selon l’âge de l’enfant, à proposer "
        "d’autres activités et à parler d’internet et des réseaux sociaux avec les plus grands. Sans "
        "jugement : chaque famille fait avec sa réalité.",
        "how_to_join": "Un nouveau cycle commence bientôt. Inscription gratuite auprès du CCAS Prévention-Santé.",
    },
    {
        "slug": "vie-affective-et-sante-sexuelle",
        "title": "Vie affective et santé sexuelle des jeunes",
        "axis": 4,
        "kind": "programme",
        "status": "en_cours",
        "themes": ["vie-affective-et-sexuelle"],
        "audiences": ["adolescents-et-jeunes"],
        "lead_partner": "ccas-de-creteil",
        "summary": "Des interventions auprès des jeunes pour parler de relations amoureuses, de respect "
        "entre filles et garçons, de consentement et de santé sexuelle.",
        "body": "L’adolescence est l’âge des premières relations. Les jeunes ont des questions et ne savent "
        "pas toujours à qui les poser.\n\n"
        "Des professionnels interviennent dans les établissements et les structures de jeunesse. Ils "
        "parlent de respect, d’égalité et de relations entre filles et garçons, de consentement, de "
        "contraception et de protection contre les infections sexuellement transmissibles.",
        "how_to_join": "Vous travaillez avec des jeunes et souhaitez une intervention ? Appelez le CCAS "
        "Prévention-Santé.",
    },
    {
        "slug": "octobre-rose",
        "title": "Octobre rose : le dépistage du cancer du sein",
        "axis": 4,
        "kind": "campagne",
        "campaign_month": 10,
        "themes": ["depistage-des-cancers"],
        "audiences": ["femmes"],
        "lead_partner": "ville-de-creteil",
        "partners": ["ccas-de-creteil", "cpam-du-val-de-marne"],
        "summary": "En octobre, informez-vous sur le dépistage du cancer du sein : repéré tôt, il se soigne "
        "beaucoup mieux.",
        "body": "Le cancer du sein est le cancer le plus fréquent chez les femmes. Détecté tôt, il se soigne "
        "beaucoup mieux.\n\n"
        "De 50 à 74 ans, les femmes sont invitées tous les deux ans à faire une mammographie, prise en "
        "charge par l’Assurance maladie. En octobre, des stands et des rencontres permettent de s’informer "
        "et de poser ses questions.",
        "how_to_join": "Le programme d’octobre est dans l’agenda. Pour toute question sur le dépistage, "
        "parlez-en à votre médecin ou appelez le CCAS Prévention-Santé.",
    },
    {
        "slug": "mars-bleu",
        "title": "Mars bleu : le dépistage du cancer colorectal",
        "axis": 4,
        "kind": "campagne",
        "campaign_month": 3,
        "themes": ["depistage-des-cancers"],
        "audiences": ["adultes", "seniors"],
        "lead_partner": "ville-de-creteil",
        "partners": ["ccas-de-creteil", "cpam-du-val-de-marne"],
        "summary": "En mars, découvrez le test de dépistage du cancer de l’intestin (colorectal) : simple, et "
        "à faire chez vous.",
        "body": "Le cancer colorectal touche les femmes comme les hommes. Repéré tôt, il se guérit dans la "
        "grande majorité des cas.\n\n"
        "De 50 à 74 ans, un test rapide à faire chez soi est proposé tous les deux ans. En mars, des "
        "actions d’information expliquent comment l’obtenir et l’utiliser.",
        "how_to_join": "Demandez le test à votre médecin ou à votre pharmacien. Le programme de mars est "
        "dans l’agenda.",
    },
    {
        "slug": "juin-vert",
        "title": "Juin vert : le dépistage du cancer du col de l’utérus",
        "axis": 4,
        "kind": "campagne",
        "campaign_month": 6,
        "themes": ["depistage-des-cancers"],
        "audiences": ["femmes"],
        "lead_partner": "ville-de-creteil",
        "partners": ["ccas-de-creteil", "cpam-du-val-de-marne"],
        "summary": "En juin, informez-vous sur le dépistage du cancer du col de l’utérus : il permet de l’éviter.",
        "body": "Le cancer du col de l’utérus peut être évité grâce au dépistage, qui repère des lésions "
        "avant qu’elles deviennent un cancer.\n\n"
        "De 25 à 65 ans, les femmes sont invitées à se faire dépister régulièrement, chez un médecin, un "
        "gynécologue ou une sage-femme. En juin, des actions d’information répondent aux questions.",
        "how_to_join": "Parlez-en à votre médecin ou à une sage-femme. Le programme de juin est dans l’agenda.",
    },
    {
        "slug": "mois-sans-tabac",
        "title": "Mois sans tabac",
        "axis": 4,
        "kind": "campagne",
        "campaign_month": 11,
        "themes": ["tabac"],
        "audiences": ["adultes", "adolescents-et-jeunes"],
        "lead_partner": "ville-de-creteil",
        "partners": ["ccas-de-creteil"],
        "summary": "En novembre, on arrête de fumer ensemble pendant un mois. Des rencontres et des conseils "
        "pour se lancer et tenir.",
        "body": "Un mois sans fumer multiplie les chances d’arrêter pour de bon. En novembre, des fumeurs "
        "partout en France relèvent le défi ensemble.\n\n"
        "À Créteil, des stands et des rencontres permettent de s’informer sur les aides pour arrêter et "
        "sur les substituts nicotiniques, et de trouver du soutien.",
        "how_to_join": "Inscrivez-vous au défi national, parlez-en à votre médecin ou à votre pharmacien, ou "
        "appelez Tabac info service au 39 89.",
    },
    {
        "slug": "activite-physique",
        "title": "Bouger plus, près de chez soi",
        "axis": 4,
        "kind": "programme",
        "status": "en_cours",
        "themes": ["activite-physique"],
        "audiences": ["tous-publics"],
        "lead_partner": "ville-de-creteil",
        "summary": "Des activités pour bouger à votre rythme, près de chez vous. Elles partent de ce que les "
        "habitants ont dit avant les Jeux de Paris 2024.",
        "body": "Bouger un peu chaque jour est bon pour le cœur, le moral et le sommeil, à tout âge.\n\n"
        "Avant les Jeux de Paris 2024, la Ville a interrogé les Cristoliens sur leur pratique du sport : ce "
        "qui les motive et ce qui les freine. Les actions proposées partent de leurs réponses, pour que "
        "chacun trouve une activité à son rythme.",
        "how_to_join": "Les prochaines activités sont dans l’agenda. Pour trouver celle qui vous convient, "
        "appelez le CCAS Prévention-Santé.",
    },
    {
        "slug": "bilans-de-forme",
        "title": "Les bilans de forme",
        "axis": 4,
        "kind": "ateliers",
        "status": "en_cours",
        "start_in_days": -14,
        "end_in_days": 160,
        "themes": ["activite-physique", "nutrition"],
        "audiences": ["adultes", "seniors"],
        "neighbourhoods": ["mont-mesly"],
        "lead_partner": "ccas-de-creteil",
        "summary": "Quelques minutes pour faire le point sur sa forme physique, lors de temps forts en ville, "
        "par exemple au marché du Mont-Mesly.",
        "body": "Un bilan de forme est un petit test simple : souplesse, équilibre, endurance. Il permet de "
        "savoir où l’on en est et de recevoir des conseils pour bouger davantage.\n\n"
        "Ces bilans sont proposés lors de temps forts, là où les habitants se trouvent, comme au marché du "
        "Mont-Mesly. Ce n’est pas un examen médical : en cas de doute sur votre santé, parlez-en à votre "
        "médecin.",
        "how_to_join": "Gratuit et sans inscription, pendant les temps forts annoncés dans l’agenda.",
    },
    # Axe 5 : santé environnementale
    {
        "slug": "cadre-de-vie-et-sante",
        "title": "Cadre de vie et santé",
        "axis": 5,
        "kind": "programme",
        "status": "en_cours",
        "themes": ["cadre-de-vie"],
        "audiences": ["tous-publics"],
        "lead_partner": "ville-de-creteil",
        "partners": ["ars-ile-de-france"],
        "summary": "L’air, le logement, le bruit, ce que l’on mange : ce qui nous entoure compte pour la santé. "
        "La Ville et ses partenaires y travaillent.",
        "body": "La santé ne dépend pas seulement de chacun. Le lieu où l’on vit, la qualité de l’air et du "
        "logement, le bruit ou l’accès à une alimentation de qualité jouent aussi un rôle.\n\n"
        "Le contrat signé en 2022 donne plus de place à ces questions. La Ville et ses partenaires "
        "travaillent à des actions sur le cadre de vie ; elles seront présentées ici.\n\n"
        "Un geste simple dès aujourd’hui : aérer son logement quelques minutes chaque jour, même en hiver.",
        "how_to_join": "Une question sur la santé et votre logement ou votre quartier ? Appelez le CCAS "
        "Prévention-Santé.",
    },
]

# Loading --------------------------------------------------------------------------------------


def load_initial_content(*, today):
    """Create the missing objectives, taxonomies, partners and actions; called by ``load_cls_content``.

    Idempotent: a row is identified by its slug (an objective by its number, a theme, audience or
    neighbourhood also by its name) and is created only when missing; an existing row is left as
    it is, so what editors change in the admin survives a re-run. Returns the lines of the
    command's summary: (label, feminine, (created, existing)).
    """
    return [
        ("Objectifs", False, create_missing(Objective, OBJECTIVES, key="number")),
        ("Thèmes", False, create_missing(Theme, THEMES, by_name=True)),
        ("Publics", False, create_missing(Audience, AUDIENCES, by_name=True)),
        ("Quartiers", False, create_missing(Neighbourhood, NEIGHBOURHOODS, by_name=True)),
        ("Partenaires", False, create_missing(Partner, PARTNERS)),
        ("Actions", True, create_actions(today)),
    ]


ACTION_M2M = {"themes": Theme, "audiences": Audience, "neighbourhoods": Neighbourhood, "partners": Partner}


def campaign_dates(month, today):
    """The current or next edition of a yearly campaign: (first day, last day, status)."""
    year = today.year if month >= today.month else today.year + 1
    start = datetime.date(year, month, 1)
    end = datetime.date(year, month, calendar.monthrange(year, month)[1])
    return start, end, ActionStatus.ONGOING if month == today.month else ActionStatus.UPCOMING


def create_missing(model, rows, key="slug", by_name=False, build=None):
    created = existing = 0
    for row in rows:
        lookup = Q(**{key: row[key]})
        if by_name:  # names are unique too: an editor may have created the same one under another slug
            lookup |= Q(name=row["name"])
        if model._default_manager.filter(lookup).exists():
            existing += 1
            continue
        fields, relations = build(row) if build else (row, {})
        if any(field.name == "published" for field in model._meta.concrete_fields):
            # The contract's own content goes online as it is loaded (a new object is otherwise a draft).
            fields = {"published": True, **fields}
        obj = model(**fields)
        obj.full_clean()
        obj._change_reason = CHANGE_REASON
        obj.save()
        with one_version(obj):  # the object and its relations: one version, not one per relation
            for name, values in relations.items():
                getattr(obj, name).set(values)
        created += 1
    return created, existing


def create_actions(today):
    axes = {axis.number: axis for axis in Axis.objects.all()}
    missing = {row["axis"] for row in ACTIONS} - set(axes)
    if missing:
        raise CommandError("Les axes du CLS manquent en base : lancez d’abord « python manage.py migrate ».")
    return create_missing(Action, ACTIONS, build=lambda row: build_action(row, axes=axes, today=today))


def build_action(row, *, axes, today):
    """The fields and the many-to-many values of a new action, from one row of the content."""
    fields = {key: value for key, value in row.items() if key not in ACTION_M2M}
    fields.pop("start_in_days", None)
    fields.pop("end_in_days", None)
    fields["axis"] = axes[row["axis"]]
    lead = row.get("lead_partner")
    fields["lead_partner"] = Partner.objects.filter(slug=lead).first() if lead else None
    # No contact of its own: the action's page gives the CCAS's, from the site's settings (never copied).
    if row.get("kind") == ActionKind.CAMPAIGN:
        fields["start_date"], fields["end_date"], fields["status"] = campaign_dates(row["campaign_month"], today)
    if "start_in_days" in row:
        fields["start_date"] = today + datetime.timedelta(days=row["start_in_days"])
    if "end_in_days" in row:
        fields["end_date"] = today + datetime.timedelta(days=row["end_in_days"])
    # A slug that an editor has deleted since is skipped rather than failing the whole load.
    relations = {name: model.objects.filter(slug__in=row.get(name, [])) for name, model in ACTION_M2M.items()}
    return fields, {name: values for name, values in relations.items() if row.get(name)}
