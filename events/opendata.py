"""Places and events as open data (core/opendata.py), and the events in OpenAgenda's shape (events/openagenda.py).

Events: every published event of a published action, past and upcoming, soonest first. An
event's place is given (its identifier, name and address) only if the place is published too.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from actions.models import Action
from core.opendata import Column, Dataset, ForeignKey, id_column, page_url, slug_column
from core.rich_text import plain_text

from .enums import AccessibilityNeed, EventStatus, Registration
from .filters import EventFilter, PlaceFilter
from .models import Event, EventAttendance, Place


def published_places():
    return (
        Place.objects.published()
        .select_related("neighbourhood")
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.published().order_by("pk"), to_attr="public_actions")
        )
        .order_by("pk")
    )


# The fields of an event's action and place that the events' columns never read, nor the OpenAgenda
# export (events/openagenda.py), which reads the same rows (the action's summary and image).
UNREAD_FIELDS = {
    "action": ("search_text", "search_vector", "body", "how_to_join"),
    "place": ("search_text", "search_vector", "description", "public_transport", "accessibility_notes"),
}


def _unread_fields():
    """What no column reads, not loaded: the search's columns, the texts of the action and of the place."""
    return (
        "search_text",
        "search_vector",
        *(f"{related}__{name}" for related, names in UNREAD_FIELDS.items() for name in names),
    )


def published_events():
    return (
        Event.objects.published()
        .select_related("action__axis", "place__neighbourhood")
        .defer(*_unread_fields())
        # Lists (to_attr), not managers: no queryset cloned per event and relation (Event.for_whom reads them).
        .prefetch_related(
            Prefetch("audiences", to_attr="audience_list"),
            Prefetch("action__audiences", to_attr="audience_list"),
        )
        .order_by("start", "pk")
    )


def public_place(event):
    place = event.place
    return place if place is not None and place.is_public else None


def _of_place(read):
    def value(event):
        place = public_place(event)
        return read(place) if place is not None else None

    return value


def accessibility(place):
    return [need.value for need in AccessibilityNeed if getattr(place, f"serves_{need.value}")]


def registration_link(event):
    """The portal's form for « Inscription sur ce site », else the organiser's link (or nothing)."""
    if event.takes_registrations_on_portal:
        return settings.SITE_URL + event.get_registration_url()
    return event.registration_url or None


def registration_phone(event):
    return event.registration_phone_number() or None


ACCESSIBILITY_HELP = "Handicaps pour lesquels le lieu est aménagé : " + ", ".join(
    f"{need.value} ({need.label.lower()})" for need in AccessibilityNeed
)

PLACES = Dataset(
    slug="lieux",
    shows=("events", "actions"),
    title="Lieux des actions et des événements",
    description="Les lieux publiés sur le portail où se tiennent les actions et les événements du CLS : adresse, "
    "quartier, coordonnées, accessibilité.",
    queryset=published_places,
    filterset_class=PlaceFilter,
    filters_help="Par quartier et par accessibilité.",
    parameters_help={
        "quartier": "Nom du quartier dans les adresses (son « slug »).",
        "accessibilite": "Le lieu est aménagé pour ce handicap : auditif, visuel, psychique, moteur ou intellectuel.",
    },
    position=30,
    api_name="Lieu",
    columns=[
        id_column("du lieu"),
        slug_column("du lieu"),
        Column("nom", "string", "Nom", "Nom du lieu.", lambda p: p.name, required=True),
        Column("adresse", "string", "Adresse", "Numéro, rue, code postal et ville.", lambda p: p.address or None),
        Column(
            "quartier",
            "string",
            "Quartier",
            "Quartier de Créteil.",
            lambda p: p.neighbourhood.name if p.neighbourhood else None,
        ),
        Column("latitude", "number", "Latitude", "Latitude (WGS 84).", lambda p: p.latitude),
        Column("longitude", "number", "Longitude", "Longitude (WGS 84).", lambda p: p.longitude),
        Column("telephone", "string", "Téléphone", "Téléphone d’accueil du lieu.", lambda p: p.phone or None),
        Column(
            "horaires",
            "string",
            "Horaires d’ouverture",
            "Horaires d’ouverture, une ligne par jour.",
            lambda p: p.opening_hours.strip() or None,
        ),
        Column("accessibilite", "list", "Accessibilité", ACCESSIBILITY_HELP + ".", accessibility),
        Column(
            "informations_accessibilite",
            "string",
            "Informations d’accessibilité",
            "En texte brut.",
            lambda p: plain_text(p.accessibility_notes) or None,
        ),
        Column(
            "transports",
            "string",
            "Venir en transports en commun",
            "En texte brut.",
            lambda p: plain_text(p.public_transport) or None,
        ),
        Column(
            "actions_ids",
            "list",
            "Actions de ce lieu",
            "Identifiants des actions qui s’y tiennent (jeu « actions »).",
            lambda p: [str(a.pk) for a in p.public_actions],
        ),
        Column(
            "url",
            "string",
            "Page sur le portail",
            "Adresse de la page du lieu sur le portail.",
            page_url("events:place"),
            required=True,
            format="uri",
        ),
        Column(
            "date_modification",
            "datetime",
            "Modifié le",
            "Dernière modification du lieu (heure de Paris).",
            lambda p: p.updated_at,
            required=True,
        ),
    ],
)

EVENTS = Dataset(
    slug="evenements",
    # The site's settings too: the CCAS's phone is the registration phone of « inscription auprès du CCAS ».
    shows=("events", "actions", "site"),
    title="Événements de l’agenda du CLS",
    description="Les événements publiés de l’agenda du CLS (passés et à venir) : date, lieu, action, public, "
    "inscription, tarif et statut.",
    queryset=published_events,
    filterset_class=EventFilter,
    filters_help="Les mêmes filtres que l’agenda du site (/agenda/) : sans filtre de période, les événements à venir ; "
    "« periode=passes » pour les événements passés, « du » et « au » pour tous ceux de ces jours.",
    parameters_help={
        "q": "Mots-clés, cherchés dans le titre, la description, l’action, les publics et le lieu.",
        "periode": "aujourdhui, semaine, week-end ou mois : les événements de ces jours ; passes : les événements "
        "passés, du plus récent au plus ancien. Sans période : les événements à venir.",
        "du": "Date (AAAA-MM-JJ) : les événements qui ne sont pas finis avant ce jour.",
        "au": "Date (AAAA-MM-JJ) : les événements qui commencent au plus tard ce jour. Avec « du », tous les "
        "événements de ces jours, finis ou non.",
        "axe": "Adresse de la page de l’axe de l’action (par exemple « sante-mentale »).",
        "theme": "Thème de l’action, son nom dans les adresses (« slug »).",
        "public": "Public de l’événement ou de son action, son nom dans les adresses (« slug »).",
        "quartier": "Quartier du lieu, son nom dans les adresses (« slug »).",
        "lieu": "Adresse de la page du lieu (« slug »).",
        "accessibilite": "Le lieu est aménagé pour ce handicap : auditif, visuel, psychique, moteur ou intellectuel.",
        "gratuit": "true : seulement les événements gratuits.",
    },
    position=20,
    api_name="Evenement",
    foreign_keys=[ForeignKey("action_id", "actions"), ForeignKey("lieu_id", "lieux")],
    columns=[
        id_column("de l’événement"),
        Column(
            "uid",
            "string",
            "Identifiant universel",
            "Identifiant universel (UUID) de l’événement, le même dans les calendriers (.ics) et l’export OpenAgenda.",
            lambda e: str(e.uid),
            required=True,
            unique=True,
            format="uuid",
        ),
        slug_column("de l’événement"),
        Column("titre", "string", "Titre", "Titre de l’événement.", lambda e: e.title, required=True),
        Column("debut", "datetime", "Début", "Début (heure de Paris).", lambda e: e.start, required=True),
        Column("fin", "datetime", "Fin", "Fin (heure de Paris).", lambda e: e.end, required=True),
        Column(
            "toute_la_journee",
            "boolean",
            "Toute la journée",
            "Vrai si l’événement dure toute la journée.",
            lambda e: e.all_day,
            required=True,
        ),
        Column(
            "statut",
            "string",
            "Statut",
            "Statut : " + ", ".join(f"{k} ({label})" for k, label in EventStatus.choices) + ".",
            lambda e: e.status,
            required=True,
            enum=tuple(EventStatus.values),
        ),
        Column(
            "precision_statut",
            "string",
            "Précision sur le statut",
            "Par exemple : reporté au 12 mars.",
            lambda e: e.status_note or None,
        ),
        Column(
            "description",
            "string",
            "Description",
            "Description de l’événement, en texte brut.",
            lambda e: plain_text(e.description) or None,
        ),
        Column(
            "action_id",
            "integer",
            "Action",
            "Identifiant de l’action (jeu « actions »).",
            lambda e: e.action_id,
            required=True,
        ),
        Column(
            "action",
            "string",
            "Titre de l’action",
            "Titre de l’action dont l’événement fait partie.",
            lambda e: e.action.title,
            required=True,
        ),
        Column(
            "axe_numero",
            "integer",
            "Numéro de l’axe",
            "Numéro de l’axe du contrat (1 à 5).",
            lambda e: e.action.axis.number,
            required=True,
        ),
        Column("lieu_id", "integer", "Lieu", "Identifiant du lieu (jeu « lieux »).", _of_place(lambda p: p.pk)),
        Column("lieu", "string", "Nom du lieu", "Nom du lieu.", _of_place(lambda p: p.name)),
        Column("adresse", "string", "Adresse du lieu", "Adresse du lieu.", _of_place(lambda p: p.address or None)),
        Column(
            "quartier",
            "string",
            "Quartier",
            "Quartier du lieu.",
            _of_place(lambda p: p.neighbourhood.name if p.neighbourhood else None),
        ),
        Column(
            "publics",
            "list",
            "Publics",
            "Publics de l’événement, ou à défaut de son action ; vide : tout le monde.",
            lambda e: [audience.name for audience in e.for_whom],
        ),
        Column(
            "inscription",
            "string",
            "Inscription",
            "Inscription : " + ", ".join(f"{k} ({label})" for k, label in Registration.choices) + ".",
            lambda e: e.registration,
            required=True,
            enum=tuple(Registration.values),
        ),
        Column(
            "inscription_lien",
            "string",
            "Lien d’inscription",
            "Adresse où s’inscrire : le formulaire de ce site pour une inscription sur le site, sinon le lien de "
            "l’organisateur.",
            registration_link,
            format="uri",
        ),
        Column(
            "inscription_telephone",
            "string",
            "Téléphone d’inscription",
            "Numéro où s’inscrire (celui du CCAS pour une inscription auprès du CCAS).",
            registration_phone,
        ),
        Column("gratuit", "boolean", "Gratuit", "Vrai si l’événement est gratuit.", lambda e: e.is_free, required=True),
        Column("tarif", "string", "Tarif", "Tarif d’un événement payant.", lambda e: e.price or None),
        Column(
            "url",
            "string",
            "Page sur le portail",
            "Adresse de la page de l’événement sur le portail.",
            page_url("events:detail"),
            required=True,
            format="uri",
        ),
        Column(
            "date_modification",
            "datetime",
            "Modifié le",
            "Dernière modification de l’événement (heure de Paris).",
            lambda e: e.updated_at,
            required=True,
        ),
    ],
)


# Attendance: the events held (finished, not cancelled) of /resultats/, counted as that page counts them.


def held_events():
    return (
        Event.objects.published()
        .held()
        .select_related("action__axis", "place__neighbourhood")
        .defer("description", *_unread_fields())
        .order_by("start", "pk")
    )


def attendance_breakdown():
    held = Event.objects.published().held().filter(attendance__isnull=False)
    return (
        EventAttendance.objects.filter(event__in=held.values("pk"))
        .select_related("event", "audience")
        .order_by("event__start", "event_id", "audience__name", "pk")
    )


def neighbourhood_of_place(event):
    """The quartier of the event's place, as /resultats/ counts it (a quartier names no place)."""
    place = event.place
    return place.neighbourhood.name if place is not None and place.neighbourhood is not None else None


ATTENDANCE = Dataset(
    slug="participation",
    shows=("events", "actions"),
    title="Rendez-vous tenus et personnes venues",
    description="Les événements publiés qui ont eu lieu (finis et non annulés), avec le nombre de personnes "
    "venues quand il a été compté : les chiffres de la page « Résultats du CLS » (/resultats/). La "
    "répartition par public est dans le jeu « participation-par-public ». Aucune donnée personnelle : "
    "seulement des nombres.",
    queryset=held_events,
    position=25,
    api_name="Participation",
    foreign_keys=[ForeignKey("id", "evenements"), ForeignKey("action_id", "actions")],
    columns=[
        Column(
            "id",
            "integer",
            "Événement",
            "Identifiant de l’événement (colonne « id » du jeu « evenements »).",
            lambda e: e.pk,
            required=True,
            unique=True,
        ),
        Column(
            "uid",
            "string",
            "Identifiant universel",
            "Identifiant universel (UUID) de l’événement, le même que dans le jeu « evenements ».",
            lambda e: str(e.uid),
            required=True,
            unique=True,
            format="uuid",
        ),
        Column(
            "action_id",
            "integer",
            "Action",
            "Identifiant de l’action (jeu « actions »).",
            lambda e: e.action_id,
            required=True,
        ),
        Column(
            "axe_numero",
            "integer",
            "Numéro de l’axe",
            "Numéro de l’axe du contrat (1 à 5).",
            lambda e: e.action.axis.number,
            required=True,
        ),
        Column(
            "date",
            "date",
            "Date",
            "Jour où l’événement a commencé (heure de Paris).",
            lambda e: timezone.localdate(e.start),
            required=True,
        ),
        Column(
            "quartier",
            "string",
            "Quartier",
            "Quartier du lieu de l’événement ; vide : lieu non indiqué ou hors quartier.",
            neighbourhood_of_place,
        ),
        Column(
            "participants",
            "integer",
            "Personnes venues",
            "Nombre de personnes venues, en tout ; vide : pas encore compté.",
            lambda e: e.attendance,
        ),
    ],
)

ATTENDANCE_BY_AUDIENCE = Dataset(
    slug="participation-par-public",
    shows=("events", "actions"),
    title="Personnes venues, par public",
    description="Pour les rendez-vous tenus dont la participation a été comptée, le nombre de personnes venues de "
    "chaque public, quand l’équipe l’a indiqué. Une personne peut compter dans deux publics (un parent qui est "
    "aussi senior) : la somme peut dépasser le total du jeu « participation ».",
    queryset=attendance_breakdown,
    position=26,
    api_name="ParticipationParPublic",
    foreign_keys=[ForeignKey("evenement_id", "participation")],
    columns=[
        id_column("de cette ligne"),
        Column(
            "evenement_id",
            "integer",
            "Événement",
            "Identifiant de l’événement (jeux « participation » et « evenements »).",
            lambda a: a.event_id,
            required=True,
        ),
        Column("public", "string", "Public", "Nom du public.", lambda a: a.audience.name, required=True),
        Column(
            "public_slug",
            "string",
            "Public dans les adresses",
            "Nom du public dans les adresses du site (son « slug »).",
            lambda a: a.audience.slug,
            required=True,
        ),
        Column(
            "participants",
            "integer",
            "Personnes venues",
            "Nombre de personnes de ce public venues.",
            lambda a: a.count,
            required=True,
        ),
    ],
)
