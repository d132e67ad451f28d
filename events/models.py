import datetime
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear, TruncMonth
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Audience, Neighbourhood, audiences_in_sentence
from core.fields import page_address_field
from core.history import FrenchHistoricalRecords as HistoricalRecords
from core.images import SanitizedImageField
from core.links import slug_path
from core.maps import map_url
from core.opening_hours import HELP_TEXT as OPENING_HOURS_HELP
from core.opening_hours import parse_opening_hours, validate_opening_hours
from core.phones import FrenchPhoneNumberModelField
from core.publication import (
    PUBLISHED_HELP,
    Publishable,
    publication_constraint,
    publication_q,
    publish_at_field,
    unpublish_at_field,
)
from core.rich_text import HELP_TEXT as RICH_TEXT_HELP
from core.rich_text_fields import RichTextField
from core.search import SearchableModel, SearchableQuerySet
from core.site_settings import get_site_settings

from .enums import AccessibilityNeed, EventStatus, RegistrationNeed, RegistrationSource, RegistrationStatus
from .enums import Registration as RegistrationMode  # « Registration » is the model below
from .periods import period_days

CANCELLED_ATTENDANCE = "Un événement annulé ne compte aucun participant : laissez le nombre vide."
FUTURE_ATTENDANCE = "Le nombre de participants se note une fois l’événement commencé."
# The presence of a registered person, noted from the sign-in sheet (issue 15 §2).
PRESENCE_BEFORE_START = "La présence se note une fois l’événement commencé."
PRESENCE_CANCELLED = "Une inscription annulée ne se note pas : la personne s’est désinscrite."
PRESENCE_TOO_MANY = "Il ne peut pas venir plus de personnes que de places de l’inscription ({places})."

# The events an editor is asked to complete start within this many days (the admin's dashboard).
SOON_DAYS = 30
# Registrations taken, and no link, no phone, not with the CCAS, not on the site
# (EventQuerySet.without_registration_details).
_NO_WAY_TO_REGISTER = ~Q(registration__in=[RegistrationMode.NONE, RegistrationMode.ON_PORTAL]) & Q(
    registration_url="", registration_phone="", registration_with_ccas=False
)
# How many places one registration may ask for, at most (a family): the editor chooses up to this.
MAX_PLACES_PER_REGISTRATION = 10


class PlaceQuerySet(SearchableQuerySet):
    def published(self, now=None):
        """Visible on the site now (core/publication.py: the editor's choice and its dates)."""
        return self.filter(publication_q(now))


class Place(Publishable, SearchableModel):
    grammatical_gender = "m"
    name = models.CharField("nom", max_length=200)
    slug = page_address_field(source="nom")
    address = models.CharField(
        "adresse",
        max_length=300,
        blank=True,
        help_text="Numéro, rue, code postal et ville. Laissez vide si elle n’est pas connue : "
        "le site affiche « adresse à confirmer ».",
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name="quartier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="places",
    )
    latitude = models.DecimalField("latitude", max_digits=8, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("longitude", max_digits=9, decimal_places=6, null=True, blank=True)
    description = RichTextField("présentation", blank=True, help_text=RICH_TEXT_HELP)
    public_transport = RichTextField("venir en transports en commun", blank=True, help_text=RICH_TEXT_HELP)
    accessibility_notes = RichTextField("informations d’accessibilité", blank=True, help_text=RICH_TEXT_HELP)
    serves_auditif = models.BooleanField(AccessibilityNeed.HEARING.label, default=False)
    serves_visuel = models.BooleanField(AccessibilityNeed.VISUAL.label, default=False)
    serves_psychique = models.BooleanField(AccessibilityNeed.PSYCHIC.label, default=False)
    serves_moteur = models.BooleanField(AccessibilityNeed.MOTOR.label, default=False)
    serves_intellectuel = models.BooleanField(AccessibilityNeed.INTELLECTUAL.label, default=False)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    opening_hours = models.TextField(
        "horaires d’ouverture", blank=True, validators=[validate_opening_hours], help_text=OPENING_HOURS_HELP
    )
    actions = models.ManyToManyField(
        Action,
        verbose_name="actions et services de ce lieu",
        blank=True,
        related_name="places",
        help_text="Les actions qui se tiennent ici : leur page donne l’adresse, les horaires et le téléphone du lieu.",
    )
    published = models.BooleanField("publié", default=False, help_text=PUBLISHED_HELP)
    publish_at = publish_at_field()
    unpublish_at = unpublish_at_field()
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = PlaceQuerySet.as_manager()
    search_fields = {"name": "A", "address": "B", "description": "C"}
    search_related = {"neighbourhood__name": "B"}

    history = HistoricalRecords(m2m_fields=[actions], excluded_fields=["search_text", "search_vector"])

    class Meta:
        verbose_name = "lieu"
        verbose_name_plural = "lieux"
        ordering = ["name"]
        constraints = [
            publication_constraint("place_unpublish_after_publish"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | (Q(latitude__gte=-90) & Q(latitude__lte=90)),
                name="place_latitude_range",
                violation_error_message="La latitude doit être comprise entre -90 et 90.",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | (Q(longitude__gte=-180) & Q(longitude__lte=180)),
                name="place_longitude_range",
                violation_error_message="La longitude doit être comprise entre -180 et 180.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="place_coordinates_together",
                violation_error_message="Indiquez la latitude et la longitude ensemble, ou aucune des deux.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_path("events:place", self.slug)

    @property
    def map_url(self):
        """OpenStreetMap at the place's coordinates, else searching its address; ``""`` if neither is known."""
        return map_url(latitude=self.latitude, longitude=self.longitude, address=self.address)

    @property
    def opening_hours_rows(self):
        return parse_opening_hours(self.opening_hours)

    @property
    def accessibility_needs(self):
        """The labels of the needs this place serves."""
        return [need.label for need in AccessibilityNeed if getattr(self, f"serves_{need.value}")]


# What ``EventQuerySet.without_long_texts`` leaves in the database (the related rows, when selected).
LIST_UNREAD_FIELDS = (
    *("search_text", "search_vector", "description"),
    *("action__search_text", "action__search_vector", "action__body", "action__how_to_join"),
    *("action__axis__summary", "action__axis__description"),
    *("place__search_text", "place__search_vector", "place__description", "place__public_transport"),
    *("place__accessibility_notes", "place__opening_hours"),
)


class EventQuerySet(SearchableQuerySet):
    def published(self, *, action_preview=False, now=None):
        """Published events whose action is published too.

        ``action_preview``: for the staff's preview of an unpublished action, its events published
        themselves, those that its page will show once it is published.
        """
        now = now or timezone.now()
        if action_preview:
            return self.filter(publication_q(now))
        return self.filter(publication_q(now), publication_q(now, prefix="action__"))

    def hidden_by_action(self, now=None):
        """Events published themselves that the public does not see because their action is not."""
        now = now or timezone.now()
        return self.filter(publication_q(now)).exclude(publication_q(now, prefix="action__"))

    def upcoming(self, now=None):
        """Events not finished yet (an event under way is still upcoming), soonest first."""
        return self.filter(end__gte=now or timezone.now()).order_by("start", "pk")

    def past(self, now=None):
        return self.filter(end__lt=now or timezone.now()).order_by("-start", "-pk")

    def between(self, start, end):
        """Events that overlap the interval [start, end)."""
        return self.filter(start__lt=end, end__gt=start)

    def in_month(self, year, month):
        """Events overlapping a calendar month, in the site's time zone."""
        tz = timezone.get_current_timezone()
        first = datetime.datetime(year, month, 1, tzinfo=tz)
        following = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
        return self.between(first, following).order_by("start", "pk")

    def in_period(self, period, today):
        """Events overlapping the days of an agenda period (``events.periods``), in the site's time zone."""
        days = period_days(period, today)
        if days is None:
            return self
        tz = timezone.get_current_timezone()
        first, day_after = (datetime.datetime.combine(day, datetime.time(), tzinfo=tz) for day in days)
        return self.between(first, day_after)

    def for_cards(self):
        return self.select_related("place", "action", "action__axis")

    def without_long_texts(self):
        """Without the long texts that a list of events never shows (its cards, the agenda): the
        search's columns and the descriptions of the events and of their actions, axes and places."""
        return self.defer(*LIST_UNREAD_FIELDS)

    # What an editor must complete before the day (the admin's dashboard and « à compléter » filter).

    def starting_soon(self, now=None, days=SOON_DAYS):
        """Events starting within ``days`` days from ``now`` and not cancelled, soonest first."""
        now = now or timezone.now()
        return (
            self.filter(start__gte=now, start__lt=now + datetime.timedelta(days=days))
            .exclude(status=EventStatus.CANCELLED)
            .order_by("start", "pk")
        )

    def without_place(self):
        return self.filter(place__isnull=True)

    def without_registration_details(self):
        """Events that take registrations but give no way to register: no link, no phone, not with the
        CCAS. The database refuses this for « inscription obligatoire » (constraint
        ``event_required_registration_has_details``); « inscription conseillée » may be saved so, and
        the resident is then told to register without being told how."""
        return self.filter(_NO_WAY_TO_REGISTER)

    def incomplete(self):
        """Events without a place, or without a way to register when they take registrations."""
        return self.filter(Q(place__isnull=True) | _NO_WAY_TO_REGISTER)

    def neighbourhoods(self):
        """The quartiers where these events take place, by name.

        « Is there one of these events at a place of this quartier? » for each quartier (a few
        dozen): PostgreSQL stops at the first event found, instead of reading every event listed
        (0.5 ms instead of 45 ms at 10,000 events).
        """
        events = self.order_by().filter(place__neighbourhood=OuterRef("pk"))
        return Neighbourhood.objects.filter(Exists(events)).order_by("name")

    def with_audiences(self):
        """Prefetches what ``Event.for_whom`` reads: an event card says for whom the event is."""
        return self.prefetch_related("audiences", "action__audiences")

    # Results: the events held and the people who came -----------------------------------------

    def held(self, now=None):
        """Events that took place: finished, and not cancelled (a cancelled event counts nothing)."""
        return self.filter(end__lt=now or timezone.now()).exclude(status=EventStatus.CANCELLED)

    def attendance_to_record(self, now=None):
        """Events held whose number of participants nobody has noted yet."""
        return self.held(now).filter(attendance__isnull=True)

    def in_year(self, year):
        """Events that started in ``year``, in the site's time zone."""
        return self.filter(start__year=year)

    def attendance_totals(self):
        """``{"events": …, "participants": …, "counted": …}`` for these events, in one query.

        ``events``: how many; ``participants``: the people who came, added up over the events
        whose attendance was recorded (``counted`` of them). Cancelled events count nothing,
        whatever was typed (the database refuses an attendance on one anyway).
        """
        totals = self.order_by().aggregate(**_ATTENDANCE_AGGREGATES)
        return {"events": totals["events"], "participants": totals["participants"] or 0, "counted": totals["counted"]}

    def attendance_by(self, dimension):
        """The events and participants grouped by ``dimension``, one query.

        ``dimension``: one of ``ATTENDANCE_DIMENSIONS`` (action, axis, quartier of the place,
        month, year). Returns dicts with ``key`` (the id, month or year; ``None`` for the events
        without a place or a quartier), ``events``, ``participants`` and ``counted``, in the order
        of the key.
        """
        try:
            key = ATTENDANCE_DIMENSIONS[dimension]
        except KeyError:
            raise ValueError(f"Regroupement inconnu : {dimension!r}") from None
        key = key() if callable(key) else F(key)
        rows = self.order_by().annotate(key=key).values("key").annotate(**_ATTENDANCE_AGGREGATES).order_by("key")
        return [{**row, "participants": row["participants"] or 0} for row in rows]


# The participants of an event count only if it was not cancelled (the constraint keeps it so too).
_ATTENDANCE_AGGREGATES = {
    "events": Count("pk"),
    "participants": Sum("attendance", filter=~Q(status=EventStatus.CANCELLED)),
    "counted": Count("attendance", filter=~Q(status=EventStatus.CANCELLED)),
}

ATTENDANCE_DIMENSIONS = {
    "action": "action_id",
    "axis": "action__axis_id",
    "neighbourhood": "place__neighbourhood_id",
    "month": lambda: TruncMonth("start", tzinfo=timezone.get_current_timezone()),
    "year": lambda: ExtractYear("start", tzinfo=timezone.get_current_timezone()),
}


def _audiences(obj):
    """An event's or an action's audiences: the prefetched list ``audience_list`` when there is one."""
    listed = getattr(obj, "audience_list", None)
    return list(listed) if listed is not None else list(obj.audiences.all())


class Event(Publishable, SearchableModel):
    grammatical_gender = "m"
    # Fields whose change makes calendars update their copy (RFC 5545 SEQUENCE).
    CALENDAR_FIELDS = ("title", "start", "end", "all_day", "place_id", "status", "description")

    title = models.CharField("titre", max_length=200)
    slug = page_address_field(max_length=220)
    action = models.ForeignKey(Action, verbose_name="action", on_delete=models.PROTECT, related_name="events")
    place = models.ForeignKey(
        Place, verbose_name="lieu", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    start = models.DateTimeField("début")
    end = models.DateTimeField("fin")
    all_day = models.BooleanField("toute la journée", default=False)
    description = RichTextField("description", blank=True, help_text=RICH_TEXT_HELP)
    image = SanitizedImageField(
        "image",
        upload_to="events/",
        blank=True,
        help_text="Sans image, la page montre celle de l’action.",
        width_field="image_width",
        height_field="image_height",
    )
    # Filled by the field from the stored image: the width and height of <img> (core/templatetags/images.py).
    image_width = models.PositiveIntegerField("largeur de l’image (pixels)", null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField("hauteur de l’image (pixels)", null=True, blank=True, editable=False)
    image_alt = models.CharField(
        "texte alternatif de l’image", max_length=200, blank=True, help_text="Laissez vide si l’image est décorative."
    )
    audiences = models.ManyToManyField(Audience, verbose_name="publics", blank=True, related_name="events")
    registration = models.CharField(
        "inscription", max_length=20, choices=RegistrationMode.choices, default=RegistrationMode.NONE
    )
    registration_with_ccas = models.BooleanField(
        "inscription auprès du CCAS",
        default=False,
        help_text="Cochez si l’on s’inscrit auprès du service Prévention-Santé du CCAS. La page de l’événement "
        "donne alors son téléphone, son adresse et ses horaires d’accueil tels qu’ils sont écrits dans "
        "« Réglages du site » : si le CCAS change de numéro, vous le changez là une fois, et tous les "
        "événements suivent. Laissez alors « téléphone d’inscription » vide.",
    )
    registration_url = models.URLField("lien d’inscription", blank=True)
    registration_phone = models.CharField(
        "téléphone d’inscription",
        max_length=30,
        blank=True,
        help_text="Un autre numéro que celui du CCAS : celui d’un partenaire, d’une association…",
    )
    registration_capacity = models.PositiveSmallIntegerField(
        "nombre de places",
        null=True,
        blank=True,
        help_text="Pour une inscription sur ce site : les places offertes. Le site les compte, affiche celles qui "
        "restent et ouvre une liste d’attente quand il n’y en a plus.",
    )
    registration_opens_at = models.DateTimeField(
        "ouverture des inscriptions",
        null=True,
        blank=True,
        help_text="Vide : dès que l’événement est publié.",
    )
    registration_closes_at = models.DateTimeField(
        "clôture des inscriptions",
        null=True,
        blank=True,
        help_text="Vide : jusqu’au début de l’événement.",
    )
    registration_max_places = models.PositiveSmallIntegerField(
        "places par inscription",
        default=1,
        blank=True,  # left empty: 1 (Event.clean)
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PLACES_PER_REGISTRATION)],
        help_text=f"1 : une personne par inscription. Jusqu’à {MAX_PLACES_PER_REGISTRATION} pour qu’une famille "
        "s’inscrive ensemble (le formulaire demande alors le nombre de places).",
    )
    registration_asks_needs = models.BooleanField(
        "demander les besoins d’accessibilité",
        default=True,
        help_text="Le formulaire demande si la personne vient en fauteuil roulant, a besoin d’un interprète en "
        "langue des signes ou vient avec un accompagnant.",
    )
    is_free = models.BooleanField("gratuit", default=True)
    price = models.CharField("tarif", max_length=200, blank=True, help_text="Si l’événement est payant.")
    status = models.CharField("statut", max_length=20, choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    status_note = models.CharField(
        "précision sur le statut", max_length=300, blank=True, help_text="Par exemple : reporté au 12 mars."
    )
    published = models.BooleanField("publié", default=False, help_text=PUBLISHED_HELP)
    publish_at = publish_at_field()
    unpublish_at = unpublish_at_field()
    uid = models.UUIDField("identifiant de calendrier", default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField("version de calendrier", default=0, editable=False)
    attendance = models.PositiveIntegerField(
        "nombre de participants",
        null=True,
        blank=True,
        help_text="Après l’événement : combien de personnes sont venues, en tout. Laissez vide tant que "
        "vous ne le savez pas. Un événement annulé ne compte personne.",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    search_fields = {"title": "A", "description": "C"}
    # Found by its action (« Café psycho » under « Les Cafés psycho »), its audience and its place.
    search_related = {"action__title": "B", "audiences__name": "C", "place__name": "C"}

    objects = EventQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text", "search_vector"], m2m_fields=[audiences])

    class Meta:
        verbose_name = "événement"
        verbose_name_plural = "événements"
        ordering = ["start", "pk"]
        indexes = [
            models.Index(fields=["start", "end"], name="event_start_end_idx"),
            # The calendars' freshness reads the latest change (events/calendars.py). The indexes of
            # the public lists and of the month calendar are PostgreSQL's own (migrations 0017, 0019).
            models.Index(fields=["updated_at"], name="event_updated_at_idx"),
        ]
        constraints = [
            publication_constraint("event_unpublish_after_publish"),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="event_end_after_start",
                violation_error_message="La fin de l’événement doit être après son début.",
            ),
            models.CheckConstraint(
                condition=~Q(registration=RegistrationMode.REQUIRED)
                | ~Q(registration_url="")
                | ~Q(registration_phone="")
                | Q(registration_with_ccas=True),
                name="event_required_registration_has_details",
                violation_error_message=(
                    "Une inscription obligatoire demande un lien, un numéro de téléphone, "
                    "ou l’inscription auprès du CCAS."
                ),
            ),
            models.CheckConstraint(
                condition=Q(registration_with_ccas=False) | ~Q(registration=RegistrationMode.NONE),
                name="event_ccas_registration_needs_registration",
                violation_error_message=(
                    "« Inscription auprès du CCAS » ne va pas avec « Sans inscription » : choisissez une "
                    "inscription conseillée ou obligatoire, ou décochez la case."
                ),
            ),
            models.CheckConstraint(
                condition=Q(registration_with_ccas=False) | Q(registration_phone=""),
                name="event_ccas_registration_without_own_phone",
                violation_error_message=(
                    "Pour une inscription auprès du CCAS, laissez « téléphone d’inscription » vide : "
                    "le site affiche le numéro du CCAS écrit dans « Réglages du site »."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(registration=RegistrationMode.ON_PORTAL) | Q(registration_capacity__gte=1),
                name="event_portal_registration_has_capacity",
                violation_error_message="Une inscription sur ce site demande le nombre de places (au moins 1).",
            ),
            models.CheckConstraint(
                condition=Q(registration_max_places__gte=1)
                & Q(registration_max_places__lte=MAX_PLACES_PER_REGISTRATION),
                name="event_registration_max_places_range",
                violation_error_message=(
                    f"Le nombre de places par inscription va de 1 à {MAX_PLACES_PER_REGISTRATION}."
                ),
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_closes_after_opening",
                violation_error_message="La clôture des inscriptions doit venir après leur ouverture.",
            ),
            models.CheckConstraint(
                condition=Q(is_free=True) | ~Q(price=""),
                name="event_priced_has_price",
                violation_error_message="Indiquez le tarif d’un événement payant.",
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="event_title_not_empty",
                violation_error_message="Le titre de l’événement est obligatoire.",
            ),
            models.CheckConstraint(
                condition=Q(attendance__isnull=True) | ~Q(status=EventStatus.CANCELLED),
                name="event_cancelled_has_no_attendance",
                violation_error_message=CANCELLED_ATTENDANCE,
            ),
        ]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.start):%d/%m/%Y})"

    @property
    def lacks_registration_details(self):
        """The rule of ``EventQuerySet.without_registration_details`` for one event in memory."""
        return self.registration not in (RegistrationMode.NONE, RegistrationMode.ON_PORTAL) and not (
            self.registration_url or self.registration_phone or self.registration_with_ccas
        )

    def save(self, *args, **kwargs):
        if self.pk:
            previous = type(self)._base_manager.filter(pk=self.pk).values(*self.CALENDAR_FIELDS).first()
            if previous and any(previous[name] != getattr(self, name) for name in self.CALENDAR_FIELDS):
                self.sequence += 1
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "sequence"}
        super().save(*args, **kwargs)

    def search_tiebreak(self):
        return (self.start, self.pk)  # the next date first

    def clean(self):
        super().clean()
        if self.registration_max_places is None:
            self.registration_max_places = 1
        if self.attendance is not None:
            if self.status == EventStatus.CANCELLED:
                raise ValidationError({"attendance": CANCELLED_ATTENDANCE})
            if self.start and self.start > timezone.now():
                raise ValidationError({"attendance": FUTURE_ATTENDANCE})

    @property
    def counts_attendance(self):
        """Whether people who came can be recorded for it: it has started, and it is not cancelled."""
        return self.status != EventStatus.CANCELLED and self.start <= timezone.now()

    def get_absolute_url(self):
        return slug_path("events:detail", self.slug)

    def get_ics_url(self):
        return reverse("events:ics", kwargs={"slug": self.slug})

    @property
    def for_whom(self):
        """The audiences the event is for: its own, or else its action's (none: everyone).

        Reads the lists that ``Prefetch(…, to_attr="audience_list")`` left on the event and its
        action when there are some (the open data's thousands of rows), else the relations.
        """
        return _audiences(self) or _audiences(self.action)

    def registration_phone_number(self, site_settings=None):
        """The phone to call to register: the CCAS's, read from the site's settings now, or the event's own.

        ``site_settings``: pass them when showing many events (else read from their cache for each).
        """
        if self.registration_with_ccas:
            return (site_settings or get_site_settings()).phone
        return self.registration_phone

    @property
    def for_whom_in_sentence(self):
        """For whom, as it reads inside a sentence: « Pour qui : enfants, parents et futurs parents »."""
        return audiences_in_sentence(self.for_whom)

    @property
    def is_cancelled(self):
        return self.status == EventStatus.CANCELLED

    @property
    def is_past(self):
        return self.end < timezone.now()

    # Registrations on the site (events.registrations holds the rules that change them).

    @property
    def takes_registrations_on_portal(self):
        return self.registration == RegistrationMode.ON_PORTAL

    def registration_window(self):
        """(opens, closes): when the form accepts registrations (closes: the event's start by default)."""
        return self.registration_opens_at, self.registration_closes_at or self.start

    def registration_is_open(self, now=None):
        """Whether the form takes registrations now (the waiting list included when it is full)."""
        if not self.takes_registrations_on_portal or self.status in (EventStatus.CANCELLED, EventStatus.POSTPONED):
            return False
        now = now or timezone.now()
        opens, closes = self.registration_window()
        return (opens is None or opens <= now) and now < closes

    def get_registration_url(self):
        return reverse("events:register", kwargs={"slug": self.slug})


class EventAttendance(models.Model):
    """Who came to an event, by audience: a breakdown of its number of participants (optional)."""

    grammatical_gender = "f"  # « une participation »

    event = models.ForeignKey(Event, verbose_name="événement", on_delete=models.CASCADE, related_name="attendances")
    audience = models.ForeignKey(
        Audience, verbose_name="public", on_delete=models.PROTECT, related_name="event_attendances"
    )
    count = models.PositiveIntegerField("nombre de personnes")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "participation par public"
        verbose_name_plural = "participations par public"
        ordering = ["event", "audience__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "audience"],
                name="event_attendance_one_per_audience",
                violation_error_message="Ce public est déjà compté pour cet événement.",
            ),
        ]

    def __str__(self):
        return f"{self.audience} : {self.count}"


def attendance_breakdown_problem(total, counts):
    """Why a breakdown by audience does not fit an event's total, in French; ``""`` if it fits.

    ``total``: the event's number of participants (``None`` if not typed); ``counts``: the numbers
    typed for each audience. One person may belong to two audiences (a parent who is also a
    senior), so the breakdown may add up to more than the total; but a breakdown without a total,
    or one audience counting more people than the total, is a typing error.
    """
    counts = [count for count in counts if count is not None]
    if not counts:
        return ""
    if total is None:
        return "Indiquez d’abord le nombre total de participants, puis leur répartition par public."
    if max(counts) > total:
        return f"Un public ne peut pas compter plus de personnes que le total de l’événement ({total})."
    return ""


# ---------------------------------------------------------------------------------------------
# Registrations on the site (issue 15). Personal data: the staff who run the events only.
# ---------------------------------------------------------------------------------------------

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, no 1/I: read aloud on the phone


def new_registration_reference():
    """An unguessable reference such as IN-7K4P-QX2M (40 bits of randomness)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"IN-{chars[:4]}-{chars[4:]}"


class BookingQuerySet(models.QuerySet):
    def not_anonymised(self):
        return self.filter(anonymised_at__isnull=True)

    def confirmed(self):
        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waiting(self):
        """The waiting list, in its order: who registered first (the primary key, given inside the
        lock of ``events.registrations``, is that order)."""
        return self.filter(status=RegistrationStatus.WAITING).order_by("pk")

    def active(self):
        return self.exclude(status=RegistrationStatus.CANCELLED)

    def places_taken(self):
        """The places held by the confirmed registrations among these."""
        return self.confirmed().aggregate(total=models.Sum("places"))["total"] or 0


class Booking(models.Model):
    """A person holding places in something of limited capacity, with a waiting list.

    Abstract: ``Registration`` (an event) is the first; the mutuelle's appointment slots (issue 15
    §3) are meant to be the second, holding one place of a slot, with the same reference, contact,
    status workflow, mails and retention, and the capacity rules of ``events.registrations``.
    """

    reference = models.CharField(
        "référence", max_length=20, unique=True, default=new_registration_reference, editable=False
    )
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    email = models.EmailField("adresse électronique", max_length=254, blank=True)
    phone = FrenchPhoneNumberModelField("téléphone", blank=True)
    places = models.PositiveSmallIntegerField("places", default=1)
    status = models.CharField(
        "statut", max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.CONFIRMED
    )
    source = models.CharField(
        "origine", max_length=20, choices=RegistrationSource.choices, default=RegistrationSource.WEBSITE
    )
    consent_at = models.DateTimeField("accord sur la notice donné le", null=True, blank=True, editable=False)
    notice_read_at = models.DateTimeField(
        "notice d’information lue à la personne le",
        null=True,
        blank=True,
        editable=False,
        help_text="Pour une inscription prise par téléphone ou à l’accueil : l’agent a lu la notice à la personne.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisie par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    submission_token = models.CharField(
        "jeton d’envoi", max_length=64, unique=True, null=True, blank=True, editable=False
    )
    promoted_at = models.DateTimeField("passée de la liste d’attente le", null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True, editable=False)
    # Mails: each is due while its date is empty (core/mail.py; send_event_registration_mails retries).
    confirmation_sent_at = models.DateTimeField("confirmation envoyée le", null=True, blank=True, editable=False)
    promotion_sent_at = models.DateTimeField("avis de place libérée envoyé le", null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField("rappel envoyé le", null=True, blank=True, editable=False)
    change_notice_due_at = models.DateTimeField(
        "avis de changement à envoyer depuis le", null=True, blank=True, editable=False
    )
    anonymised_at = models.DateTimeField("anonymisée le", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("reçue le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = BookingQuerySet.as_manager()
    # Written by the mail service (its own « Système » version), never by an agent (core.history).
    history_system_fields = (
        "confirmation_sent_at",
        "promotion_sent_at",
        "reminder_sent_at",
        "change_notice_due_at",
    )

    # What anonymisation blanks: the person's data. A subclass adds its own (``dict | {…}``).
    ANONYMOUS_NAME = "Anonyme"
    BLANKED_FIELDS = {"first_name": ANONYMOUS_NAME, "last_name": ANONYMOUS_NAME, "email": "", "phone": ""}

    class Meta:
        abstract = True

    def __str__(self):
        return self.reference

    @property
    def contact_email(self):
        return self.email if self.anonymised_at is None else ""

    def anonymise(self, *, reason, user=None):
        """Blank the person's data here and on every version of its history (one transaction).

        What the statistics need stays: the event, the places, the status, the source, the dates.
        """
        with transaction.atomic():
            for field, value in self.BLANKED_FIELDS.items():
                setattr(self, field, value)
            self.anonymised_at = timezone.now()
            self._history_user = user
            self._change_reason = reason
            self.save()
            self.history.model.objects.filter(id=self.pk).update(**self.BLANKED_FIELDS)
        return self


class Registration(Booking):
    grammatical_gender = "f"
    BLANKED_FIELDS = Booking.BLANKED_FIELDS | {"needs_fauteuil": False, "needs_lsf": False, "needs_accompagnant": False}
    event = models.ForeignKey(Event, verbose_name="événement", on_delete=models.PROTECT, related_name="registrations")
    needs_fauteuil = models.BooleanField(RegistrationNeed.WHEELCHAIR.label, default=False)
    needs_lsf = models.BooleanField(RegistrationNeed.SIGN_LANGUAGE.label, default=False)
    needs_accompagnant = models.BooleanField(RegistrationNeed.CARER.label, default=False)
    # After the event, from the sign-in sheet: empty = not noted yet, 0 = nobody came, n = n of
    # its places came (a family of 3 of whom 2 came: 2). Set by events.registrations only.
    places_attended = models.PositiveSmallIntegerField(
        "personnes venues",
        null=True,
        blank=True,
        editable=False,
        help_text="Noté après l’événement, sur la page « Noter les présents » : vide tant que ce n’est pas noté, "
        "0 si personne n’est venu.",
    )

    history = HistoricalRecords(excluded_fields=["submission_token"])

    class Meta:
        verbose_name = "inscription à un événement"
        verbose_name_plural = "inscriptions aux événements"
        ordering = ["event", "pk"]
        permissions = [("export_registration", "Peut exporter les inscriptions et imprimer la feuille d’émargement")]
        indexes = [models.Index(fields=["event", "status"], name="registration_event_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone="") | Q(anonymised_at__isnull=False),
                name="registration_has_a_contact",
                violation_error_message="Indiquez au moins un moyen de joindre la personne : téléphone ou courriel.",
            ),
            models.CheckConstraint(
                condition=Q(places__gte=1) & Q(places__lte=MAX_PLACES_PER_REGISTRATION),
                name="registration_places_range",
                violation_error_message=f"Une inscription tient de 1 à {MAX_PLACES_PER_REGISTRATION} places.",
            ),
            models.CheckConstraint(
                condition=~Q(source=RegistrationSource.WEBSITE) | Q(consent_at__isnull=False),
                name="registration_website_has_consent",
                violation_error_message="Une inscription sur le site demande l’accord de la personne.",
            ),
            models.CheckConstraint(
                condition=~Q(source=RegistrationSource.STAFF) | Q(notice_read_at__isnull=False),
                name="registration_staff_read_the_notice",
                violation_error_message="Lisez la notice d’information à la personne avant de l’inscrire.",
            ),
            models.CheckConstraint(
                condition=Q(places_attended__isnull=True) | Q(places_attended__lte=F("places")),
                name="registration_attended_within_places",
                violation_error_message="Il ne peut pas venir plus de personnes que de places de l’inscription.",
            ),
            models.CheckConstraint(
                condition=Q(places_attended__isnull=True) | ~Q(status=RegistrationStatus.CANCELLED),
                name="registration_cancelled_not_attended",
                violation_error_message=PRESENCE_CANCELLED,
            ),
        ]

    @property
    def needs(self):
        """The labels of what the organisers prepare for this person."""
        return [need.label for need in RegistrationNeed if getattr(self, f"needs_{need.value}")]

    def get_admin_url(self):
        return reverse("admin:events_registration_change", args=[self.pk])

    @property
    def attended(self):
        """None: not noted; True: at least one of its places came; False: nobody came."""
        return None if self.places_attended is None else self.places_attended > 0

    def presence_problem(self, places_attended, now=None):
        """Why ``places_attended`` cannot be noted on this registration, in French; ``""`` if it can.

        The event (``self.event``) must have started; a cancelled registration is not noted; no more
        people than its places. Clearing a mark (``None``) is always possible on a registration not cancelled.
        """
        if self.status == RegistrationStatus.CANCELLED:
            return PRESENCE_CANCELLED if places_attended is not None else ""
        if places_attended is None:
            return ""
        if self.event.start > (now or timezone.now()):
            return PRESENCE_BEFORE_START
        if places_attended > self.places:
            return PRESENCE_TOO_MANY.format(places=self.places)
        return ""

    def clean(self):
        super().clean()
        if self.event_id is not None and (problem := self.presence_problem(self.places_attended)):
            raise ValidationError({"places_attended": problem})
