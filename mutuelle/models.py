import datetime
import functools
import operator
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Replace, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.text import smart_split, unescape_string_literal

from core.dates import add_working_days, french_date
from core.history import FrenchHistoricalRecords as HistoricalRecords
from core.phones import FrenchPhoneNumberModelField, search_prefix
from core.rich_text import HELP_TEXT as RICH_TEXT_HELP
from core.rich_text_fields import RichTextField
from core.search import clean_query
from events.enums import RegistrationSource
from events.models import Booking, BookingQuerySet, Event
from partners.models import Partner

from .enums import (
    APPOINTMENT_HOLDING_STATUSES,
    CLOSED_STATUSES,
    AppointmentStatus,
    ContactMethod,
    ContactTime,
    CurrentCover,
    RequestSource,
    RequestStatus,
    Situation,
    check_status_change,
)

# ---------------------------------------------------------------------------------------------
# The offer shown to residents (editable by the Rédaction group; the formulas and prices by the
# Mutuelle group too).
# ---------------------------------------------------------------------------------------------


class OfferQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def prices_to_check(self, today=None):
        """Offers whose prices were not checked with the insurer since the last yearly update of
        1 April (``last_scale_update_day``), or never: the team is asked to check them."""
        update = last_scale_update_day(today or timezone.localdate())
        return self.filter(Q(prices_checked_on__isnull=True) | Q(prices_checked_on__lt=update))


# The papers an applicant brings to a permanence: written for the portal, not an official list
# (FACTS.md has none); the admin's help text asks the team to check it with the insurer.
DEFAULT_PAPERS_TO_BRING = """Une pièce d’identité (carte d’identité, passeport ou titre de séjour)
Un justificatif de domicile à Créteil de moins de trois mois (facture, quittance de loyer)
Votre attestation de droits à l’Assurance maladie, ou votre carte Vitale
Un RIB, pour le prélèvement de la cotisation
Votre dernier avis d’impôt sur le revenu, si vous en avez un : le conseiller vérifie d’abord vos droits à la CSS
Si vous avez déjà une complémentaire santé : sa carte ou votre dernier échéancier"""


class Offer(models.Model):
    """The mutuelle communale as presented on /mutuelle/ (one published offer at a time)."""

    grammatical_gender = "f"

    name = models.CharField("nom", max_length=200, default="Mutuelle communale de Créteil")
    insurer = models.ForeignKey(
        Partner, verbose_name="assureur", on_delete=models.PROTECT, related_name="mutuelle_offers"
    )
    summary = RichTextField("en quelques mots", help_text=RICH_TEXT_HELP)
    who_can_join = RichTextField("pour qui", help_text=RICH_TEXT_HELP)
    coverage = RichTextField("ce qui est couvert", help_text=RICH_TEXT_HELP)
    how_to_join = RichTextField("comment adhérer", help_text=RICH_TEXT_HELP)
    prices_note = RichTextField(
        "remarque sur les tarifs",
        blank=True,
        help_text="Par exemple : tarifs mensuels par personne, valables jusqu’au… " + RICH_TEXT_HELP,
    )
    prices_checked_on = models.DateField(
        "tarifs vérifiés le",
        null=True,
        blank=True,
        help_text=(
            "Date à laquelle les tarifs ont été vérifiés auprès de l’assureur. Laissez vide tant qu’ils ne le sont pas."
        ),
    )
    papers_to_bring = models.TextField(
        "papiers à apporter au rendez-vous",
        default=DEFAULT_PAPERS_TO_BRING,
        blank=True,
        help_text="Une pièce par ligne. Le site, la confirmation et le rappel d’un rendez-vous à une permanence "
        "les montrent en liste. À vérifier avec l’assureur : la liste de départ n’a pas été confirmée.",
    )
    published = models.BooleanField("publiée", default=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = OfferQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "offre de mutuelle communale"
        verbose_name_plural = "offres de mutuelle communale"
        ordering = ["-published", "-updated_at"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("mutuelle:home")

    @property
    def papers(self):
        """The papers to bring, one per line of ``papers_to_bring`` (blank lines left out)."""
        return [line.strip() for line in self.papers_to_bring.splitlines() if line.strip()]


class Formula(models.Model):
    grammatical_gender = "f"
    offer = models.ForeignKey(Offer, verbose_name="offre", on_delete=models.CASCADE, related_name="formulas")
    name = models.CharField("nom de la formule", max_length=100)
    order = models.PositiveSmallIntegerField("ordre", default=1)
    description = RichTextField("garanties principales", blank=True, help_text=RICH_TEXT_HELP)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "formule"
        verbose_name_plural = "formules"
        ordering = ["offer", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "name"],
                name="formula_unique_name_per_offer",
                violation_error_message="Cette offre a déjà une formule de ce nom.",
            )
        ]

    def __str__(self):
        return self.name


def age_band_label(age_min, age_max):
    """« Jusqu’à 19 ans », « De 20 à 59 ans », « 60 ans et plus »."""
    if age_max is None:
        return f"{age_min} ans et plus"
    if age_min == 0:
        return f"Jusqu’à {age_max} ans"
    return f"De {age_min} à {age_max} ans"


class AgeBand(models.Model):
    """A row of a table by age (« 60–69 ans », « 70 ans et plus »): the mutuelle's prices and
    the CSS contributions."""

    age_min = models.PositiveSmallIntegerField("âge minimum")
    age_max = models.PositiveSmallIntegerField("âge maximum", null=True, blank=True, help_text="Vide : sans limite.")

    class Meta:
        abstract = True

    @property
    def band_label(self):
        return age_band_label(self.age_min, self.age_max)

    def covers(self, age):
        return self.age_min <= age and (self.age_max is None or age <= self.age_max)


def age_range_constraint(name):
    return models.CheckConstraint(
        condition=Q(age_max__isnull=True) | Q(age_max__gte=F("age_min")),
        name=name,
        violation_error_message="L’âge maximum doit être supérieur ou égal à l’âge minimum.",
    )


class FormulaPriceQuerySet(models.QuerySet):
    def in_force(self, on):
        """The prices in force on ``on``: for each formula and age band (its ``age_min``), the row
        with the latest ``valid_from`` on or before ``on``. Prices prepared for a later date are
        left out until that day; those they replace stay in force until then. One query."""
        newer = FormulaPrice.objects.filter(
            formula=OuterRef("formula"),
            age_min=OuterRef("age_min"),
            valid_from__gt=OuterRef("valid_from"),
            valid_from__lte=on,
        )
        return self.filter(valid_from__lte=on).filter(~Exists(newer))


class FormulaPrice(AgeBand):
    """The monthly price of a formula for an age band, from a date: a new price is prepared ahead
    with the day it applies from, and replaces the band's previous price on that day."""

    grammatical_gender = "m"

    formula = models.ForeignKey(Formula, verbose_name="formule", on_delete=models.CASCADE, related_name="prices")
    valid_from = models.DateField(
        "en vigueur à partir du",
        default=timezone.localdate,
        help_text="Le site affiche ce tarif à partir de ce jour ; jusque-là, le tarif précédent de la même "
        "tranche d’âge reste affiché.",
    )
    monthly_price = models.DecimalField("tarif mensuel (€)", max_digits=7, decimal_places=2)

    objects = FormulaPriceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "tarif"
        verbose_name_plural = "tarifs"
        ordering = ["formula", "valid_from", "age_min"]
        constraints = [
            age_range_constraint("formula_price_age_range"),
            models.CheckConstraint(
                condition=Q(monthly_price__gt=0),
                name="formula_price_positive",
                violation_error_message="Le tarif doit être positif.",
            ),
            models.UniqueConstraint(
                fields=["formula", "age_min", "valid_from"],
                name="formula_price_unique_band_per_date",
                violation_error_message="Cette tranche d’âge a déjà un tarif à cette date pour cette formule.",
            ),
        ]

    def __str__(self):
        return (
            f"{self.formula} · {self.band_label} : {self.monthly_price} € "
            f"(à partir du {french_date(self.valid_from, weekday=False)})"
        )


# ---------------------------------------------------------------------------------------------
# The CSS income scale (complémentaire santé solidaire), revised every 1 April.
# ---------------------------------------------------------------------------------------------


# The day the CSS ceilings are revised each year.
SCALE_UPDATE_MONTH, SCALE_UPDATE_DAY = 4, 1


def last_scale_update_day(today):
    """The latest 1 April on or before ``today``: the day the scale in force should start from."""
    update = datetime.date(today.year, SCALE_UPDATE_MONTH, SCALE_UPDATE_DAY)
    return update if today >= update else update.replace(year=today.year - 1)


@dataclass(frozen=True)
class CssScaleStatus:
    """The CSS scale in force on ``today`` (None when none is entered), and whether it is out of date.

    Out of date: the yearly update of 1 April Y has passed and no scale starting on or after it is
    entered; the orientation then keeps the last scale entered, and the pages say so plainly (the
    new ceilings are never guessed). The admin can use it as well.
    """

    scale: "CssScale | None"
    today: datetime.date

    @property
    def update_due(self):
        """The yearly update the scale in force should come from: « 1er avril 2026 »."""
        return last_scale_update_day(self.today)

    @property
    def is_outdated(self):
        return self.scale is not None and self.scale.valid_from < self.update_due


class CssScaleQuerySet(models.QuerySet):
    def in_force(self, on):
        """The scales started on or before ``on``, the one in force first."""
        return self.filter(valid_from__lte=on).order_by("-valid_from")

    def current_status(self, today=None):
        """The scale in force ``today`` (the site's today by default) and whether its yearly update
        is missing (``CssScaleStatus``). One query, plus those of the prefetches asked before."""
        today = today or timezone.localdate()
        return CssScaleStatus(scale=self.in_force(today).first(), today=today)


class CssScale(models.Model):
    grammatical_gender = "m"
    valid_from = models.DateField("en vigueur à partir du", unique=True)
    source = models.CharField("source", max_length=300, help_text="Texte officiel ou page de référence.")
    source_url = models.URLField("lien vers la source", blank=True)
    free_extra_person = models.PositiveIntegerField("plafond sans participation : par personne en plus (€/an)")
    contribution_extra_person = models.PositiveIntegerField("plafond avec participation : par personne en plus (€/an)")

    objects = CssScaleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "barème de la CSS"
        verbose_name_plural = "barèmes de la CSS"
        ordering = ["-valid_from"]

    def __str__(self):
        return f"Barème de la CSS du {french_date(self.valid_from, weekday=False)}"


class CssCeiling(models.Model):
    """Yearly resource ceilings for a household size (the last row applies to larger households plus the extra)."""

    grammatical_gender = "m"

    scale = models.ForeignKey(CssScale, verbose_name="barème", on_delete=models.CASCADE, related_name="ceilings")
    household_size = models.PositiveSmallIntegerField("nombre de personnes du foyer")
    free_ceiling = models.PositiveIntegerField("plafond CSS sans participation (€/an)")
    contribution_ceiling = models.PositiveIntegerField("plafond CSS avec participation (€/an)")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "plafond de ressources"
        verbose_name_plural = "plafonds de ressources"
        ordering = ["scale", "household_size"]
        constraints = [
            models.UniqueConstraint(
                fields=["scale", "household_size"],
                name="css_ceiling_unique_size",
                violation_error_message="Ce barème a déjà un plafond pour ce nombre de personnes.",
            ),
            models.CheckConstraint(
                condition=Q(household_size__gte=1),
                name="css_ceiling_household_size_positive",
                violation_error_message="Le foyer compte au moins une personne.",
            ),
            models.CheckConstraint(
                condition=Q(contribution_ceiling__gte=F("free_ceiling")),
                name="css_ceiling_contribution_above_free",
                violation_error_message=(
                    "Le plafond avec participation doit être supérieur au plafond sans participation."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.household_size} personne(s)"


class CssContribution(AgeBand):
    """The monthly contribution to the CSS by age on 1 January."""

    grammatical_gender = "f"

    scale = models.ForeignKey(CssScale, verbose_name="barème", on_delete=models.CASCADE, related_name="contributions")
    monthly_amount = models.DecimalField("participation mensuelle (€)", max_digits=6, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "participation par âge"
        verbose_name_plural = "participations par âge"
        ordering = ["scale", "age_min"]
        constraints = [
            models.UniqueConstraint(
                fields=["scale", "age_min"],
                name="css_contribution_unique_band",
                violation_error_message="Cette tranche d’âge a déjà une participation dans ce barème.",
            ),
            age_range_constraint("css_contribution_age_range"),
        ]

    def __str__(self):
        return f"{self.band_label} : {self.monthly_amount} €/mois"


# ---------------------------------------------------------------------------------------------
# Interest requests and their follow-up (personal data: the Mutuelle group only).
# ---------------------------------------------------------------------------------------------

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, no 1/I: read aloud on the phone


def new_reference():
    """An unguessable reference such as MC-7K4P-QX2M (40 bits of randomness)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"MC-{chars[:4]}-{chars[4:]}"


# The fields a person fills in on the public form, stored as they are by ``request_create``.
PUBLIC_FORM_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "postal_code",
    "birth_date",
    "household_size",
    "current_cover",
    "situation",
    "contact_method",
    "contact_time",
    "message",
)

# The queue's order: the workflow's order, then the oldest request first.
STATUS_RANK = Case(
    *(When(status=status, then=Value(rank)) for rank, status in enumerate(RequestStatus)),
    output_field=IntegerField(),
)
QUEUE_ORDERING = (STATUS_RANK.asc(), "created_at")

# A request whose phone or address was already given in this many days before it is flagged.
DUPLICATE_WINDOW_DAYS = 90

REFERENCE_LIKE = re.compile(r"[A-Z0-9]{4,}")
# Searched word by word, as the admin's ``search_fields`` would (``icontains``).
SEARCH_FIELDS = ("reference", "last_name", "first_name", "phone", "email")


# The promise made to every applicant (the form, its confirmation page and mail): an agent calls
# them back within this many working days (Monday to Friday, French public holidays off) of the day
# the request is received, in Europe/Paris. The one home of that rule: the queue's « délai de
# rappel » filter and the dashboard ask the queryset below.
CALL_BACK_WORKING_DAYS = 5


def call_back_deadline(received_on):
    """The last day to call back a request received on ``received_on`` (a date in Europe/Paris)."""
    return add_working_days(received_on, CALL_BACK_WORKING_DAYS)


def _received_days_due(today):
    """(first, after): requests received on a day in [first, after) are due ``today``; those received
    before ``first`` are past their deadline. The deadline never decreases with the day received,
    and a few weeks back always reach a deadline before today: a bounded walk over the calendar."""
    first = today
    while call_back_deadline(first - datetime.timedelta(days=1)) >= today:
        first -= datetime.timedelta(days=1)
    after = first
    while call_back_deadline(after) == today:
        after += datetime.timedelta(days=1)
    return first, after


def _paris_midnight(day):
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


class InterestRequestQuerySet(models.QuerySet):
    def waiting_first_call(self):
        """The requests nobody has dealt with yet (« nouvelle »)."""
        return self.filter(status=RequestStatus.NEW)

    def call_back_overdue(self, today=None):
        """New requests past the promised call-back time on ``today`` (their last day was before it)."""
        first, _after = _received_days_due(today or timezone.localdate())
        return self.waiting_first_call().filter(created_at__lt=_paris_midnight(first))

    def call_back_due_today(self, today=None):
        """New requests whose promised call-back time ends ``today``: the last day to call them.

        The requests hold no agreed date of call-back (only the preferred time of day and the date of
        the last contact): the promise made to every applicant is the one date each request has.
        """
        first, after = _received_days_due(today or timezone.localdate())
        return self.waiting_first_call().filter(
            created_at__gte=_paris_midnight(first), created_at__lt=_paris_midnight(after)
        )

    def closed(self):
        return self.filter(status__in=CLOSED_STATUSES)

    def not_anonymised(self):
        return self.filter(anonymised_at__isnull=True)

    def queue(self):
        """The agents' queue: by status in the workflow's order (the oldest « nouvelle » first),
        then the oldest first. An anonymised request has left it (nothing left to work on)."""
        return self.not_anonymised().order_by(*QUEUE_ORDERING)

    def with_possible_duplicate(self):
        """Annotate ``possible_duplicate_of``: the reference of the latest other request, received in
        the 90 days before this one, with the same phone number or the same address (whatever its
        case); None when there is none. Anonymised requests match nothing (they hold no contact).
        One subquery: the list's number of queries does not grow with its length."""
        same_contact = (Q(phone=OuterRef("phone")) & ~Q(phone="")) | (Q(email__iexact=OuterRef("email")) & ~Q(email=""))
        earlier = (
            InterestRequest.objects.filter(same_contact)
            .exclude(pk=OuterRef("pk"))
            .filter(
                anonymised_at__isnull=True,
                created_at__lte=OuterRef("created_at"),
                created_at__gte=OuterRef("created_at") - datetime.timedelta(days=DUPLICATE_WINDOW_DAYS),
            )
            .order_by("-created_at")
        )
        return self.annotate(
            possible_duplicate_of=Case(
                When(anonymised_at__isnull=True, then=earlier.values("reference")[:1]),
                default=Value(None),
                output_field=models.CharField(),
            )
        )

    def status_counts(self):
        """{status: number of requests}, every status present, anonymised requests included: the statistics."""
        counts = dict(self.order_by().values_list("status").annotate(count=Count("pk")))
        return {status: counts.get(status, 0) for status in RequestStatus}

    def search(self, text):
        """Requests matching ``text``: every word in the reference, names, phone or address; or
        the whole of it as a phone number whatever its spacing (« +33 6 12… », « 06.12… »), or as
        a reference with or without its dashes. Everything when ``text`` is empty.
        """
        text = clean_query(text)
        if not text:
            return self
        words = Q()
        for word in smart_split(text):  # as the admin's search: « "Le Goff" » is one word
            if word[0] in "\"'" and word[-1] == word[0]:
                word = unescape_string_literal(word)
            words &= functools.reduce(operator.or_, (Q(**{f"{field}__icontains": word}) for field in SEARCH_FIELDS))
        alternatives = words
        phone = search_prefix(text)
        if phone:
            alternatives |= Q(phone__contains=phone)
        compact = re.sub(r"[\s-]", "", text).upper()
        if REFERENCE_LIKE.fullmatch(compact):
            alternatives |= Q(compact_reference__contains=compact)
        return self.alias(
            compact_reference=Replace(Upper("reference"), Value("-"), Value("")),
        ).filter(alternatives)


class InterestRequest(models.Model):
    grammatical_gender = "f"
    reference = models.CharField("référence", max_length=20, unique=True, default=new_reference, editable=False)
    # Identity and contact
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    email = models.EmailField("adresse électronique", max_length=254, blank=True)
    phone = FrenchPhoneNumberModelField("téléphone", blank=True)
    postal_code = models.CharField("code postal", max_length=5)
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    household_size = models.PositiveSmallIntegerField("nombre de personnes du foyer", null=True, blank=True)
    current_cover = models.CharField(
        "complémentaire santé actuelle", max_length=20, choices=CurrentCover.choices, blank=True
    )
    situation = models.CharField("situation", max_length=20, choices=Situation.choices, blank=True)
    contact_method = models.CharField(
        "être contacté(e)", max_length=20, choices=ContactMethod.choices, default=ContactMethod.PHONE
    )
    contact_time = models.CharField(
        "moment préféré", max_length=20, choices=ContactTime.choices, default=ContactTime.ANY
    )
    message = models.TextField("message", max_length=2000, blank=True)
    consent_at = models.DateTimeField("consentement à l’information donné le", null=True, blank=True)
    notice_read_at = models.DateTimeField(
        "notice d’information lue à la personne le",
        null=True,
        blank=True,
        editable=False,
        help_text="Pour une demande reçue par téléphone ou à l’accueil : l’agent a lu la notice à la personne.",
    )
    # Follow-up
    source = models.CharField("origine", max_length=20, choices=RequestSource.choices, default=RequestSource.WEBSITE)
    status = models.CharField("statut", max_length=20, choices=RequestStatus.choices, default=RequestStatus.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="agent chargé",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mutuelle_requests",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisie par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="L’agent qui a saisi une demande reçue par téléphone ou à l’accueil.",
    )
    last_contact_at = models.DateTimeField("dernier contact", null=True, blank=True)
    closed_at = models.DateTimeField("clôturée le", null=True, blank=True)
    anonymised_at = models.DateTimeField("anonymisée le", null=True, blank=True, editable=False)
    # Delivery of the mails (sent after the commit; a failure is logged and can be retried).
    submission_token = models.CharField(
        "jeton d’envoi", max_length=64, unique=True, null=True, blank=True, editable=False
    )
    confirmation_sent_at = models.DateTimeField("accusé de réception envoyé le", null=True, blank=True)
    notification_sent_at = models.DateTimeField("équipe prévenue le", null=True, blank=True)
    created_at = models.DateTimeField("reçue le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = InterestRequestQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["submission_token"])
    # Written by the mail service (its own « Système » version), never by an agent (core.history).
    history_system_fields = ("confirmation_sent_at", "notification_sent_at")

    class Meta:
        verbose_name = "demande d’information mutuelle"
        verbose_name_plural = "demandes d’information mutuelle"
        ordering = ["-created_at"]
        permissions = [
            ("export_interestrequest", "Peut exporter les demandes (CSV, XLSX)"),
            ("erase_interestrequest", "Peut effacer les données d’une personne à sa demande"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="request_status_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone="") | Q(anonymised_at__isnull=False),
                name="request_has_a_contact",
                violation_error_message=(
                    "Indiquez au moins un moyen de vous joindre : téléphone ou adresse électronique."
                ),
            ),
            models.CheckConstraint(
                condition=Q(household_size__isnull=True) | (Q(household_size__gte=1) & Q(household_size__lte=20)),
                name="request_household_size_range",
                violation_error_message="Le foyer compte entre 1 et 20 personnes.",
            ),
            models.CheckConstraint(
                condition=~Q(source=RequestSource.WEBSITE) | Q(consent_at__isnull=False),
                name="request_website_has_consent",
                violation_error_message="Une demande faite sur le site doit porter l’accord de la personne.",
            ),
        ]

    def __str__(self):
        return self.reference

    def get_admin_url(self):
        return reverse("admin:mutuelle_interestrequest_change", args=[self.pk])

    def clean(self):
        super().clean()
        try:
            check_status_change(self.status_in_database(), self.status)
        except ValidationError as error:
            raise ValidationError({"status": error}) from error

    @property
    def is_closed(self):
        return self.status in CLOSED_STATUSES

    def status_in_database(self, *, lock=False):
        """The status saved in the database (None for a request not saved yet): the workflow's
        starting point, whatever a form has already put in ``self.status``. ``lock`` holds the row
        until the end of the transaction (two agents changing the same request one after the other).
        """
        if self._state.adding or self.pk is None:
            return None
        rows = type(self)._default_manager.filter(pk=self.pk)
        if lock:
            rows = rows.select_for_update()
        return rows.values_list("status", flat=True).first()


class FollowUpNote(models.Model):
    grammatical_gender = "f"
    interest_request = models.ForeignKey(
        InterestRequest, verbose_name="demande", on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("écrite le", default=timezone.now)
    text = models.TextField("note", max_length=4000)
    contact_at = models.DateTimeField(
        "contact le",
        null=True,
        blank=True,
        help_text="Rempli quand la note rend compte d’un contact avec la personne (« Contact noté »).",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "note de suivi"
        verbose_name_plural = "notes de suivi"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Note du {timezone.localtime(self.created_at):%d/%m/%Y %H:%M}"

    @property
    def is_contact(self):
        return self.contact_at is not None


# ---------------------------------------------------------------------------------------------
# Appointments at the permanences (issue 15 §3). Personal data: the Mutuelle group only.
# The rules that change them are in mutuelle.services.appointments.
# ---------------------------------------------------------------------------------------------

# The permanences are the events of the mutuelle's action (loaded by load_cls_content).
PERMANENCE_ACTION_SLUG = "mutuelle-communale"
DEFAULT_SLOT_MINUTES = 20


class Permanence(models.Model):
    """How one permanence of the agenda takes appointments. Optional: a permanence without this
    row takes appointments of ``DEFAULT_SLOT_MINUTES`` minutes with one adviser
    (``mutuelle.services.appointments.permanence_settings``)."""

    grammatical_gender = "f"

    event = models.OneToOneField(
        Event,
        verbose_name="permanence (événement de l’agenda)",
        on_delete=models.CASCADE,
        related_name="mutuelle_permanence",
        help_text="Un événement de l’action « Mutuelle communale ».",
    )
    takes_appointments = models.BooleanField(
        "prend des rendez-vous sur le site",
        default=True,
        help_text="Décochez pour une permanence sans rendez-vous (accueil de tous, dans l’ordre d’arrivée).",
    )
    slot_minutes = models.PositiveSmallIntegerField(
        "durée d’un rendez-vous (minutes)",
        default=DEFAULT_SLOT_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
        help_text="20 minutes par défaut. Les créneaux vont du début à la fin de la permanence.",
    )
    advisers = models.PositiveSmallIntegerField(
        "conseillers présents",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Le nombre de rendez-vous possibles au même moment.",
    )
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "réglage des rendez-vous d’une permanence"
        verbose_name_plural = "réglages des rendez-vous des permanences"
        ordering = ["-event__start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5) & Q(slot_minutes__lte=120),
                name="permanence_slot_minutes_range",
                violation_error_message="Un rendez-vous dure de 5 à 120 minutes.",
            ),
            models.CheckConstraint(
                condition=Q(advisers__gte=1) & Q(advisers__lte=10),
                name="permanence_advisers_range",
                violation_error_message="Une permanence compte de 1 à 10 conseillers.",
            ),
        ]

    def __str__(self):
        return str(self.event)

    def clean(self):
        super().clean()
        if self.event_id and not Event.objects.filter(pk=self.event_id, action__slug=PERMANENCE_ACTION_SLUG).exists():
            raise ValidationError({"event": "Choisissez un événement de l’action « Mutuelle communale »."})


def new_appointment_reference():
    """An unguessable reference such as RV-7K4P-QX2M (40 bits of randomness)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"RV-{chars[:4]}-{chars[4:]}"


class AppointmentQuerySet(BookingQuerySet):
    def holding(self):
        """The appointments that hold their slot: not cancelled."""
        return self.filter(status__in=APPOINTMENT_HOLDING_STATUSES)

    def on_day(self, day):
        start = _paris_midnight(day)
        return self.filter(slot_start__gte=start, slot_start__lt=start + datetime.timedelta(days=1))


class Appointment(Booking):
    """One person's appointment at a permanence: one slot, one adviser (``seat``).

    The same person, contact, consent, mails and retention as an event's registration
    (``events.models.Booking``); no waiting list (a person whose slot is taken chooses another,
    or comes without an appointment).
    """

    BLANKED_FIELDS = Booking.BLANKED_FIELDS | {"request_reference": ""}

    grammatical_gender = "m"

    reference = models.CharField(
        "référence", max_length=20, unique=True, default=new_appointment_reference, editable=False
    )
    status = models.CharField(
        "statut", max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    event = models.ForeignKey(
        Event, verbose_name="permanence", on_delete=models.PROTECT, related_name="mutuelle_appointments"
    )
    slot_start = models.DateTimeField("heure du rendez-vous")
    seat = models.PositiveSmallIntegerField(
        "conseiller", default=1, help_text="Le numéro du conseiller quand plusieurs reçoivent en même temps."
    )
    request_reference = models.CharField(
        "référence de demande indiquée",
        max_length=20,
        blank=True,
        help_text="La référence d’une demande d’information (MC-…) que la personne a indiquée.",
    )
    interest_request = models.ForeignKey(
        InterestRequest,
        verbose_name="demande d’information liée",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    attendance_marked_at = models.DateTimeField("présence notée le", null=True, blank=True, editable=False)

    objects = AppointmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["submission_token"])

    class Meta:
        verbose_name = "rendez-vous à une permanence"
        verbose_name_plural = "rendez-vous aux permanences"
        ordering = ["slot_start", "seat"]
        permissions = [("mark_attendance_appointment", "Peut noter qui est venu à son rendez-vous")]
        indexes = [models.Index(fields=["event", "status"], name="appointment_event_status_idx")]
        constraints = [
            # One slot is never booked twice, whatever happens above the database.
            models.UniqueConstraint(
                fields=["event", "slot_start", "seat"],
                condition=~Q(status=AppointmentStatus.CANCELLED),
                name="appointment_one_per_slot",
                violation_error_message="Ce créneau vient d’être pris : choisissez-en un autre.",
            ),
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone="") | Q(anonymised_at__isnull=False),
                name="appointment_has_a_contact",
                violation_error_message="Indiquez au moins un moyen de joindre la personne : téléphone ou courriel.",
            ),
            models.CheckConstraint(
                condition=Q(places=1),
                name="appointment_one_place",
                violation_error_message="Un rendez-vous est pour une personne.",
            ),
            models.CheckConstraint(
                condition=Q(seat__gte=1),
                name="appointment_seat_positive",
                violation_error_message="Le numéro du conseiller commence à 1.",
            ),
            models.CheckConstraint(
                condition=~Q(source=RegistrationSource.WEBSITE) | Q(consent_at__isnull=False),
                name="appointment_website_has_consent",
                violation_error_message="Un rendez-vous pris sur le site demande l’accord de la personne.",
            ),
            models.CheckConstraint(
                condition=~Q(source=RegistrationSource.STAFF) | Q(notice_read_at__isnull=False),
                name="appointment_staff_read_the_notice",
                violation_error_message="Lisez la notice d’information à la personne avant de prendre le rendez-vous.",
            ),
        ]

    def __str__(self):
        return self.reference

    def get_admin_url(self):
        return reverse("admin:mutuelle_appointment_change", args=[self.pk])
