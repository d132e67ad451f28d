"""Initial places and upcoming events of the agenda, loaded by ``python manage.py load_cls_content``.

Places are plain data, identified by their slug, like the rest of the initial content. Only
what the sources say is written: the Hôtel de Ville's address is known; for the other places
only their quartier, and the editors complete the street, transport and accessibility. A street
address that no source gives (the two LAEP, the Cami, the Sami) is left empty: the pages say
« adresse à confirmer » and give the CCAS phone.

The CCAS phone is never copied into the content: it lives in the site's settings (« Réglages du
site »), and the pages read it from there when they are shown. Events for which one registers
with the CCAS get ``registration_with_ccas``; places without accessibility notes get the pages'
own « appelez le CCAS au … » (with the settings' phone).

Events are generated from ``SERIES`` (a Café psycho every second Thursday…) for the three
months that follow the day of the run. Each one is identified by a slug made of the series
and the date (``cafe-psycho-2026-12-10``): a run the same day creates nothing, a run a month
later adds only the dates that have entered the window. A slug that existed once is never
created again, so an event that an editor deleted (or renamed) stays deleted. An existing
event is never modified. French public holidays are skipped. The days and hours are
plausible, not announced ones: editors check them in the admin.
"""

import datetime

from django.utils import timezone
from django.utils.text import slugify

from actions.enums import ActionKind
from actions.models import Action, Audience, Neighbourhood
from core.dates import french_public_holidays
from core.history import CHANGE_REASON, one_version

from .enums import Registration
from .models import Event, Place
from .services import LAST, add_months, nth_weekday

WINDOW_MONTHS = 3

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)

PLACES = [
    {
        "slug": "hotel-de-ville-de-creteil",
        "name": "Hôtel de Ville de Créteil",
        "address": "Place Salvador-Allende, 94000 Créteil",
        "description": "La mairie de Créteil. À l’accueil, on vous indique la salle de la rencontre.",
        "public_transport": "Métro ligne 8, station Créteil – Préfecture.",
    },
    {
        "slug": "laep-la-habette",
        "name": "Lieu d’accueil enfants-parents de la Habette",
        # No street address in the sources (only the quartier): « adresse à confirmer ».
        "neighbourhood": "la-habette",
        "actions": ["lieux-d-accueil-enfants-parents"],
        "description": "Ouvert depuis janvier 2023, le lieu d’accueil enfants-parents (LAEP) de la Habette reçoit "
        "les enfants de moins de 4 ans avec un parent, et les futures mamans.",
    },
    {
        "slug": "espace-jean-ferrat",
        "name": "Espace Jean Ferrat",
        # No street address in the sources (only the quartier): « adresse à confirmer ».
        "neighbourhood": "les-bleuets",
        "actions": ["lieux-d-accueil-enfants-parents"],
        "description": "Dans le quartier des Bleuets, l’Espace Jean Ferrat accueille depuis janvier 2023 un lieu "
        "d’accueil enfants-parents (LAEP), pour les enfants de moins de 4 ans avec un parent, et les futures "
        "mamans.",
    },
    {
        "slug": "marche-du-mont-mesly",
        "name": "Marché du Mont-Mesly",
        "address": "Quartier du Mont-Mesly, 94000 Créteil",
        "neighbourhood": "mont-mesly",
        "actions": ["bilans-de-forme"],
        "description": "Le marché du quartier du Mont-Mesly, où des bilans de forme sont proposés lors de temps "
        "forts. Le stand se trouve parmi les étals.",
    },
    # The Cami and the Sami: what the sources say (FACTS.md); their address, phone and hours are not
    # known yet — left empty, the pages say « à confirmer » and send to the CCAS.
    {
        "slug": "cami-de-creteil",
        "name": "Cami : centre d’accueil médical initial",
        "actions": ["cami-centre-d-accueil-medical-initial"],
        "description": "Ouvert le 29 janvier 2024, le Cami aide à voir un médecin vite, pour un problème qui n’est "
        "pas une urgence grave. Tout commence par un appel : sa ligne téléphonique est tenue par les professionnels "
        "de santé de la ville (CPTS). Quand aucun médecin n’est libre, elle vous oriente vers le Sami.",
    },
    {
        "slug": "sami-de-creteil",
        "name": "Sami : un médecin le soir, le week-end et les jours fériés",
        "actions": ["sami-soins-le-soir-et-le-week-end"],
        "opening_hours": "Le soir, le week-end et les jours fériés : heures à confirmer",
        "description": "Quand les cabinets médicaux sont fermés, des médecins reçoivent au Sami les patients "
        "dont le problème de santé ne peut pas attendre, sans passer par les urgences de l’hôpital.",
    },
]

# One row per recurring event. ``rule``: ("hebdomadaire", weekday) or ("mensuel", weekday,
# ranks) with ranks such as (2,) for « le 2e jeudi » or (LAST,) for « le dernier jeudi ».
# A series of a campaign action happens only in the campaign's month; a series of an action
# with dates stays within them. ``weeks``: a shorter window, for weekly opening hours.
SERIES = [
    {
        "key": "cafe-psycho",
        "action": "cafes-psycho",
        "title": "Café psycho",
        "place": "hotel-de-ville-de-creteil",
        "rule": ("mensuel", THURSDAY, (2,)),
        "hours": ((19, 0), (21, 0)),
        "audiences": ["tous-publics", "adultes"],
        "description": "Une soirée pour parler simplement de psychologie et de santé psychique, organisée par la "
        "Ville avec le professeur Antoine Pelissolo. On peut écouter sans prendre la parole. Le thème de la "
        "soirée est annoncé quelques semaines avant.\n\nEntrée libre et gratuite, sans inscription.",
    },
    {
        "key": "permanence-mutuelle-communale",
        "action": "mutuelle-communale",
        "title": "Permanence de la mutuelle communale",
        "place": "hotel-de-ville-de-creteil",
        "rule": ("mensuel", TUESDAY, (3,)),
        "hours": ((9, 0), (12, 0)),
        "audiences": ["tous-publics"],
        "registration": Registration.RECOMMENDED,
        "registration_with_ccas": True,
        "description": "Un conseiller répond à vos questions sur la mutuelle communale : formules, prix, "
        "démarches. Il vérifie d’abord avec vous si vous avez droit à la complémentaire santé solidaire (CSS), "
        "gratuite ou à petit prix.\n\nApportez si possible votre carte Vitale et un justificatif de revenus. "
        "Prenez rendez-vous par téléphone pour éviter d’attendre.\n\n"
        'Avant de venir : <a href="/mutuelle/">la mutuelle communale, ses formules et ses prix</a>, '
        '<a href="/mutuelle/eligibilite/">vérifier en ligne à quoi vous avez droit</a> ou '
        '<a href="/mutuelle/demande/">demander à être rappelé(e)</a>.',
    },
    {
        "key": "bilan-de-forme-mont-mesly",
        "action": "bilans-de-forme",
        "title": "Bilan de forme au marché du Mont-Mesly",
        "place": "marche-du-mont-mesly",
        "rule": ("mensuel", SATURDAY, (1,)),
        "hours": ((9, 30), (12, 30)),
        "audiences": ["adultes", "seniors"],
        "description": "Quelques minutes pour tester votre souplesse, votre équilibre et votre endurance, et "
        "repartir avec des conseils pour bouger davantage. Ce n’est pas un examen médical.\n\n"
        "Gratuit, sans inscription : passez au stand pendant votre marché.",
    },
    {
        "key": "atelier-bucco-dentaire",
        "action": "prevention-bucco-dentaire",
        "title": "Atelier « Prendre soin de ses dents »",
        "place": "espace-jean-ferrat",
        "rule": ("mensuel", WEDNESDAY, (1,)),
        "hours": ((14, 0), (15, 30)),
        "audiences": ["enfants", "parents-et-futurs-parents"],
        "registration": Registration.RECOMMENDED,
        "registration_with_ccas": True,
        "description": "Un atelier pour les enfants et leurs parents : les bons gestes du brossage, le sucre et "
        "les boissons sucrées, quand aller chez le dentiste. Gratuit.",
    },
    {
        "key": "atelier-nutrition",
        "action": "nutrition-bien-manger",
        "title": "Atelier « Bien manger au quotidien »",
        "place": "hotel-de-ville-de-creteil",
        "rule": ("mensuel", WEDNESDAY, (3,)),
        "hours": ((14, 0), (16, 0)),
        "audiences": ["tous-publics", "parents-et-futurs-parents"],
        "registration": Registration.RECOMMENDED,
        "registration_with_ccas": True,
        "description": "Des repères simples pour manger équilibré sans dépenser plus : composer un repas, lire une "
        "étiquette, limiter le sucre, le sel et le gras. Chacun peut partager ses astuces. Gratuit.",
    },
    {
        "key": "ecrans-en-famille",
        "action": "ecrans-en-famille",
        "title": "Rencontre « Les écrans en famille »",
        "place": "espace-jean-ferrat",
        "rule": ("mensuel", TUESDAY, (2, 4)),
        "hours": ((18, 30), (20, 0)),
        "audiences": ["parents-et-futurs-parents"],
        "registration": Registration.REQUIRED,
        "registration_with_ccas": True,
        "description": "Une rencontre entre parents pour trouver la juste place des écrans à la maison : règles "
        "selon l’âge, autres activités, internet et réseaux sociaux. Sans jugement.\n\n"
        "Gratuit, sur inscription auprès du CCAS Prévention-Santé.",
    },
    {
        "key": "laep-la-habette",
        "action": "lieux-d-accueil-enfants-parents",
        "title": "Accueil enfants-parents à la Habette",
        "place": "laep-la-habette",
        "rule": ("hebdomadaire", TUESDAY),
        "weeks": 4,
        "hours": ((9, 0), (11, 30)),
        "audiences": ["enfants", "parents-et-futurs-parents"],
        "description": "Le lieu d’accueil enfants-parents est ouvert : venez jouer et rencontrer d’autres "
        "familles avec votre enfant de moins de 4 ans. Les futures mamans sont les bienvenues.\n\n"
        "Gratuit, sans inscription : arrivez et repartez quand vous voulez.",
    },
    {
        "key": "laep-espace-jean-ferrat",
        "action": "lieux-d-accueil-enfants-parents",
        "title": "Accueil enfants-parents à l’Espace Jean Ferrat",
        "place": "espace-jean-ferrat",
        "rule": ("hebdomadaire", FRIDAY),
        "weeks": 4,
        "hours": ((9, 0), (11, 30)),
        "audiences": ["enfants", "parents-et-futurs-parents"],
        "description": "Le lieu d’accueil enfants-parents des Bleuets est ouvert : venez jouer et rencontrer "
        "d’autres familles avec votre enfant de moins de 4 ans. Les futures mamans sont les bienvenues.\n\n"
        "Gratuit, sans inscription : arrivez et repartez quand vous voulez.",
    },
    # Campaign days: only in the campaign's month, when it falls within the window.
    {
        "key": "mois-sans-tabac-stand",
        "action": "mois-sans-tabac",
        "title": "Mois sans tabac : stand d’information",
        "place": "hotel-de-ville-de-creteil",
        "rule": ("mensuel", THURSDAY, (LAST,)),
        "hours": ((14, 0), (17, 0)),
        "audiences": ["adultes", "adolescents-et-jeunes"],
        "description": "Vous voulez arrêter de fumer, ou aider un proche ? Venez vous informer sur les aides pour "
        "arrêter et les substituts nicotiniques, et trouver du soutien. Gratuit, sans inscription.",
    },
    {
        "key": "mars-bleu-stand",
        "action": "mars-bleu",
        "title": "Mars bleu : tout savoir sur le dépistage du cancer colorectal",
        "place": "hotel-de-ville-de-creteil",
        "rule": ("mensuel", THURSDAY, (3,)),
        "hours": ((14, 0), (17, 0)),
        "audiences": ["adultes", "seniors"],
        "description": "De 50 à 74 ans, un test simple à faire chez soi permet de repérer tôt un cancer "
        "colorectal. Venez poser vos questions et savoir comment obtenir le test. Gratuit, sans inscription.",
    },
    {
        "key": "octobre-rose-stand",
        "action": "octobre-rose",
        "title": "Octobre rose : parlons du dépistage du cancer du sein",
        "place": "hotel-de-ville-de-creteil",
        "rule": ("mensuel", THURSDAY, (2,)),
        "hours": ((14, 0), (17, 0)),
        "audiences": ["femmes"],
        "description": "De 50 à 74 ans, une mammographie tous les deux ans, prise en charge par l’Assurance "
        "maladie, permet de repérer tôt un cancer du sein. Venez vous informer et poser vos questions. "
        "Gratuit, sans inscription.",
    },
    {
        "key": "juin-vert-stand",
        "action": "juin-vert",
        "title": "Juin vert : le dépistage du cancer du col de l’utérus",
        "place": "hotel-de-ville-de-creteil",
        "rule": ("mensuel", THURSDAY, (2,)),
        "hours": ((14, 0), (17, 0)),
        "audiences": ["femmes"],
        "description": "De 25 à 65 ans, un dépistage régulier chez un médecin, un gynécologue ou une sage-femme "
        "évite la plupart des cancers du col de l’utérus. Venez poser vos questions. Gratuit, sans inscription.",
    },
]


# Dates --------------------------------------------------------------------------------------


def rule_dates(rule, first, last):
    """The dates of ``rule`` between ``first`` and ``last`` (both included)."""
    kind, weekday, *rest = rule
    if kind == "hebdomadaire":
        day = first + datetime.timedelta(days=(weekday - first.weekday()) % 7)
        while day <= last:
            yield day
            day += datetime.timedelta(days=7)
        return
    (ranks,) = rest
    month = first.replace(day=1)
    while month <= last:
        for rank in ranks:
            day = nth_weekday(month.year, month.month, weekday, rank)
            if day and first <= day <= last:
                yield day
        month = add_months(month, 1)


def series_dates(row, action, today):
    """The dates of one series from tomorrow to the end of the window, as the action allows."""
    first = today + datetime.timedelta(days=1)
    last = add_months(today, WINDOW_MONTHS)
    if "weeks" in row:
        last = min(last, today + datetime.timedelta(weeks=row["weeks"]))

    def in_action(day):
        if action.kind == ActionKind.CAMPAIGN:
            return day.month == action.campaign_month
        return (action.start_date or first) <= day <= (action.end_date or last)

    return [
        day
        for day in sorted(rule_dates(row["rule"], first, last))
        if in_action(day) and day not in french_public_holidays(day.year)
    ]


def event_slug(row, day):
    return slugify(f"{row['key']}-{day:%Y-%m-%d}")


# Loading --------------------------------------------------------------------------------------


def load_initial_content(*, today):
    """Create the missing places and events; called by ``load_cls_content`` inside its transaction.

    Returns the lines of the command's summary: (label, feminine, (created, existing)).
    """
    return [
        ("Lieux", False, create_places()),
        ("Événements", False, create_events(today)),
    ]


def create_places():
    created = existing = 0
    neighbourhoods = {
        n.slug: n for n in Neighbourhood.objects.filter(slug__in=[p.get("neighbourhood") for p in PLACES])
    }
    for row in PLACES:
        if Place.objects.filter(slug=row["slug"]).exists():
            existing += 1
            continue
        fields = {key: value for key, value in row.items() if key != "actions"}
        place = Place(**{"published": True, **fields, "neighbourhood": neighbourhoods.get(row.get("neighbourhood"))})
        place.full_clean()
        place._change_reason = CHANGE_REASON
        place.save()
        # An action an editor has deleted since is skipped. The place and its actions: one version.
        with one_version(place):
            place.actions.set(Action.objects.filter(slug__in=row.get("actions", [])))
        created += 1
    return created, existing


def create_events(today):
    actions = {action.slug: action for action in Action.objects.filter(slug__in={row["action"] for row in SERIES})}
    places = {place.slug: place for place in Place.objects.filter(slug__in={row["place"] for row in SERIES})}
    audiences = {audience.slug: audience for audience in Audience.objects.all()}
    tz = timezone.get_default_timezone()  # Europe/Paris: 19 h stays 19 h after the change of time

    planned = []  # (row, action, day, slug)
    for row in SERIES:
        action = actions.get(row["action"])
        if action is None:  # deleted by an editor: its events are not recreated
            continue
        planned += [(row, action, day, event_slug(row, day)) for day in series_dates(row, action, today)]
    slugs = [slug for *_, slug in planned]
    # A slug that ever existed is left alone: present, or deleted / renamed by an editor.
    known = set(Event.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    known |= set(Event.history.filter(slug__in=slugs).values_list("slug", flat=True))

    created = 0
    for row, action, day, slug in planned:
        if slug in known:
            continue
        (start_hour, start_minute), (end_hour, end_minute) = row["hours"]
        event = Event(
            title=row["title"],
            slug=slug,
            action=action,
            place=places.get(row["place"]),
            start=datetime.datetime.combine(day, datetime.time(start_hour, start_minute), tzinfo=tz),
            end=datetime.datetime.combine(day, datetime.time(end_hour, end_minute), tzinfo=tz),
            description=row["description"],
            registration=row.get("registration", Registration.NONE),
            registration_with_ccas=row.get("registration_with_ccas", False),
            published=True,  # the contract's own agenda goes online as it is loaded
        )
        event.full_clean()
        event._change_reason = CHANGE_REASON
        event.save()
        with one_version(event):
            event.audiences.set([audiences[key] for key in row.get("audiences", []) if key in audiences])
        created += 1
    return created, len(planned) - created
